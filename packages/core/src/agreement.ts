/**
 * Reviewer agreement (ADR-0016 success metric "reviewer agreement ≥ κ 0.8 on sampled cases").
 *
 * Cohen's κ for two raters, Fleiss' κ for a fixed number of raters per subject:
 *
 *     κ = (P_o − P_e) / (1 − P_e)
 *
 * Degenerate case: when P_e = 1 — every rating in the whole input is the same single category —
 * κ is 0/0. We define κ = 1 there (the raters agree on everything, and nothing could disagree) and
 * set `degenerate: true` so that a dashboard can show "not informative" instead of a perfect score.
 * Empty input, or (Fleiss) subjects with different numbers of raters or fewer than two, are error
 * values.
 */
import { fail, ok, type Result } from './result';

export interface Agreement {
  kappa: number;
  /** Observed agreement P_o (Fleiss: P̄). */
  observed: number;
  /** Agreement expected by chance P_e (Fleiss: P̄_e). */
  expected: number;
  /** Number of subjects (items). */
  subjects: number;
  /** P_e = 1: every rating is one category; κ is defined as 1. */
  degenerate: boolean;
}

export type AgreementErrorCode = 'AGREEMENT.EMPTY' | 'AGREEMENT.UNEQUAL_RATERS' | 'AGREEMENT.TOO_FEW_RATERS' | 'AGREEMENT.INVALID_COUNT';

export interface AgreementFailure {
  code: AgreementErrorCode;
  message: string;
}

const kappaOf = (observed: number, expected: number, subjects: number): Agreement => {
  // Compare with a tolerance: P_e is a sum of squares of shares and may miss 1 by an ulp.
  const degenerate = Math.abs(1 - expected) < 1e-12;
  return { kappa: degenerate ? 1 : (observed - expected) / (1 - expected), observed, expected, subjects, degenerate };
};

/** Cohen's κ over (rater A, rater B) category pairs, one per subject. */
export function cohensKappa(pairs: ReadonlyArray<readonly [string, string]>): Result<Agreement, AgreementFailure> {
  const n = pairs.length;
  if (n === 0) return fail({ code: 'AGREEMENT.EMPTY', message: 'no rated pairs' });
  const a = new Map<string, number>();
  const b = new Map<string, number>();
  let agreed = 0;
  for (const [x, y] of pairs) {
    if (x === y) agreed += 1;
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
  }
  let expected = 0;
  for (const [category, countA] of a) expected += (countA / n) * ((b.get(category) ?? 0) / n);
  return ok(kappaOf(agreed / n, expected, n));
}

/**
 * Fleiss' κ from a subjects × categories matrix of counts: `counts[i][j]` raters put subject i in
 * category j. Every row must sum to the same number of raters, at least 2.
 */
export function fleissKappaFromCounts(counts: ReadonlyArray<readonly number[]>): Result<Agreement, AgreementFailure> {
  const subjects = counts.length;
  if (subjects === 0) return fail({ code: 'AGREEMENT.EMPTY', message: 'no rated subjects' });
  if (counts.some((row) => row.some((c) => !Number.isInteger(c) || c < 0))) {
    return fail({ code: 'AGREEMENT.INVALID_COUNT', message: 'counts must be non-negative integers' });
  }
  const raters = counts.map((row) => row.reduce((s, c) => s + c, 0));
  const n = raters[0] ?? 0;
  if (raters.some((r) => r !== n)) {
    return fail({ code: 'AGREEMENT.UNEQUAL_RATERS', message: `every subject needs the same number of raters (found ${[...new Set(raters)].join(', ')})` });
  }
  if (n < 2) return fail({ code: 'AGREEMENT.TOO_FEW_RATERS', message: 'each subject needs at least two ratings' });
  const categories = Math.max(...counts.map((row) => row.length));
  let observedSum = 0;
  const totals = new Array<number>(categories).fill(0);
  for (const row of counts) {
    let pairsAgreeing = 0;
    row.forEach((c, j) => {
      pairsAgreeing += c * (c - 1);
      totals[j] = (totals[j] ?? 0) + c;
    });
    observedSum += pairsAgreeing / (n * (n - 1));
  }
  const expected = totals.reduce((s, t) => s + (t / (subjects * n)) ** 2, 0);
  return ok(kappaOf(observedSum / subjects, expected, subjects));
}

/** Fleiss' κ from each subject's list of category labels (one per rater; the same count for every subject). */
export function fleissKappa(ratings: ReadonlyArray<readonly string[]>): Result<Agreement, AgreementFailure> {
  const categories = [...new Set(ratings.flat())].sort();
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = ratings.map((labels) => {
    const row = new Array<number>(categories.length).fill(0);
    for (const label of labels) {
      const j = index.get(label) ?? 0;
      row[j] = (row[j] ?? 0) + 1;
    }
    return row;
  });
  return fleissKappaFromCounts(counts);
}
