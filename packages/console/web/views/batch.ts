/**
 * Batch review (HITL-OPT batch templates; ADR-0016 "optional batch reviews for similar cases"): the
 * cases of one batch key side by side, each can be flagged for individual review, then one of the
 * policy's batch options decides them all (or the unflagged ones).
 */
import type { App } from '../app';
import { ApiError, enc } from '../api';
import { approvalInputs, bandChip, evidenceFigure, outcomeLabel } from '../components';
import { h, isTyping, replace, uid } from '../dom';
import { optionForKey, reasonsFor, type DecisionOption } from '../lib/decide';
import { displayValue, humanize, percent, slaState } from '../lib/format';
import { showsRegions } from '../lib/regions';
import { renderMarkdown } from '../markdown';
import type { CaseView, QueueSummary } from '../types';

interface BatchResult {
  batchId: string;
  results: Array<{ itemId: string; caseId?: string; result: 'decided' | 'pending' | 'returned-for-review' | 'failed'; outcome?: string; undoUntil?: string; error?: { code: string; message: string } }>;
}

/** `["vehicle-cleanliness","<queue>","cleanliness-vit","2.3.0","dirty"]` → `cleanliness-vit · 2.3.0 · dirty`. */
function describeBatchKey(key: string, queueId: string): string {
  // A batch of similar cases is keyed `<group key>~<first item id>`: the group is the JSON part.
  const end = key.indexOf(']~');
  const group = end >= 0 ? key.slice(0, end + 1) : key;
  try {
    const parts = JSON.parse(group) as unknown;
    if (Array.isArray(parts)) return parts.slice(1).filter((p) => p !== queueId).map(String).join(' · ') || key;
  } catch {
    // not JSON: show it as it is
  }
  return key;
}

