/** Home: the queues this reviewer may work — depth, oldest case, SLA risk — "next case" and batches. */
import type { App } from '../app';
import { ApiError, enc } from '../api';
import { h, replace } from '../dom';
import { duration } from '../lib/format';
import type { Item, QueueSummary } from '../types';

/** Claims the next case of a queue and opens it; says so when the queue is empty. */
export async function openNextCase(app: App, queue: string, title = queue): Promise<boolean> {
  try {
    const { item } = await app.api.post<{ item: Item | null }>(`/queues/${enc(queue)}/next`);
    if (!item) {
      app.toast(`Nothing is waiting in ${title}.`, 'info');
      return false;
    }
    app.navigate(`#/case/${enc(item.caseId)}?queue=${enc(queue)}`);
    return true;
  } catch (error) {
    app.toast(error instanceof ApiError ? error.message : String(error), 'error');
    return false;
  }
}

const urgency = (a: QueueSummary, b: QueueSummary): number => b.atRisk - a.atRisk || (b.oldestAgeSeconds ?? -1) - (a.oldestAgeSeconds ?? -1) || a.title.localeCompare(b.title);

export async function queuesView(app: App): Promise<void> {
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading your queues…');
  const body = h('div', {});
  const findCase = app.can.readAny
    ? h(
        'form',
        {
          class: 'inline-form',
          onsubmit: (e: Event) => {
            e.preventDefault();
            const id = (document.getElementById('case-id') as HTMLInputElement).value.trim();
            if (id) app.navigate(`#/case/${enc(id)}`);
          },
        },
        h('label', { for: 'case-id' }, 'Open a case by id'),
        h('input', { id: 'case-id', name: 'caseId', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'case_…' }),
        h('button', { type: 'submit' }, 'Open'),
      )
    : null;
  replace(app.main, h('section', { 'aria-labelledby': 'queues-title', class: 'queues' }, h('div', { class: 'page-head' }, h('h1', { id: 'queues-title' }, 'Your queues'), findCase), status, body));

  let queues: QueueSummary[] = [];
  const render = (): void => {
    if (!app.can.work) {
      replace(body, h('p', {}, `Your roles (${app.session?.roles.join(', ')}) do not include working a queue.${app.can.readAny ? ' You can open any case by its id.' : ''}`));
      return;
    }
    if (queues.length === 0) {
      replace(body, h('p', {}, 'No queue is assigned to your roles. Ask a lead to add a queue role (e.g. cleanliness-reviewer) to your account.'));
      return;
    }
    const first = queues.find((q) => q.depth > 0);
    replace(
      body,
      h(
        'table',
        { class: 'queue-table' },
        h('caption', { class: 'visually-hidden' }, 'Queues, most urgent first'),
        h('thead', {}, h('tr', {}, ['Queue', 'Waiting', 'Oldest', 'At SLA risk', 'Claimed', 'Awaiting evidence', 'Work'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          {},
          queues.map((q) =>
            h(
              'tr',
              { 'data-queue': q.queue },
              h('th', { scope: 'row' }, h('span', { class: 'queue-title' }, q.title), h('span', { class: 'muted small' }, q.useCase)),
              h('td', { class: 'num' }, q.depth),
              h('td', { class: 'num' }, q.oldestAgeSeconds === null ? '—' : duration(q.oldestAgeSeconds)),
              h('td', { class: `num${q.atRisk > 0 ? ' risk' : ''}` }, q.atRisk),
              h('td', { class: 'num' }, q.claimed),
              h('td', { class: 'num' }, q.awaitingEvidence),
              h(
                'td',
                { class: 'actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: q === first ? 'primary' : '',
                    disabled: q.depth === 0,
                    'aria-keyshortcuts': q === first ? 'n' : undefined,
                    'aria-label': `Next case in ${q.title}`,
                    onclick: () => void openNextCase(app, q.queue, q.title),
                  },
                  'Next case',
                  q === first ? h('kbd', { 'aria-hidden': 'true' }, 'N') : null,
                ),
                q.batchable.map((b) =>
                  h(
                    'a',
                    { class: 'button', href: `#/batch/${enc(q.queue)}/${enc(b.batchKey)}`, 'aria-label': `Review a batch of ${b.size} similar cases in ${q.title}` },
                    `Batch of ${b.size}`,
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  const load = async (): Promise<void> => {
    try {
      const r = app.can.work ? await app.api.get<{ queues: QueueSummary[] }>('/queues') : { queues: [] };
      queues = r.queues.sort(urgency);
      status.textContent = app.can.work ? `${queues.reduce((n, q) => n + q.depth, 0)} cases waiting · updated ${new Date().toLocaleTimeString('en-GB')}` : '';
      const focused = document.activeElement?.getAttribute('aria-label');
      render();
      if (focused) (body.querySelector(`[aria-label="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : String(error);
    }
  };
  await load();
  const timer = window.setInterval(() => void load(), 10_000);
  app.onLeave(() => window.clearInterval(timer));
  app.shortcuts = [{ keys: 'N', does: 'Next case from the most urgent queue' }];
  app.onKey = (event) => {
    if (event.key.toLowerCase() !== 'n') return false;
    const q = queues.find((x) => x.depth > 0);
    if (q) void openNextCase(app, q.queue, q.title);
    else app.toast('Nothing is waiting in your queues.', 'info');
    return true;
  };
  const firstButton = body.querySelector<HTMLButtonElement>('button.primary') ?? body.querySelector<HTMLButtonElement>('button:not([disabled])');
  firstButton?.focus();
}
