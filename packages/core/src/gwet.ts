/**
 * Gwet's AC1 for two raters, beside Cohen's κ, both with a confidence interval (pure).
 *
 * κ collapses on skewed labels: when nearly every verdict is "approve", chance agreement P_e is close
 * to 1 and a single disagreement sends κ to 0 or below, although the raters agree 98 % of the time.
 * AC1 takes chance agreement from how far the categories are from uniform instead:
 *
 *     π_k  = (n_A(k) + n_B(k)) / 2n                      mean share of category k
 *     P_e  = Σ_k π_k (1 − π_k) / (q − 1)                  q = number of categories of the scale
 *     AC1  = (P_a − P_e) / (1 − P_e)                      P_a = observed agreement
 *
 * Its variance (Gwet 2008, two raters, subjects a sample of an infinite population):
 *
 *     v = [ P_a(1 − P_a)
 *           − 4 (1 − AC1) ( Σ_k p_kk (1 − π_k) / (q − 1) − P_a P_e )
 *           + 4 (1 − AC1)² ( Σ_k Σ_l p_kl (1 − (π_k + π_l)/2)² / (q − 1)² − P_e² ) ] / (n (1 − P_e)²)
 *
 * κ's is the usual large-sample approximation √(P_o(1 − P_o) / (n (1 − P_e)²)). Intervals are
 * estimate ± z·SE (z = 1.96 for 95 %), clipped to [−1, 1]; with few subjects they are wide, which is
 * the point of showing them.
 */
import { cohensKappa, type AgreementFailure } from './agreement';
import { fail, ok, type Result } from './result';

export interface Interval {
  level: number;
  low: number;
  high: number;
  standardError: number;
}

export interface TwoRaterAgreement {
  subjects: number;
  /** The categories of the scale (q = their number). */
  categories: string[];
  observed: number;
  kappa: { value: number; expected: number; degenerate: boolean; interval: Interval };
  ac1: { value: number; expected: number; interval: Interval };
}

const Z: Record<string, number> = { '0.9': 1.6448536269514722, '0.95': 1.959963984540054, '0.99': 2.5758293035489004 };

const clip = (x: number): number => Math.max(-1, Math.min(1, x));
const interval = (estimate: number, standardError: number, level: number): Interval => {
  const z = Z[String(level)] ?? 1.959963984540054;
  return { level, low: clip(estimate - z * standardError), high: clip(estimate + z * standardError), standardError };
};

/**
 * κ and AC1 of paired verdicts `[raterA, raterB]`, with intervals at `level` (0.9, 0.95 or 0.99).
 * `scale`: the categories raters could choose (the policy's outcomes); categories seen in the pairs
 * are added, and q is at least 2.
 */
export function twoRaterAgreement(pairs: ReadonlyArray<readonly [string, string]>, scale: readonly string[] = [], level = 0.95): Result<TwoRaterAgreement, AgreementFailure> {
  const kappa = cohensKappa(pairs);
  if (!kappa.ok) return kappa;
  const n = pairs.length;
  const categories = [...new Set([...scale, ...pairs.flat()])];
  if (categories.length < 2) categories.push('(other)');
  const q = categories.length;
  const index = new Map(categories.map((c, i) => [c, i]));
  const p = categories.map(() => categories.map(() => 0));
  for (const [a, b] of pairs) {
    const row = p[index.get(a) as number] as number[];
    const col = index.get(b) as number;
    row[col] = (row[col] ?? 0) + 1 / n;
  }
  const pi = categories.map((_, k) => (categories.reduce((s, _c, l) => s + (p[k]?.[l] ?? 0) + (p[l]?.[k] ?? 0), 0)) / 2);
  const pa = categories.reduce((s, _c, k) => s + (p[k]?.[k] ?? 0), 0);
  const pe = pi.reduce((s, x) => s + x * (1 - x), 0) / (q - 1);
  if (!(pe < 1)) return fail({ code: 'AGREEMENT.EMPTY', message: 'chance agreement is 1: AC1 is undefined' });
  const ac1 = (pa - pe) / (1 - pe);
  let diagonal = 0;
  let cross = 0;
  for (let k = 0; k < q; k += 1) {
    diagonal += (p[k]?.[k] ?? 0) * (1 - (pi[k] ?? 0));
    for (let l = 0; l < q; l += 1) cross += (p[k]?.[l] ?? 0) * (1 - ((pi[k] ?? 0) + (pi[l] ?? 0)) / 2) ** 2;
  }
  const variance = Math.max(0, (pa * (1 - pa) - 4 * (1 - ac1) * (diagonal / (q - 1) - pa * pe) + 4 * (1 - ac1) ** 2 * (cross / (q - 1) ** 2 - pe ** 2)) / (n * (1 - pe) ** 2));
  const k = kappa.value;
  const kappaSe = k.degenerate ? 0 : Math.sqrt(Math.max(0, (k.observed * (1 - k.observed)) / (n * (1 - k.expected) ** 2)));
  return ok({
    subjects: n,
    categories,
    observed: pa,
    kappa: { value: k.kappa, expected: k.expected, degenerate: k.degenerate, interval: interval(k.kappa, kappaSe, level) },
    ac1: { value: ac1, expected: pe, interval: interval(ac1, Math.sqrt(variance), level) },
  });
}
