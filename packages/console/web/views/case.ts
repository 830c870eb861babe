/**
 * The single pane (ADR-0016 §3): photos side by side with the model's regions, the assessment
 * (label, scores, confidence against the thresholds, band, model), SLA countdown, priority and why,
 * subject and context, the approval template, precedents with a one-key suggestion, and the decision:
 * one key per option, a digit per reason code, Enter to confirm — then the next case.
 */
import type { App } from '../app';
import { ApiError, enc } from '../api';
import { approvalInputs, approvalSummary, bandChip, confidenceBar, evidenceFigure, outcomeLabel, reasonLabel } from '../components';
import { h, isTyping, replace, uid } from '../dom';
import { optionForKey, reasonsFor, suggestFromPrecedents, type DecisionOption, type Suggestion } from '../lib/decide';
import { displayValue, humanize, percent, slaState } from '../lib/format';
import { pairEvidence } from '../lib/regions';
import { renderMarkdown } from '../markdown';
import type { CaseView } from '../types';
import { openNextCase } from './queues';
import { makeInspectable, openCompare, SyncedZoom, zoomKey, type CompareMode } from '../inspect';

export async function caseView(app: App, caseId: string, queueHint: string | undefined, compareMode?: string): Promise<void> {
  // The case held ahead (claimed, read, photos decoded while the reviewer decided the last one) is
  // shown at once; its short ahead lease becomes a working one in the background.
  const ahead = app.next.shownAs(caseId);
  let view: CaseView;
  if (ahead) {
    view = ahead.view;
    void app.api.post(`/items/${enc(ahead.itemId)}/claim`).catch((error: unknown) => {
      app.toast(`This case is no longer yours: ${error instanceof ApiError ? error.message : String(error)}`, 'error');
    });
  } else {
    replace(app.main, h('p', { class: 'muted', 'aria-live': 'polite' }, 'Loading the case…'));
    try {
      view = await app.api.get<CaseView>(`/cases/${enc(caseId)}`);
    } catch (error) {
      replace(app.main, h('section', { class: 'card' }, h('h1', {}, 'Case not available'), h('p', { role: 'alert' }, error instanceof ApiError ? `${error.message} (${error.code})` : String(error)), h('a', { href: '#/queues' }, 'Back to your queues')));
      return;
    }
  }
  const me = app.session?.sub;
  const item = view.items.find((i) => i.purpose === 'decision' && i.status !== 'done') ?? view.items.find((i) => i.status !== 'done') ?? view.items[0];
  const queue = queueHint ?? item?.queue;
  const mine = item?.claim?.reviewerId === me && item?.status === 'claimed';
  const decided = view.status === 'decided' && (!item || item.status === 'done');
  const mayDecide = app.can.decide && !!item && item.status !== 'done' && item.status !== 'awaiting-evidence' && (mine || app.can.lead);
  const title = `${humanize(view.useCase)} · ${view.subject.type} ${view.subject.id}`;
  document.title = `${title} — Arbiter`;

  // ── Header: what, SLA, priority ──────────────────────────────────────────────────────────────
  const sla = h('span', { class: 'chip sla', role: 'timer', 'aria-live': 'off' });
  const tick = (): void => {
    if (!view.sla) return void (sla.textContent = 'no SLA');
    const s = slaState(view.sla.dueAt, Date.now());
    sla.textContent = `SLA ${s.text}`;
    sla.className = `chip sla sla-${s.level}`;
  };
  tick();
  const timer = window.setInterval(tick, 1000);
  app.onLeave(() => window.clearInterval(timer));

  const header = h(
    'div',
    { class: 'case-head' },
    h('div', {}, h('h1', { id: 'case-title' }, title), h('p', { class: 'muted small' }, `Case ${view.caseId} · policy ${view.policy.id} v${view.policy.version} · opened ${displayValue(view.openedAt)}`)),
    h(
      'div',
      { class: 'chips' },
      view.blind ? h('span', { class: 'chip' }, 'blind review') : bandChip(view.prediction.band),
      sla,
      view.sla?.escalated ? h('span', { class: 'chip sla-overdue' }, 'escalated') : null,
      view.priority ? h('span', { class: 'chip' }, `priority ${view.priority.score}${view.priority.lane === 0 ? ' · back with new evidence' : ''}`) : null,
      view.category ? h('span', { class: 'chip' }, view.category) : null,
      item ? h('span', { class: 'chip' }, item.status === 'claimed' ? `claimed by ${item.claim?.reviewerId === me ? 'you' : item.claim?.reviewerId}` : item.status) : null,
    ),
  );

  // ── Evidence (or, for proposals without photos, the approval template) ───────────────────────
  let regionsOn = true;
  const evidenceBox = h('div', { class: 'evidence-grid' });
  // One zoom per baseline/return pair: the two photos of a row zoom and pan together. The keys act on
  // the row last touched (the first by default).
  let zooms: SyncedZoom[] = [];
  let activeRow = 0;
  const drawEvidence = (): void => {
    const rows = pairEvidence(view.evidence);
    replace(
      evidenceBox,
      rows.map((row) => h('div', { class: 'evidence-row' }, row.baseline ? evidenceFigure(app.api, view, row.baseline, { regions: regionsOn, preloaded: ahead?.images.get(row.baseline.index) }) : h('div', { class: 'evidence-missing' }, 'No baseline photo'), row.other ? evidenceFigure(app.api, view, row.other, { regions: regionsOn, preloaded: ahead?.images.get(row.other.index) }) : h('div', { class: 'evidence-missing' }, 'No return photo'))),
    );
    zooms = [...evidenceBox.querySelectorAll<HTMLElement>('.evidence-row')].map((rowEl, i) => {
      const zoom = new SyncedZoom();
      for (const photo of rowEl.querySelectorAll<HTMLElement>('.photo')) makeInspectable(photo, zoom);
      rowEl.addEventListener('pointerdown', () => (activeRow = i));
      return zoom;
    });
  };
  const compare = (mode?: CompareMode): boolean => {
    const rowEl = evidenceBox.querySelectorAll<HTMLElement>('.evidence-row')[activeRow];
    const figures = rowEl ? [...rowEl.querySelectorAll<HTMLElement>('figure.evidence')] : [];
    if (figures.length < 2) return false;
    const back = document.activeElement as HTMLElement | null;
    openCompare(figures[0] as HTMLElement, figures[1] as HTMLElement, { regions: () => regionsOn, onRegions: () => toggleRegions(), onClose: () => back?.focus(), ...(mode ? { mode } : {}) });
    return true;
  };
  const template = view.template
    ? h('section', { class: 'template card', 'aria-labelledby': 'template-title' }, h('h2', { id: 'template-title', class: 'muted small' }, `Approval template (${view.template.kind}) · ${view.template.title}`), h('div', { class: 'markdown' }))
    : null;
  if (template) (template.querySelector('.markdown') as HTMLElement).innerHTML = renderMarkdown(view.template?.markdown ?? '');

  const left: HTMLElement[] = [];
  if (view.evidence.length > 0) {
    drawEvidence();
    left.push(h('section', { 'aria-labelledby': 'evidence-title', class: 'card' }, h('div', { class: 'section-head' }, h('h2', { id: 'evidence-title' }, 'Evidence: baseline vs return'), h('span', { class: 'muted zoom-hint' }, 'Click a photo to zoom both · drag to pan'), h('button', { type: 'button', class: 'ghost small', 'aria-keyshortcuts': 'f', onclick: () => compare() }, 'Compare full screen ', h('kbd', { 'aria-hidden': 'true' }, 'F')), h('button', { type: 'button', class: 'ghost small', 'aria-pressed': 'true', 'aria-keyshortcuts': 'g', onclick: (e: Event) => toggleRegions(e.currentTarget as HTMLButtonElement) }, 'Regions ', h('kbd', { 'aria-hidden': 'true' }, 'G'))), evidenceBox));
    if (template) left.push(h('details', { class: 'template-details' }, h('summary', {}, `Approval template: ${view.template?.title ?? ''}`), template));
  } else if (template) left.push(template);
  else left.push(h('section', { class: 'card' }, h('h2', {}, 'Evidence'), h('p', {}, 'This case has no photos and no template.')));
  if (view.postActionReport) {
    const report = h('section', { class: 'template card post-action-report', 'aria-labelledby': 'report-title' }, h('h2', { id: 'report-title', class: 'muted small' }, `Post-action report · ${view.postActionReport.title}`), h('div', { class: 'markdown' }));
    (report.querySelector('.markdown') as HTMLElement).innerHTML = renderMarkdown(view.postActionReport.markdown);
    left.unshift(report);
  }
  const toggleRegions = (button?: HTMLButtonElement): void => {
    regionsOn = !regionsOn;
    const b = button ?? (app.main.querySelector('[aria-keyshortcuts="g"]') as HTMLButtonElement | null);
    b?.setAttribute('aria-pressed', String(regionsOn));
    for (const el of evidenceBox.querySelectorAll('.regions, .region-label')) el.toggleAttribute('hidden', !regionsOn);
  };

  // ── Assessment, priority, context ────────────────────────────────────────────────────────────
  const p = view.prediction;
  const assessment = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ai-title' },
    h('h2', { id: 'ai-title' }, 'AI assessment'),
    view.blind
      ? h('p', {}, 'Blind review: the model’s answer is hidden so your verdict is independent.')
      : [
          h('p', { class: 'prediction' }, h('span', { class: 'label' }, p.label ?? '—'), ` at ${percent(p.confidence, 1)}`, p.confidenceSource === 'factors' ? h('span', { class: 'muted small' }, ' (from factors)') : null, ' ', bandChip(p.band)),
          confidenceBar(view),
          h(
            'dl',
            { class: 'kv' },
            h('dt', {}, 'Model'),
            h('dd', {}, `${p.model?.name ?? '—'} ${p.model?.version ?? ''}`),
            p.thresholds ? [h('dt', {}, 'Thresholds'), h('dd', {}, `low ${percent(p.thresholds.low)} · high ${percent(p.thresholds.high)}`)] : null,
            p.modelOutcome ? [h('dt', {}, 'Model says'), h('dd', {}, outcomeLabel(view, p.modelOutcome))] : null,
            p.scores ? [h('dt', {}, 'Scores'), h('dd', {}, Object.entries(p.scores).map(([k, v]) => `${k} ${percent(v, 1)}`).join(' · '))] : null,
            p.factors ? [h('dt', {}, 'Factors'), h('dd', {}, Object.entries(p.factors).map(([k, v]) => `${humanize(k)} ${percent(v)}`).join(' · '))] : null,
          ),
        ],
  );
  const contextEntries = Object.entries(view.context);
  const context = h(
    'section',
    { class: 'card', 'aria-labelledby': 'ctx-title' },
    h('h2', { id: 'ctx-title' }, 'Subject and context'),
    h('dl', { class: 'kv' }, h('dt', {}, 'Subject'), h('dd', {}, `${view.subject.type} ${view.subject.id}`), contextEntries.map(([k, v]) => [h('dt', {}, humanize(k)), h('dd', {}, displayValue(v))])),
    view.priority && view.priority.reasons.length > 0 ? [h('h3', {}, 'Why this priority'), h('ul', { class: 'reasons-list' }, view.priority.reasons.map((r) => h('li', {}, r)))] : null,
    view.evidenceRequest ? [h('h3', {}, 'Evidence requested'), h('p', {}, `${view.evidenceRequest.what ?? ''} (${reasonLabel(view, view.evidenceRequest.reasonCode) ?? ''})`)] : null,
  );

  // ── Precedents and the suggestion ───────────────────────────────────────────────────────────
  const decideOptions = view.options.decisionOptions;
  const suggestion: Suggestion | undefined = view.blind ? undefined : suggestFromPrecedents(view.precedents, decideOptions, view.options.reasonCodes);
  const precedents =
    view.blind || view.precedents.length === 0
      ? null
      : h(
          'section',
          { class: 'card', 'aria-labelledby': 'prec-title' },
          h('h2', { id: 'prec-title' }, 'Similar decided cases'),
          suggestion
            ? h(
                'div',
                { class: 'suggestion' },
                h('p', {}, 'Suggestion: ', h('strong', {}, decideOptions.find((o) => o.id === suggestion.optionId)?.label ?? suggestion.optionId), suggestion.reasonCode ? ` — ${reasonLabel(view, suggestion.reasonCode)}` : '', h('span', { class: 'muted small' }, ` (${percent(suggestion.support)} of the weight of ${suggestion.basedOn} similar case${suggestion.basedOn === 1 ? '' : 's'})`)),
                mayDecide ? h('button', { type: 'button', 'aria-keyshortcuts': 's', onclick: () => acceptSuggestion() }, 'Use suggestion ', h('kbd', { 'aria-hidden': 'true' }, 'S')) : null,
              )
            : null,
          h(
            'ol',
            { class: 'precedents' },
            view.precedents.map((x) => h('li', {}, h('span', { class: 'chip' }, `${percent(x.similarity)} similar`), ' ', h('strong', {}, outcomeLabel(view, x.outcome)), x.reasonCode ? ` — ${reasonLabel(view, x.reasonCode)}` : '', h('span', { class: 'muted small' }, ` · ${x.label ?? ''} ${percent(x.confidence)} · by ${x.decidedBy} · ${displayValue(x.decidedAt)}`), x.why?.length ? h('span', { class: 'muted small why', 'data-why': '' }, h('br'), `Why similar: ${x.why.join('; ')}`) : null)),
          ),
        );

  // ── Decision ─────────────────────────────────────────────────────────────────────────────────
  let selected: DecisionOption | undefined;
  let busy = false;
  const optionButtons = new Map<string, HTMLButtonElement>();
  const reasonsBox = h('fieldset', { class: 'reasons', hidden: true });
  const approvalBox = approvalInputs(view.options.approval ?? {});
  const whatId = uid('what');
  const what = h('textarea', { id: whatId, name: 'what', rows: 2, maxlength: 2000, placeholder: 'e.g. a close-up of the rear seat in daylight' });
  const whatField = h('div', { class: 'field', hidden: true }, h('label', { for: whatId }, 'What is needed from the crew'), what);
  const notesId = uid('notes');
  const notes = h('textarea', { id: notesId, name: 'notes', rows: 2, maxlength: 4000 });
  const formError = h('p', { class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Choose an option');

  const renderReasons = (): void => {
    if (!selected) {
      reasonsBox.hidden = true;
      return;
    }
    const reasons = reasonsFor(selected, view.options.reasonCodes);
    const name = uid('reason');
    replace(
      reasonsBox,
      h('legend', {}, `Reason code${selected.requiresReason || selected.kind === 'request-evidence' ? ' (required)' : ' (optional)'}`),
      reasons.map((r, i) => {
        const id = `${name}-${i}`;
        return h('div', { class: 'radio' }, h('input', { type: 'radio', id, name: 'reason', value: r.code, 'aria-keyshortcuts': i < 9 ? String(i + 1) : undefined }), h('label', { for: id }, i < 9 ? h('kbd', { 'aria-hidden': 'true' }, String(i + 1)) : null, ` ${r.label}`, h('span', { class: 'muted small' }, ` ${r.code}`)));
      }),
    );
    reasonsBox.hidden = reasons.length === 0;
  };
  const chosenReason = (): string | undefined => (reasonsBox.querySelector('input[name="reason"]:checked') as HTMLInputElement | null)?.value;
  const select = (option: DecisionOption | undefined, focus = true): void => {
    selected = option;
    for (const [id, b] of optionButtons) b.setAttribute('aria-pressed', String(id === option?.id));
    renderReasons();
    approvalBox.show(option?.kind === 'decide' ? option.inputs : undefined);
    whatField.hidden = option?.kind !== 'request-evidence';
    confirm.disabled = !option;
    confirm.textContent = option ? `Confirm: ${option.label}` : 'Choose an option';
    if (option) confirm.append(' ', h('kbd', { 'aria-hidden': 'true' }, '⏎'));
    formError.textContent = '';
    if (!focus || !option) return;
    if (option.kind === 'request-evidence') what.focus();
    else (reasonsBox.querySelector('input') as HTMLInputElement | null)?.focus() ?? confirm.focus();
  };
  const pickReason = (code: string | undefined): void => {
    const input = code ? (reasonsBox.querySelector(`input[value="${CSS.escape(code)}"]`) as HTMLInputElement | null) : null;
    if (input) {
      input.checked = true;
      input.focus();
    }
  };
  const acceptSuggestion = (): void => {
    if (!suggestion || !mayDecide) return;
    select(decideOptions.find((o) => o.id === suggestion.optionId), false);
    pickReason(suggestion.reasonCode);
    confirm.focus();
    app.toast('Suggestion filled in — press Enter to confirm.', 'info');
  };

  const submit = async (startedAt: number): Promise<void> => {
    if (!selected || busy) return;
    const reasonCode = chosenReason();
    if ((selected.requiresReason || selected.kind === 'request-evidence') && !reasonCode && reasonsFor(selected, view.options.reasonCodes).length > 0) {
      formError.textContent = 'Pick a reason code first (press its number).';
      (reasonsBox.querySelector('input') as HTMLInputElement | null)?.focus();
      return;
    }
    if (selected.kind === 'request-evidence' && what.value.trim() === '') {
      formError.textContent = 'Say what the crew should send.';
      what.focus();
      return;
    }
    const { approval, missing } = approvalBox.read();
    if (selected.kind === 'decide' && missing.length) {
      formError.textContent = `Fill in: ${missing.join(', ')}.`;
      approvalBox.focusFirst();
      return;
    }
    busy = true;
    confirm.disabled = true;
    confirm.textContent = 'Saving…';
    const option = selected;
    const sent = option.kind === 'request-evidence'
      ? app.api.post(`/cases/${enc(view.caseId)}/evidence-request`, { what: what.value.trim(), reasonCode }).then(() => `Asked the crew for more evidence on ${view.subject.id}.`)
      : app.api.post<{ outcome: string; override: boolean; pending?: { undoUntil: string } }>(`/cases/${enc(view.caseId)}/decision`, { optionId: option.id, ...(reasonCode ? { reasonCode } : {}), ...(notes.value.trim() ? { notes: notes.value.trim() } : {}), ...(approval ? { approval } : {}) }).then((result) => {
          const message = `${option.label}: ${outcomeLabel(view, result.outcome)}${result.override ? ' (overrides the model)' : ''} — ${view.subject.id}`;
          if (result.pending) offerUndoOf(app, view.caseId, queue, message, Date.parse(result.pending.undoUntil));
          return message;
        });
    app.next.track(sent);
    // The next case is already here: show it now and let the decision finish on its way (a failure
    // says so, naming the case, on whatever the reviewer is looking at).
    const next = queue && app.can.work ? await app.next.take(queue) : undefined;
    if (next) {
      (app as App & { pendingTransition?: number }).pendingTransition = startedAt;
      app.navigate(`#/case/${enc(next.caseId)}?queue=${enc(next.queue)}`);
      sent.then(
        (message) => app.toast(message, 'ok'),
        (error: unknown) => app.toast(`Not saved for ${view.subject.id} (case ${view.caseId}): ${error instanceof ApiError ? `${error.message} (${error.code})` : String(error)}`, 'error'),
      );
      return;
    }
    try {
      app.toast(await sent, 'ok');
      (app as App & { pendingTransition?: number }).pendingTransition = startedAt;
      if (queue && app.can.work) {
        const opened = await openNextCase(app, queue);
        if (!opened) app.navigate('#/queues');
      } else app.navigate('#/queues');
    } catch (error) {
      busy = false;
      select(selected, false);
      formError.textContent = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
    }
  };

  let decisionPanel: HTMLElement;
  if (item?.pendingDecision && item.pendingDecision.by === me) {
    const until = Date.parse(item.pendingDecision.undoUntil);
    decisionPanel = h(
      'section',
      { class: 'card', 'aria-labelledby': 'decide-title' },
      h('h2', { id: 'decide-title' }, 'Decision pending'),
      h('p', {}, `Your decision waits in its undo window until ${new Date(until).toLocaleTimeString('en-GB')}; then it is committed and published.`),
      until > Date.now()
        ? h('button', { type: 'button', class: 'primary', onclick: () => void undoDecision(app, view.caseId, queue).catch((error: unknown) => app.toast(error instanceof ApiError ? error.message : String(error), 'error')) }, 'Undo this decision')
        : null,
    );
  } else if (decided && view.decision) {
    decisionPanel = h('section', { class: 'card decided', 'aria-labelledby': 'decide-title' }, h('h2', { id: 'decide-title' }, 'Decided'), h('p', {}, h('strong', {}, outcomeLabel(view, view.decision.outcome)), view.decision.reasonCode ? ` — ${reasonLabel(view, view.decision.reasonCode)}` : '', h('span', { class: 'muted small' }, ` · by ${view.decision.decidedBy.kind} · ${displayValue(view.decision.decidedAt)}`)), view.decision.approval ? approvalSummary(view.options.approval ?? {}, view.decision.approval) : null, view.revision ? h('p', { class: 'revision' }, h('strong', {}, `Revised on adjudication: ${outcomeLabel(view, view.revision.outcome)}`), view.revision.reasonCode ? ` — ${reasonLabel(view, view.revision.reasonCode)}` : '', h('span', { class: 'muted small' }, ` · by ${view.revision.revisedBy.id} · ${displayValue(view.revision.revisedAt)} (was ${outcomeLabel(view, view.revision.previousOutcome)})`)) : null);
  } else if (!app.can.decide) {
    decisionPanel = h('section', { class: 'card', 'aria-labelledby': 'decide-title' }, h('h2', { id: 'decide-title' }, 'Decision'), h('p', {}, 'Your roles can read this case but not decide it.'));
  } else if (!mayDecide) {
    const claimable = item && (item.status === 'open' || (item.status === 'claimed' && item.claim && Date.parse(item.claim.leaseUntil) < Date.now()));
    decisionPanel = h(
      'section',
      { class: 'card', 'aria-labelledby': 'decide-title' },
      h('h2', { id: 'decide-title' }, 'Decision'),
      h('p', {}, item?.status === 'awaiting-evidence' ? 'Waiting for the crew’s evidence; the case returns to the queue when it arrives.' : item?.status === 'claimed' ? `${item.claim?.reviewerId ?? 'Someone'} is working on this case.` : 'Claim the case to decide it.'),
      claimable
        ? h(
            'button',
            {
              type: 'button',
              class: 'primary',
              onclick: async () => {
                try {
                  await app.api.post(`/items/${enc(item.itemId)}/claim`);
                  app.navigate(`#/case/${enc(view.caseId)}?queue=${enc(item.queue)}&r=${Date.now()}`);
                } catch (error) {
                  app.toast(error instanceof ApiError ? error.message : String(error), 'error');
                }
              },
            },
            'Claim this case',
          )
        : null,
    );
  } else {
    const optionsGroup = h(
      'div',
      { class: 'options', role: 'group', 'aria-label': 'Decision options' },
      decideOptions.map((o) => {
        const b = h('button', { type: 'button', class: `option option-${o.kind}`, 'aria-pressed': 'false', 'aria-keyshortcuts': o.shortcut, 'data-option': o.id, onclick: () => select(o) }, o.shortcut ? h('kbd', { 'aria-hidden': 'true' }, o.shortcut.toUpperCase()) : null, ` ${o.label}`);
        optionButtons.set(o.id, b);
        return b;
      }),
    );
    decisionPanel = h(
      'form',
      { class: 'card decide', 'aria-labelledby': 'decide-title', onsubmit: (e: Event) => { e.preventDefault(); void submit(performance.now()); } },
      h('h2', { id: 'decide-title' }, item?.purpose === 'adjudication' ? 'Adjudication' : 'Decision'),
      item?.disagreement
        ? h('p', { class: 'adjudication small' }, `The double review disagreed: ${item.disagreement.first.reviewerId} decided ${outcomeLabel(view, item.disagreement.first.outcome)}, ${item.disagreement.second.reviewerId} said ${outcomeLabel(view, item.disagreement.second.outcome)}. Your outcome settles the case; if it differs from the published decision, the decision is revised.`)
        : null,
      optionsGroup,
      reasonsBox,
      approvalBox.element,
      whatField,
      h('div', { class: 'field' }, h('label', { for: notesId }, 'Notes ', h('span', { class: 'muted small' }, '(internal, never leave Arbiter)')), notes),
      formError,
      h('div', { class: 'form-actions' }, confirm, item && mine ? h('button', { type: 'button', class: 'ghost', onclick: () => void release() }, 'Release and go back') : null),
    );
  }
  const release = async (): Promise<void> => {
    if (!item) return;
    try {
      await app.api.post(`/items/${enc(item.itemId)}/release`);
      app.toast('Released; the case is back in the queue.', 'info');
    } catch (error) {
      app.toast(error instanceof ApiError ? error.message : String(error), 'error');
    }
    app.navigate('#/queues');
  };

  replace(
    app.main,
    h(
      'article',
      { class: 'case', 'aria-labelledby': 'case-title', 'data-case-id': view.caseId },
      header,
      h('div', { class: 'case-grid' }, h('div', { class: 'case-main' }, left), h('aside', { class: 'case-side', 'aria-label': 'Assessment and decision' }, decisionPanel, assessment, precedents, context)),
    ),
  );

  // ── Keyboard ────────────────────────────────────────────────────────────────────────────────
  app.shortcuts = [
    ...(mayDecide ? decideOptions.filter((o) => o.shortcut).map((o) => ({ keys: (o.shortcut as string).toUpperCase(), does: o.label })) : []),
    ...(mayDecide ? [{ keys: '1 … 9', does: 'Pick a reason code' }, { keys: 'Enter', does: 'Confirm the decision (Ctrl+Enter from a text field)' }] : []),
    ...(mayDecide && suggestion ? [{ keys: 'S', does: 'Use the suggestion from similar cases' }] : []),
    ...(app.prefs.blur || app.prefs.greyscale ? [{ keys: 'U', does: 'Show the photos clearly (comfort settings blur or grey them)' }] : []),
    ...(view.evidence.length ? [{ keys: 'G', does: 'Show or hide the model’s regions' }, { keys: '+ − 0', does: 'Zoom both photos in, out, back (or click a photo)' }, { keys: 'Shift+arrows', does: 'Pan both zoomed photos' }, { keys: 'F', does: 'Full-screen compare: 1 side by side, 2 swipe, 3 overlay, ←/→ divider' }] : []),
  ];
  app.onKey = (event) => {
    const typing = isTyping(event.target);
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && selected) {
      void submit(performance.now());
      return true;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return false;
    if (event.key === 'Escape') {
      if (typing) (event.target as HTMLElement).blur();
      else select(undefined);
      return true;
    }
    if (typing) return false;
    if (event.key === 'Enter' && selected && !(event.target instanceof HTMLButtonElement || event.target instanceof HTMLAnchorElement || (event.target as Element).tagName === 'SUMMARY')) {
      void submit(performance.now());
      return true;
    }
    if (event.key.toLowerCase() === 'g' && view.evidence.length) {
      toggleRegions();
      return true;
    }
    if (view.evidence.length && event.key.toLowerCase() === 'f' && !event.shiftKey) return compare();
    if (event.key.toLowerCase() === 'u' && (app.prefs.blur || app.prefs.greyscale)) {
      app.main.querySelector('article.case')?.classList.toggle('revealed');
      return true;
    }
    const zoom = zooms[activeRow];
    if (zoom && zoomKey(zoom, event)) return true;
    if (!mayDecide) return false;
    if (event.key.toLowerCase() === 's' && suggestion) {
      acceptSuggestion();
      return true;
    }
    const option = optionForKey(decideOptions, event.key);
    if (option) {
      select(option);
      return true;
    }
    if (/^[1-9]$/.test(event.key) && selected) {
      const input = reasonsBox.querySelectorAll<HTMLInputElement>('input[name="reason"]')[Number(event.key) - 1];
      if (input) {
        input.checked = true;
        input.focus();
        return true;
      }
    }
    return false;
  };

  // Measure: the previous decision's key press → this case on screen with its photos painted.
  const pending = (app as App & { pendingTransition?: number }).pendingTransition;
  delete (app as App & { pendingTransition?: number }).pendingTransition;
  if (pending !== undefined) {
    void photosPainted(app.main).then(() => {
      const ms = Math.round(performance.now() - pending);
      app.metrics.lastTransitionMs = ms;
      app.metrics.transitions.push(ms);
      app.metrics.preloaded.push(!!ahead);
    });
  }
  // While the reviewer works on this case, claim and load the next one.
  if (mayDecide && mine && item && queue && app.can.work) app.next.prepare(queue, [item.itemId]);
  // The compare is reachable by address too: #/case/<id>?compare=side|swipe|overlay.
  if (compareMode === 'side' || compareMode === 'swipe' || compareMode === 'overlay') compare(compareMode);
  const firstOption = decisionPanel.querySelector<HTMLElement>('.option, button.primary');
  (firstOption ?? (document.getElementById('case-title') as HTMLElement | null))?.focus?.();
}

/** Resolves after the photos in `root` have loaded (or failed) and the frame showing them was painted. */
async function photosPainted(root: HTMLElement): Promise<void> {
  const imgs = [...root.querySelectorAll<HTMLImageElement>('figure.evidence img')];
  await Promise.all(
    imgs.map((img) =>
      img.complete && img.getAttribute('src')
        ? undefined
        : new Promise<void>((resolve) => {
            img.addEventListener('load', () => resolve(), { once: true });
            img.addEventListener('error', () => resolve(), { once: true });
          }),
    ),
  );
  // A task queued from the frame callback runs after that frame is painted.
  await new Promise<void>((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    }),
  );
}

/** Undoes the caller's pending decision on a case and opens the case again (it is still theirs). */
async function undoDecision(app: App, caseId: string, queue: string | undefined): Promise<void> {
  await app.api.post(`/cases/${enc(caseId)}/decision/undo`);
  app.toast('Undone: nothing was decided or published. The case is yours again.', 'ok');
  app.navigate(`#/case/${enc(caseId)}?${new URLSearchParams({ ...(queue ? { queue } : {}), r: String(Date.now()) }).toString()}`);
}

function offerUndoOf(app: App, caseId: string, queue: string | undefined, message: string, until: number): void {
  app.offerUndo(message, until, () => undoDecision(app, caseId, queue));
}
