/**
 * Review priority (ADR-0016 §2: "priority rules, e.g. imminent next booking"; HITL-OPT "critical
 * paths: prioritized processing").
 *
 * score = base + Σ weight of every rule that holds; reasons are the labels of those rules, in rule
 * order. A rule holds when:
 * - `within`: the field is an ISO timestamp t and now ≤ t ≤ now + value (an ISO duration); a past
 *   timestamp is not "within".
 * - `gte` / `lte`: the field and the value are finite numbers and field ≥ / ≤ value.
 * - `eq`: the field is the same string, number or boolean as the value.
 * - `in`: the value is a list containing the field.
 * A missing field, or a field of the wrong type, never holds. A malformed `within` duration is a
 * configuration bug (see `validatePriority`) and throws `CoreConfigError`, field or no field.
 */
import { DateTime } from 'luxon';
import type { PriorityRule, PrioritySpec } from './policy';
import type { Failure } from './result';
import { getPath } from './paths';
import { validateDuration, wallDuration } from './durations';

export interface PriorityScore {
  score: number;
  reasons: string[];
  /**
   * The shortest `slaTarget` among the rules that hold (HITL-OPT critical path: `PT2H`), measured
   * from `now`; absent when no holding rule sets one. See `caseDueAt`.
   */
  slaTarget?: string;
}

type Primitive = string | number | boolean;
const isPrimitive = (v: unknown): v is Primitive => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

export function ruleHolds(rule: PriorityRule, subject: unknown, now: Date): boolean {
  const field = getPath(subject, rule.field);
  switch (rule.op) {
    case 'within': {
      // Parsed first, so a malformed duration fails whether or not the field is present.
      const horizon = wallDuration(typeof rule.value === 'string' ? rule.value : String(rule.value));
      if (typeof field !== 'string') return false;
      const at = DateTime.fromISO(field, { setZone: true });
      if (!at.isValid) return false;
      const from = now.getTime();
      const to = DateTime.fromJSDate(now, { zone: 'utc' }).plus(horizon).toMillis();
      return at.toMillis() >= from && at.toMillis() <= to;
    }
    case 'gte':
      return typeof field === 'number' && typeof rule.value === 'number' && Number.isFinite(field) && field >= rule.value;
    case 'lte':
      return typeof field === 'number' && typeof rule.value === 'number' && Number.isFinite(field) && field <= rule.value;
    case 'eq':
      return isPrimitive(field) && field === rule.value;
    case 'in':
      return isPrimitive(field) && Array.isArray(rule.value) && rule.value.includes(field);
  }
}

/** The priority of a case from its prediction (any object the rules' dotted paths point into). */
export function priorityScore(prediction: unknown, spec: PrioritySpec, now: Date): PriorityScore {
  let score = spec.base;
  const reasons: string[] = [];
  let slaTarget: { iso: string; until: number } | undefined;
  for (const rule of spec.rules) {
    if (ruleHolds(rule, prediction, now)) {
      score += rule.weight;
      reasons.push(rule.label);
      if (rule.slaTarget !== undefined) {
        const until = DateTime.fromJSDate(now, { zone: 'utc' }).plus(wallDuration(rule.slaTarget)).toMillis();
        if (slaTarget === undefined || until < slaTarget.until) slaTarget = { iso: rule.slaTarget, until };
      }
    }
  }
  return slaTarget === undefined ? { score, reasons } : { score, reasons, slaTarget: slaTarget.iso };
}

/** Every problem with a priority spec, as values (for the policy loader). */
export function validatePriority(spec: PrioritySpec): Failure[] {
  const problems: Failure[] = [];
  for (const rule of spec.rules) {
    const where = `priority rule ${rule.id}`;
    const value = rule.value;
    if (rule.slaTarget !== undefined) {
      const problem = validateDuration(rule.slaTarget, 'wall');
      if (problem !== undefined) problems.push({ code: 'PRIORITY.INVALID_RULE', message: `${where}: slaTarget (${problem.message})` });
    }
    if (rule.op === 'within') {
      const problem = typeof value === 'string' ? validateDuration(value, 'wall') : { code: 'DURATION.INVALID', message: 'not a string' };
      if (problem !== undefined) problems.push({ code: 'PRIORITY.INVALID_RULE', message: `${where}: within needs an ISO duration (${problem.message})` });
    } else if ((rule.op === 'gte' || rule.op === 'lte') && typeof value !== 'number') {
      problems.push({ code: 'PRIORITY.INVALID_RULE', message: `${where}: ${rule.op} needs a number` });
    } else if (rule.op === 'in' && !Array.isArray(value)) {
      problems.push({ code: 'PRIORITY.INVALID_RULE', message: `${where}: in needs a list` });
    } else if (rule.op === 'eq' && Array.isArray(value)) {
      problems.push({ code: 'PRIORITY.INVALID_RULE', message: `${where}: eq needs a single value` });
    }
  }
  return problems;
}

/**
 * When the priority of a case can next change by itself (pure): the earliest time after `now` at
 * which a `within` rule starts holding (the timestamp comes within its horizon) or stops holding (the
 * timestamp passes). Undefined when nothing time-dependent can change. Re-ranking looks at an item
 * only then — and at its SLA checks — so its cost grows with the items whose rank changes, never with
 * the whole queue.
 */
export function nextPriorityChangeAt(prediction: unknown, spec: PrioritySpec, now: Date): Date | undefined {
  const nowMs = now.getTime();
  let next: number | undefined;
  const consider = (at: number): void => {
    if (at > nowMs && (next === undefined || at < next)) next = at;
  };
  for (const rule of spec.rules) {
    if (rule.op !== 'within') continue;
    const field = getPath(prediction, rule.field);
    if (typeof field !== 'string') continue;
    const at = DateTime.fromISO(field, { setZone: true });
    if (!at.isValid) continue;
    const horizon = wallDuration(typeof rule.value === 'string' ? rule.value : String(rule.value));
    const t = at.toMillis();
    consider(DateTime.fromMillis(t, { zone: 'utc' }).minus(horizon).toMillis()); // comes within the horizon
    consider(t + 1); // passes
  }
  return next === undefined ? undefined : new Date(next);
}

/** What an item's priority gains once it nears its SLA (a reminder or escalation was sent). */
export const SLA_AT_RISK_WEIGHT = 40;
export const SLA_AT_RISK_REASON = 'Nearing its SLA';

/**
 * The priority of a queued case now (pure; every writer of a queue item's priority calls it): the
 * policy's rules at `now`, plus `SLA_AT_RISK_WEIGHT` once the case nears its SLA.
 */
export function currentPriority(prediction: unknown, spec: PrioritySpec, now: Date, slaAtRisk: boolean): PriorityScore {
  const scored = priorityScore(prediction, spec, now);
  return slaAtRisk ? { ...scored, score: scored.score + SLA_AT_RISK_WEIGHT, reasons: [...scored.reasons, SLA_AT_RISK_REASON] } : scored;
}
