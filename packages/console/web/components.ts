/** Pieces the case and batch views share: photos with the model's regions, chips, the confidence bar. */
import type { Api } from './api';
import { h, svg } from './dom';
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
export function evidenceFigure(api: Api, view: CaseView, e: Evidence, options: { regions: boolean; compact?: boolean }): HTMLElement {
  const boxes = options.regions && showsRegions(e) ? regionBoxes(view.prediction.regions) : [];
  const img = h('img', { alt: `${roleTitle(e)} photo of ${view.subject.type} ${view.subject.id}`, decoding: 'async', draggable: 'false' });
  const frame = h('div', { class: 'photo loading' }, img);
  if (boxes.length > 0) {
    frame.appendChild(
      svg(
        'svg',
        { class: 'regions', viewBox: '0 0 100 100', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
        boxes.map((b) => svg('rect', { x: b.x, y: b.y, width: b.width, height: b.height, rx: 0.6, 'vector-effect': 'non-scaling-stroke' })),
      ),
    );
    for (const b of boxes) {
      frame.appendChild(h('span', { class: 'region-label', 'data-x': b.x, 'data-y': b.y, 'aria-hidden': 'true' }, `${b.label ?? 'region'}${b.score !== undefined ? ` ${percent(b.score)}` : ''}`));
    }
  }
  const caption = h(
    'figcaption',
    {},
    h('strong', {}, roleTitle(e)),
    boxes.length > 0 ? h('span', { class: 'muted' }, ` · ${boxes.length} region${boxes.length === 1 ? '' : 's'}: ${boxes.map((b) => `${b.label ?? 'region'}${b.score !== undefined ? ` ${percent(b.score)}` : ''}`).join(', ')}`) : null,
  );
  const figure = h('figure', { class: `evidence${options.compact ? ' compact' : ''}`, 'data-evidence-index': e.index, 'data-role': e.role ?? '' }, frame, caption);
  void api
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