export async function batchView(app: App, queueId: string, batchKey: string, compactByAddress = false): Promise<void> {
  replace(app.main, h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading the batch…'));
  let queue: QueueSummary | undefined;
  try {
    queue = (await app.api.get<{ queues: QueueSummary[] }>('/queues')).queues.find((q) => q.queue === queueId);
  } catch (error) {
    replace(app.main, h('p', { role: 'alert' }, error instanceof ApiError ? error.message : String(error)));
    return;
  }
  const batch = queue?.batchable.find((b) => b.batchKey === batchKey);
  if (!queue || !batch) {
    replace(app.main, h('section', { class: 'card' }, h('h1', {}, 'Batch no longer available'), h('p', {}, 'Its cases were decided or claimed in the meantime.'), h('a', { href: '#/queues' }, 'Back to your queues')));
    return;
  }
  const views = await Promise.all(batch.itemIds.map((itemId) => app.api.get<CaseView>(`/cases/${enc(itemId.split('~')[0] as string)}`).then((v) => ({ itemId, view: v }))));
  const first = views[0]?.view;
  if (!first) return;
  document.title = `Batch of ${views.length} · ${queue.title} — Arbiter`;
  const options = first.options.batchOptions;
  const flagged = new Set<string>();

  // Why each case is in the batch (queues batched by similarity): its similarity to the first case, part by part.
  const similar = (itemId: string): HTMLElement | null => {
    const why = batch.why?.find((w) => w.itemId === itemId);
    if (!why) return null;
    return i0(itemId) ? h('p', { class: 'muted small why', 'data-why': itemId }, 'The case this batch is built around') : h('div', { class: 'small why', 'data-why': itemId }, h('strong', {}, `${percent(why.similarity)} similar to case 1`), h('ul', {}, why.parts.map((p) => h('li', {}, p))));
  };
  const i0 = (itemId: string): boolean => batch.itemIds[0] === itemId;
  const cards = views.map(({ itemId, view }, i) => {
    const photo = view.evidence.find(showsRegions);
    const flagId = uid('flag');
    const box = h('input', { type: 'checkbox', id: flagId, 'data-item': itemId, onchange: (e: Event) => { const c = (e.target as HTMLInputElement).checked; if (c) flagged.add(itemId); else flagged.delete(itemId); card.classList.toggle('flagged', c); } });
    const sla = view.sla ? slaState(view.sla.dueAt, Date.now()) : undefined;
    const keyContext = Object.entries(view.context).slice(0, 4);
    const card: HTMLElement = h(
      'li',
      { class: 'batch-card card', 'data-item': itemId },
      h('h2', { class: 'batch-card-title' }, h('a', { href: `#/case/${enc(view.caseId)}?queue=${enc(queueId)}` }, `${i + 1}. ${view.subject.type} ${view.subject.id}`)),
      h('p', { class: 'small' }, h('strong', {}, view.prediction.label ?? '—'), ` ${percent(view.prediction.confidence, 1)} `, bandChip(view.prediction.band), sla ? h('span', { class: `chip sla sla-${sla.level}` }, sla.text) : null),
      photo ? evidenceFigure(app.api, view, photo, { regions: true, compact: true }) : null,
      h('dl', { class: 'kv small' }, keyContext.map(([k, v]) => [h('dt', {}, humanize(k)), h('dd', {}, displayValue(v))])),
      similar(itemId),
      h('div', { class: 'flag' }, box, h('label', { for: flagId }, 'Flag for individual review')),
    );
    return card;
  });

  let selected: DecisionOption | undefined;
  const optionButtons = new Map<string, HTMLButtonElement>();
  const reasonsBox = h('fieldset', { class: 'reasons', hidden: true });
  const approvalBox = approvalInputs(first.options.approval ?? {});
  const notesId = uid('notes');
  const notes = h('textarea', { id: notesId, rows: 2, maxlength: 4000 });
  const error = h('p', { class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Choose a batch option');
  const resultsBox = h('div', { 'aria-live': 'polite' });

  const select = (o: DecisionOption): void => {
    selected = o;
    for (const [id, b] of optionButtons) b.setAttribute('aria-pressed', String(id === o.id));
    const reasons = reasonsFor(o, first.options.reasonCodes);
    const name = uid('reason');
    replace(reasonsBox, h('legend', {}, `Reason code${o.requiresReason ? ' (required)' : ' (optional)'}`), reasons.map((r, i) => h('div', { class: 'radio' }, h('input', { type: 'radio', id: `${name}-${i}`, name: 'reason', value: r.code }), h('label', { for: `${name}-${i}` }, ` ${r.label}`, h('span', { class: 'muted small' }, ` ${r.code}`)))));
    reasonsBox.hidden = reasons.length === 0;
    approvalBox.show(o.inputs);
    confirm.disabled = false;
    confirm.textContent = `Confirm: ${o.label}`;
    error.textContent = '';
    (reasonsBox.querySelector('input') as HTMLInputElement | null)?.focus();
  };

  const submit = async (): Promise<void> => {
    if (!selected) return;
    const reasonCode = (reasonsBox.querySelector('input:checked') as HTMLInputElement | null)?.value;
    if (selected.requiresReason && !reasonCode) {
      error.textContent = 'Pick a reason code first (arrow keys in the list).';
      (reasonsBox.querySelector('input') as HTMLInputElement | null)?.focus();
      return;
    }
    const { approval, missing } = approvalBox.read();
    if (missing.length) {
      error.textContent = `Fill in: ${missing.join(', ')}.`;
      approvalBox.focusFirst();
      return;
    }
    if (flagged.size > 0 && selected.kind !== 'decide-unflagged') {
      error.textContent = `${flagged.size} case(s) are flagged: choose an option that sends flagged cases to individual review, or unflag them.`;
      return;
    }
    confirm.disabled = true;
    confirm.textContent = 'Saving…';
    try {
      const r = await app.api.post<BatchResult>('/batches/decision', { itemIds: batch.itemIds, optionId: selected.id, ...(flagged.size && selected.kind === 'decide-unflagged' ? { flagged: [...flagged] } : {}), ...(reasonCode ? { reasonCode } : {}), ...(notes.value.trim() ? { notes: notes.value.trim() } : {}), ...(approval ? { approval } : {}) });
      const decided = r.results.filter((x) => x.result === 'decided' || x.result === 'pending').length;
      const pending = r.results.filter((x) => x.result === 'pending' && x.undoUntil).map((x) => Date.parse(x.undoUntil as string));
      const back = r.results.filter((x) => x.result === 'returned-for-review').length;
      const failed = r.results.filter((x) => x.result === 'failed');
      const summary = `Batch: ${decided} decided${back ? `, ${back} sent to individual review` : ''}${failed.length ? `, ${failed.length} failed` : ''}.`;
      app.toast(summary, failed.length ? 'error' : 'ok');
      // The decisions wait in the server's undo window: the whole batch can be taken back until then.
      if (pending.length) {
        app.offerUndo(summary, Math.min(...pending), async () => {
          const undone = await app.api.post<{ results: Array<{ undone: boolean }> }>(`/batches/${enc(r.batchId)}/undo`);
          app.toast(`Batch undone: ${undone.results.filter((x) => x.undone).length} case(s) back in the queue, nothing decided.`, 'ok');
          app.navigate('#/queues');
        });
      }
      replace(
        resultsBox,
        h('h2', { id: 'batch-results' }, 'Result'),
        h('ul', { class: 'batch-results' }, r.results.map((x) => h('li', { 'data-result': x.result }, `${views.find((v) => v.itemId === x.itemId)?.view.subject.id ?? x.itemId}: ${x.result === 'decided' || x.result === 'pending' ? `${outcomeLabel(first, x.outcome)}${x.result === 'pending' ? ' (undo possible for a few seconds)' : ''}` : x.result === 'returned-for-review' ? 'sent to individual review' : `failed — ${x.error?.message ?? ''}`}`))),
        h('a', { class: 'button primary', href: '#/queues' }, 'Back to your queues'),
      );
      (resultsBox.querySelector('a') as HTMLElement).focus();
    } catch (e) {
      confirm.disabled = false;
      confirm.textContent = `Confirm: ${selected.label}`;
      error.textContent = e instanceof ApiError ? `${e.message} (${e.code})` : String(e);
    }
  };

  const template = first.template ? h('details', { class: 'template-details' }, h('summary', {}, `Approval template: ${first.template.title}`), h('div', { class: 'markdown' })) : null;
  if (template) (template.querySelector('.markdown') as HTMLElement).innerHTML = renderMarkdown(first.template?.markdown ?? '');

  replace(
    app.main,
    h(
      'article',
      { class: `batch${compactByAddress || app.prefs.compactBatch ? ' batch-compact' : ''}`, 'aria-labelledby': 'batch-title' },
      h('div', { class: 'case-head' }, h('div', {}, h('h1', { id: 'batch-title' }, `Batch of ${views.length} similar cases · ${queue.title}`), h('p', { class: 'muted small' }, batch.why ? `Similar cases of ${describeBatchKey(batchKey, queueId)}: each at least ${percent(Math.min(...batch.why.map((w) => w.similarity)))} like case 1` : `Grouped by ${describeBatchKey(batchKey, queueId)}`))),
      h('ol', { class: 'batch-grid', 'aria-label': 'Cases in this batch' }, cards),
      template,
      app.can.decide
        ? h(
            'form',
            { class: 'card decide', 'aria-labelledby': 'batch-decide', onsubmit: (e: Event) => { e.preventDefault(); void submit(); } },
            h('h2', { id: 'batch-decide' }, 'Batch decision'),
            h('div', { class: 'options', role: 'group', 'aria-label': 'Batch options' }, options.map((o) => { const b = h('button', { type: 'button', class: 'option', 'aria-pressed': 'false', 'aria-keyshortcuts': o.shortcut, 'data-option': o.id, onclick: () => select(o) }, o.shortcut ? h('kbd', { 'aria-hidden': 'true' }, o.shortcut) : null, ` ${o.label}`); optionButtons.set(o.id, b); return b; })),
            reasonsBox,
            approvalBox.element,
            h('div', { class: 'field' }, h('label', { for: notesId }, 'Notes ', h('span', { class: 'muted small' }, '(internal)')), notes),
            error,
            h('div', { class: 'form-actions' }, confirm),
            resultsBox,
          )
        : null,
    ),
  );
  app.shortcuts = [...options.filter((o) => o.shortcut).map((o) => ({ keys: o.shortcut as string, does: o.label })), { keys: 'F', does: 'Flag or unflag the case that has focus' }, { keys: 'Enter', does: 'Confirm (from the reason list)' }, { keys: 'C', does: 'Compact layout: ten cases on one screen' }, { keys: 'U', does: 'Show the photos clearly (when blurred or grey)' }];
  app.onKey = (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return false;
    if (event.key.toLowerCase() === 'c') {
      app.main.querySelector('article.batch')?.classList.toggle('batch-compact');
      return true;
    }
    if (event.key.toLowerCase() === 'u') {
      app.main.querySelector('article.batch')?.classList.toggle('revealed');
      return true;
    }
    if (event.key.toLowerCase() === 'f') {
      const card = (event.target as HTMLElement).closest?.('.batch-card');
      const box = card?.querySelector<HTMLInputElement>('input[type="checkbox"]');
      if (box) {
        box.click();
        return true;
      }
      return false;
    }
    if (event.key === 'Enter' && selected && event.target instanceof HTMLInputElement && event.target.type === 'radio') {
      void submit();
      return true;
    }
    const o = optionForKey(options, event.key);
    if (o && app.can.decide) {
      select(o);
      return true;
    }
    return false;
  };
  (cards[0]?.querySelector('a') as HTMLElement | null)?.focus();
}
