/** The model's regions: normalised boxes (0–1 of the image's width and height) drawn over a photo. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
  score?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const pct = (v: number): number => Math.round(v * 100_000) / 1000;

/** Regions as percentages of the image, clipped to it; malformed entries dropped. */
export function regionBoxes(regions: readonly unknown[] | undefined): Array<Region & { key: string }> {
  const out: Array<Region & { key: string }> = [];
  (regions ?? []).forEach((raw, index) => {
    if (!raw || typeof raw !== 'object') return;
    const r = raw as Record<string, unknown>;
    const x = num(r.x);
    const y = num(r.y);
    const width = num(r.width);
    const height = num(r.height);
    if (x === undefined || y === undefined || width === undefined || height === undefined || width <= 0 || height <= 0) return;
    const x0 = clamp01(x);
    const y0 = clamp01(y);
    const x1 = clamp01(x + width);
    const y1 = clamp01(y + height);
    if (x1 <= x0 || y1 <= y0) return;
    out.push({
      key: `r${index}`,
      x: pct(x0),
      y: pct(y0),
      width: pct(x1 - x0),
      height: pct(y1 - y0),
      ...(typeof r.label === 'string' ? { label: r.label } : {}),
      ...(num(r.score) !== undefined ? { score: num(r.score) as number } : {}),
    });
  });
  return out;
}

export interface EvidenceLike {
  index: number;
  role?: string;
  source?: string;
}

/**
 * Baseline and return photos side by side: the i-th baseline next to the i-th return; anything else
 * (crew photos with other roles) after them, one per row.
 */
export function pairEvidence<T extends EvidenceLike>(evidence: readonly T[]): Array<{ baseline?: T; other?: T }> {
  const baselines = evidence.filter((e) => e.role === 'baseline' || e.role === 'before');
  const rest = evidence.filter((e) => !baselines.includes(e));
  const returns = rest.filter((e) => e.role === 'return' || e.role === 'after');
  const others = rest.filter((e) => !returns.includes(e));
  const rows: Array<{ baseline?: T; other?: T }> = [];
  for (let i = 0; i < Math.max(baselines.length, returns.length); i += 1) {
    const b = baselines[i];
    const r = returns[i];
    rows.push({ ...(b ? { baseline: b } : {}), ...(r ? { other: r } : {}) });
  }
  for (const o of others) rows.push({ other: o });
  return rows;
}

/** Regions are the model's findings on the photos it judged: every photo that is not a baseline. */
export const showsRegions = (e: EvidenceLike): boolean => e.role !== 'baseline' && e.role !== 'before';
