/** Pieces the case and batch views share: photos with the model's regions, chips, the confidence bar. */
import type { Api } from './api';
import { h, replace, svg, uid } from './dom';
import { approvalBody, INPUT_LABELS, type ApprovalForm, type ApprovalRecord, type ApprovalSpec, type OptionInputs } from './lib/approval';
import { percent } from './lib/format';
import { regionBoxes, showsRegions } from './lib/regions';
import type { CaseView, Evidence, EvidenceLink } from './types';

const roleTitle = (e: Evidence): string => {
  const role = e.role ?? 'photo';
  const name = role === 'baseline' || role === 'before' ? 'Baseline' : role === 'return' || role === 'after' ? 'Return' : role.charAt(0).toUpperCase() + role.slice(1);
  return e.source === 'crew' ? `${name} (crew${e.submittedBy ? `, ${e.submittedBy}` : ''})` : name;
};

/**
 * One photo. The browser never sees the bucket URI: it asks the API for the evidence (which records
 * `arbiter.evidence.accessed.v1`) and loads the short-lived URL it returns.
 */
export function evidenceFigure(api: Api, view: CaseView, e: Evidence, options: { regions: boolean; compact?: boolean; preloaded?: HTMLImageElement }): HTMLElement {
  const boxes = options.regions && showsRegions(e) ? regionBoxes(view.prediction.regions) : [];
  const alt = `${roleTitle(e)} photo of ${view.subject.type} ${view.subject.id}`;
  // A photo fetched and decoded ahead (the next case) goes in as it is: no request, no decode.
  const preloaded = options.preloaded?.complete && options.preloaded.naturalWidth > 0 ? options.preloaded : undefined;
  const img = preloaded ?? h('img', { alt, decoding: 'async', draggable: 'false' });
  if (preloaded) {
    img.alt = alt;
    img.draggable = false;
  }
  // Photo, regions and labels in one layer: zoom and pan move them together (inspect.ts).
  const layer = h('div', { class: 'zoom-layer' }, img);
  const frame = h('div', { class: preloaded ? 'photo' : 'photo loading' }, layer);
  if (boxes.length > 0) {
    layer.appendChild(
      svg(
        'svg',
        { class: 'regions', viewBox: '0 0 100 100', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
        boxes.map((b) => svg('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: 0.6, 'vector-effect': 'non-scaling-stroke' })),
      ),
    );
    for (const b of boxes) {
      layer.appendChild(h('span', { class: 'region-label', 'data-x': b.x, 'data-y': b.y, 'aria-hidden': 'true' }, `${b.label ?? 'region'}${b.score !== undefined ? ` ${percent(b.score)}` : ''}`));
    }
  }
  const caption = h(
    'figcaption',
    {},
    h('strong', {}, roleTitle(e)),
    boxes.length > 0 ? h('span', { class: 'muted' }, ` · ${boxes.length} region${boxes.length === 1 ? '' : 's'}: ${boxes.map((b) => `${b.label ?? 'region'}${b.score !== undefined ? ` ${percent(b.score)}` : ''}`).join(', ')}`) : null,
  );
  const figure = h('figure', { class: `evidence${options.compact ? ' compact' : ''}`, 'data-evidence-index': e.index, 'data-role': e.role ?? '' }, frame, caption);
  if (!preloaded) void api
    .get<EvidenceLink>(e.href.replace(/^\/api/, ''))
    .then((link) => {
      img.addEventListener('load', () => frame.classList.remove('loading'), { once: true });
      img.addEventListener('error', () => frame.classList.replace('loading', 'failed'), { once: true });
      img.src = link.url;
    })
    .catch(() => frame.classList.replace('loading', 'failed'));
  // Labels sit at their box's top-left corner (positioned through the CSSOM: the CSP forbids inline style attributes).
  for (const label of frame.querySelectorAll<HTMLElement>('.region-label')) {
    label.style.left = `${label.dataset.x}%`;
    label.style.top = `${label.dataset.y}%`;
  }
  return figure;
}

export const bandChip = (band: string | undefined): HTMLElement | null => (band ? h('span', { class: `chip band-${band}` }, `${band} band`) : null);

/** Confidence against the thresholds: a bar with the low and high marks and the case's position. */
export function confidenceBar(view: CaseView): HTMLElement | null {
  const c = view.prediction.confidence;
  const t = view.prediction.thresholds;
  if (c === undefined) return null;
  const bar = h('div', {
    class: 'confbar',
    role: 'img',
    'aria-label': `Confidence ${percent(c, 1)}${t ? `; thresholds: low ${percent(t.low)}, high ${percent(t.high)}` : ''}`,
  });
  const mark = (cls: string, at: number, text?: string) => {
    const el = h('span', { class: cls, 'aria-hidden': 'true' }, text ?? '');
    el.style.left = `${Math.min(100, Math.max(0, at * 100))}%`;
    return el;
  };
  if (t) {
    const low = h('span', { class: 'zone zone-low' });
    low.style.width = `${t.low * 100}%`;
    const mid = h('span', { class: 'zone zone-medium' });
    mid.style.left = `${t.low * 100}%`;
    mid.style.width = `${(t.high - t.low) * 100}%`;
    const high = h('span', { class: 'zone zone-high' });
    high.style.left = `${t.high * 100}%`;
    high.style.width = `${(1 - t.high) * 100}%`;
    bar.append(low, mid, high, mark('tick', t.low, percent(t.low)), mark('tick', t.high, percent(t.high)));
  }
  bar.append(mark('needle', c));
  return bar;
}

export const outcomeLabel = (view: CaseView, outcome: string | undefined): string => (outcome ? view.options.outcomes.find((o) => o.id === outcome)?.label ?? outcome : '—');
export const reasonLabel = (view: CaseView, code: string | undefined): string | undefined => (code ? view.options.reasonCodes.find((r) => r.code === code)?.label ?? code : undefined);

/**
 * The approval inputs an option asks for (checklist, modifications, rollback plan, conditions), as a
 * fieldset that is re-rendered when the option changes; `read` gives the `approval` body and what is
 * still missing. Recorded inputs go downstream in decision.made.v2 (notes do not).
 */
export function approvalInputs(spec: ApprovalSpec): { element: HTMLElement; show: (inputs: OptionInputs | undefined) => void; read: () => { approval?: ApprovalRecord; missing: string[] }; focusFirst: () => void } {
  const element = h('fieldset', { class: 'approval-inputs', hidden: true });
  let current: OptionInputs | undefined;
  const form: ApprovalForm = { checklist: {}, modifications: '', rollbackPlan: '', conditions: [] };
  const mark = (need: 'required' | 'optional'): HTMLElement => h('span', { class: 'muted small' }, need === 'required' ? ' (required)' : ' (optional)');
  const show = (inputs: OptionInputs | undefined): void => {
    current = inputs;
    const parts: HTMLElement[] = [];
    if (inputs?.checklist && spec.checklist?.length) {
      const name = uid('check');
      parts.push(
        h('div', { class: 'field checklist', 'data-input': 'checklist' }, h('p', { class: 'label' }, INPUT_LABELS.checklist, mark(inputs.checklist)),
          spec.checklist.map((item, i) => h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `${name}-${i}`, 'data-item': item.id, checked: form.checklist[item.id] === true, onchange: (e: Event) => { form.checklist[item.id] = (e.target as HTMLInputElement).checked; } }), h('label', { for: `${name}-${i}` }, ` ${item.label}`)))),
      );
    }
    for (const k of ['modifications', 'rollbackPlan'] as const) {
      const need = inputs?.[k];
      if (!need) continue;
      const id = uid(k);
      parts.push(h('div', { class: 'field', 'data-input': k }, h('label', { for: id }, INPUT_LABELS[k], mark(need)), h('textarea', { id, name: k, rows: 3, maxlength: 4000, oninput: (e: Event) => { form[k] = (e.target as HTMLTextAreaElement).value; } }, form[k])));
    }
    if (inputs?.conditions && spec.conditions?.length) {
      const name = uid('cond');
      parts.push(
        h('div', { class: 'field conditions', 'data-input': 'conditions' }, h('p', { class: 'label' }, INPUT_LABELS.conditions, mark(inputs.conditions)),
          spec.conditions.map((c, i) => h('div', { class: 'check' }, h('input', { type: 'checkbox', id: `${name}-${i}`, 'data-condition': c.code, checked: form.conditions.includes(c.code), onchange: (e: Event) => { form.conditions = (e.target as HTMLInputElement).checked ? [...form.conditions.filter((x) => x !== c.code), c.code] : form.conditions.filter((x) => x !== c.code); } }), h('label', { for: `${name}-${i}` }, ` ${c.label}`, h('span', { class: 'muted small' }, ` ${c.code}`))))),
      );
    }
    replace(element, parts.length ? h('legend', {}, 'Approval record ', h('span', { class: 'muted small' }, '(sent to the implementing team)')) : null, parts);
    element.hidden = parts.length === 0;
  };
  return {
    element,
    show,
    read: () => approvalBody(current, spec, form),
    focusFirst: () => (element.querySelector('input, textarea') as HTMLElement | null)?.focus(),
  };
}

/** A recorded approval, read-only (the decided panel). */
export function approvalSummary(spec: ApprovalSpec, approval: ApprovalRecord): HTMLElement {
  const label = (id: string): string => spec.checklist?.find((i) => i.id === id)?.label ?? id;
  return h(
    'dl',
    { class: 'kv small approval-record' },
    approval.checklist ? [h('dt', {}, INPUT_LABELS.checklist), h('dd', {}, h('ul', {}, Object.entries(approval.checklist).map(([id, ticked]) => h('li', {}, `${ticked ? '☑' : '☐'} ${label(id)}`))))] : null,
    approval.modifications ? [h('dt', {}, INPUT_LABELS.modifications), h('dd', {}, approval.modifications)] : null,
    approval.rollbackPlan ? [h('dt', {}, INPUT_LABELS.rollbackPlan), h('dd', {}, approval.rollbackPlan)] : null,
    approval.conditions ? [h('dt', {}, INPUT_LABELS.conditions), h('dd', {}, approval.conditions.join(', '))] : null,
  );
}
