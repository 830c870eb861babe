/**
 * The lead's view: depths, SLA risk, escalations, reviewer throughput; release or reassign claims;
 * reviewer quality (who is flagged below the policy's bar, and why: they are served extra golden cases
 * until they recover), double-review agreement per queue (κ and AC1 side by side, with intervals), and
 * the threshold recommendations with their bootstrap interval and change in review load.
 */
import type { App } from '../app';
import { ApiError, enc } from '../api';
import { h, replace, uid } from '../dom';
import { duration, percent, slaState } from '../lib/format';
import type { AgreementMeasure, Item, LeadOverview, ThresholdsPage } from '../types';

const measure = (m: AgreementMeasure): string => `${m.value.toFixed(2)} (${Math.round(m.interval.level * 100)}% ${m.interval.low.toFixed(2)} to ${m.interval.high.toFixed(2)})`;
const points = (change: number): string => `${change > 0 ? '+' : change < 0 ? '−' : '±'}${Math.abs(change * 100).toFixed(1)} points`;

export async function leadView(app: App): Promise<void> {
  if (!app.can.lead) {
    replace(app.main, h('section', { class: 'card' }, h('h1', {}, 'Lead view'), h('p', { role: 'alert' }, 'The lead view is for leads and admins. Your roles do not include it.'), h('a', { href: '#/queues' }, 'Back to your queues')));
    return;
  }
  const status = h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading…');
  const body = h('div', {});
  replace(app.main, h('section', { class: 'lead', 'aria-labelledby': 'lead-title' }, h('h1', { id: 'lead-title' }, 'Lead view'), status, body));

  const load = async (): Promise<void> => {
    let overview: LeadOverview;
    try {
      overview = await app.api.get<LeadOverview>('/lead/overview');
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : String(error);
      return;
    }
    // Recommendations come from BigQuery (cached on the server); the view shows without them when they are not there.
    const thresholds = await app.api.get<ThresholdsPage>('/lead/thresholds').catch((error: unknown) => (error instanceof ApiError ? error.message : String(error)));
    const busy = overview.queues.filter((q) => q.claimed > 0);
    const claims = (await Promise.all(busy.map((q) => app.api.get<{ items: Item[] }>(`/queues/${enc(q.queue)}/claims`).then((r) => r.items).catch(() => [] as Item[])))).flat();
    status.textContent = `Updated ${new Date(overview.at).toLocaleTimeString('en-GB')}`;
    const totals = overview.queues.reduce((t, q) => ({ depth: t.depth + q.depth, atRisk: t.atRisk + q.atRisk, escalated: t.escalated + q.escalated }), { depth: 0, atRisk: 0, escalated: 0 });
    replace(
      body,
      h('ul', { class: 'stats' }, h('li', {}, h('strong', {}, totals.depth), ' waiting'), h('li', { class: totals.atRisk ? 'risk' : '' }, h('strong', {}, totals.atRisk), ' at SLA risk'), h('li', { class: totals.escalated ? 'risk' : '' }, h('strong', {}, totals.escalated), ' escalated'), h('li', {}, h('strong', {}, claims.length), ' claimed')),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'lead-queues' },
        h('h2', { id: 'lead-queues' }, 'Queues'),
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ['Queue', 'Waiting', 'At SLA risk', 'Escalated', 'Claimed', 'Awaiting evidence', 'Quality overdue', 'Oldest'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, overview.queues.sort((a, b) => b.atRisk - a.atRisk || b.depth - a.depth).map((q) => h('tr', {}, h('th', { scope: 'row' }, q.title), h('td', { class: 'num' }, q.depth), h('td', { class: `num${q.atRisk ? ' risk' : ''}` }, q.atRisk), h('td', { class: `num${q.escalated ? ' risk' : ''}` }, q.escalated), h('td', { class: 'num' }, q.claimed), h('td', { class: 'num' }, q.awaitingEvidence), h('td', { class: 'num', title: 'blind, double and golden reviews past their soft SLA (never paged)' }, q.qualityOverdue), h('td', { class: 'num' }, q.oldestAgeSeconds === null ? '—' : duration(q.oldestAgeSeconds))))),
        ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'lead-claims' },
        h('h2', { id: 'lead-claims' }, 'Claims in progress'),
        claims.length === 0
          ? h('p', {}, 'Nobody holds a claim right now.')
          : h(
              'table',
              {},
              h('thead', {}, h('tr', {}, ['Case', 'Queue', 'Reviewer', 'SLA', 'Release or reassign'].map((t) => h('th', { scope: 'col' }, t)))),
              h(
                'tbody',
                {},
                claims.map((item) => {
                  const inputId = uid('reassign');
                  const input = h('input', { id: inputId, type: 'text', autocomplete: 'off', placeholder: 'reviewer id', size: 12 });
                  const act = async (reassignTo?: string): Promise<void> => {
                    try {
                      await app.api.post(`/items/${enc(item.itemId)}/release`, reassignTo ? { reassignTo } : {});
                      app.toast(reassignTo ? `Reassigned ${item.summary.subject.id} to ${reassignTo}.` : `Released ${item.summary.subject.id}.`, 'ok');
                      await load();
                    } catch (error) {
                      app.toast(error instanceof ApiError ? error.message : String(error), 'error');
                    }
                  };
                  const sla = slaState(item.dueAt, Date.now());
                  return h(
                    'tr',
                    { 'data-item': item.itemId },
                    h('th', { scope: 'row' }, h('a', { href: `#/case/${enc(item.caseId)}?queue=${enc(item.queue)}` }, `${item.summary.subject.type} ${item.summary.subject.id}`)),
                    h('td', {}, item.queue),
                    h('td', {}, item.claim?.reviewerId ?? '—'),
                    h('td', { class: sla.level === 'ok' ? '' : 'risk' }, sla.text),
                    h(
                      'td',
                      { class: 'actions' },
                      h('button', { type: 'button', 'aria-label': `Release ${item.summary.subject.id} from ${item.claim?.reviewerId ?? 'its reviewer'}`, onclick: () => void act() }, 'Release'),
                      h('label', { for: inputId, class: 'visually-hidden' }, `Reassign ${item.summary.subject.id} to reviewer`),
                      input,
                      h('button', { type: 'button', 'aria-label': `Reassign ${item.summary.subject.id}`, onclick: () => (input.value.trim() ? void act(input.value.trim()) : input.focus()) }, 'Reassign'),
                    ),
                  );
                }),
              ),
            ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'lead-quality' },
        h('h2', { id: 'lead-quality' }, 'Reviewer quality'),
        overview.quality.flagged.length === 0
          ? h('p', {}, 'Nobody is below a quality bar.')
          : h('p', { role: 'status' }, `Flagged (served extra golden cases until they recover): ${overview.quality.flagged.join(', ')}`),
        overview.quality.reviewers.length === 0
          ? h('p', { class: 'muted' }, 'No known answers yet (golden cases, adjudicated double reviews).')
          : h(
              'table',
              { id: 'lead-reviewer-quality' },
              h('thead', {}, h('tr', {}, ['Reviewer', 'Use case', 'Known answers right', 'κ (double reviews)', 'Standing'].map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', {}, overview.quality.reviewers.map((r) => h('tr', { 'data-reviewer': r.reviewerId, class: r.flagged ? 'flagged' : '' }, h('th', { scope: 'row' }, r.reviewerId), h('td', {}, r.useCase), h('td', { class: 'num' }, r.known === 0 ? '—' : `${r.correct} of ${r.known} (${percent(r.accuracy ?? undefined)}; bar ${percent(r.minAccuracy)})`), h('td', { class: 'num' }, r.kappa === null ? `— (${r.pairs} pairs)` : `${r.kappa.toFixed(2)} on ${r.pairs}`), h('td', { class: r.flagged ? 'risk' : '' }, r.flagged ? `Flagged: ${r.reasons.join('; ')}` : 'OK')))),
            ),
        h('h3', {}, 'Double-review agreement'),
        overview.quality.agreement.length === 0
          ? h('p', { class: 'muted' }, 'No double reviews yet.')
          : h(
              'table',
              { id: 'lead-agreement' },
              h('thead', {}, h('tr', {}, ['Queue', 'Pairs', 'Agreed', 'Cohen’s κ', 'Gwet’s AC1', 'κ bar'].map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', {}, overview.quality.agreement.map((a) => h('tr', { 'data-queue': a.queue }, h('th', { scope: 'row' }, a.queue), h('td', { class: 'num' }, a.pairs), h('td', { class: 'num' }, percent(a.observed)), h('td', { class: `num${a.belowBar ? ' risk' : ''}` }, measure(a.kappa)), h('td', { class: 'num', title: 'AC1 does not collapse when nearly every verdict is the same, as κ does' }, measure(a.ac1)), h('td', { class: 'num' }, a.minKappa ?? '—')))),
            ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'lead-thresholds' },
        h('h2', { id: 'lead-thresholds' }, 'Threshold recommendations'),
        typeof thresholds === 'string'
          ? h('p', { class: 'muted' }, thresholds)
          : thresholds.recommendations.length === 0
            ? h('p', { class: 'muted' }, `No labelled outcomes yet (${thresholds.examples}).`)
            : h(
                'table',
                { id: 'lead-threshold-table' },
                h('thead', {}, h('tr', {}, ['Use case', 'Model version', 'High now', `Recommended (≥ ${percent(thresholds.targetPrecision)} precision)`, 'Bootstrap interval', 'Review load', 'Examples'].map((t) => h('th', { scope: 'col' }, t)))),
                h(
                  'tbody',
                  {},
                  thresholds.recommendations.map((r) =>
                    h(
                      'tr',
                      { 'data-model-version': r.modelVersion, title: r.note },
                      h('th', { scope: 'row' }, r.useCase),
                      h('td', {}, r.modelVersion),
                      h('td', { class: 'num' }, r.currentHigh ?? '—'),
                      h('td', { class: 'num' }, r.high === null ? 'none reaches it' : `${r.high} (${percent(r.precision ?? undefined, 1)} on ${r.support})`),
                      h('td', { class: 'num' }, r.interval ? `${r.interval.low} to ${r.interval.high}` : '—'),
                      h('td', { class: 'num' }, r.reviewLoad ? `${percent(r.reviewLoad.current, 1)} → ${percent(r.reviewLoad.recommended, 1)} (${points(r.reviewLoad.change)})` : '—'),
                      h('td', { class: 'num' }, r.examples),
                    ),
                  ),
                ),
              ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'lead-throughput' },
        h('h2', { id: 'lead-throughput' }, 'Reviewer throughput, last hour'),
        overview.throughput.reviewers.length === 0
          ? h('p', {}, 'No reviews finished in the last hour.')
          : h('table', {}, h('thead', {}, h('tr', {}, ['Reviewer', 'Cases done', 'Queues'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, overview.throughput.reviewers.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.reviewerId), h('td', { class: 'num' }, r.itemsDone), h('td', {}, r.queues.join(', ')))))),
      ),
    );
  };
  await load();
  const timer = window.setInterval(() => {
    if (!app.main.contains(document.activeElement) || document.activeElement === app.main || document.activeElement === document.body) void load();
  }, 15_000);
  app.onLeave(() => window.clearInterval(timer));
}
