/**
 * The escalation plan of one open case (ADR-0016 §2: "auto-reminder and escalation if nearing SLA …
 * off-hours escalation to on-call"; CONTRACT `arbiter.sla.escalated.v1`).
 *
 * Levels and when they are due:
 * - `reminder` (reason `nearing-sla`): at each `remindBefore` time before the due time (on the SLA's
 *   clock), while the case is not yet due. Each reminder has its own key, `reminder:<duration>`.
 *   When several have passed unsent (the scheduler was away), only the latest is due and the
 *   earlier ones are superseded. Reminders that would fall at or before the case opened are dropped.
 * - `escalated` (reason `sla-breached`): at the due time, when `escalateOnBreach`.
 * - `on-call` (reason `off-hours`): when `offHours` is `on-call` and the case was opened outside
 *   business hours — nobody is on the queue, so on-call is paged at once. Its deadline is `openedAt +
 *   onCallTarget` (wall clock) when a target is set, else the SLA due time. Cases opened during
 *   business hours and still open at closing time are not paged: their business-clock SLA resumes at
 *   the next opening, with its reminders.
 *
 * Each escalation is returned once: `alreadySent` lists the keys already sent (`reminder:PT30M`,
 * `escalated`, `on-call`; a bare `reminder` counts as every reminder). The case expires when
 * `expiry.after` (on the SLA's clock) has passed since the due time; an expired case has no due
 * escalations (it is about to be closed with `expiry.outcome`) and nothing further to check.
 * `nextCheckAt` is the earliest future instant at which something new becomes due (at the latest the
 * expiry), so a scheduler can store it and query only cases whose time has come.
 */
import { DateTime } from 'luxon';
import type { CalendarSpec, SlaSpec } from './policy';
import type { EscalationLevel, EscalationReason } from './events';
import { isOffHours } from './calendar';
import { wallDuration } from './durations';
import { addSlaDuration, reminderTimes, slaDueAt } from './sla';

export interface CaseTimes {
  openedAt: Date;
  /** The stored due time; computed from `openedAt` and the SLA when absent. */
  dueAt?: Date;
}

export interface DueEscalation {
  /** Identity for `alreadySent`: `reminder:<duration>`, `escalated`, or `on-call`. */
  key: string;
  level: EscalationLevel;
  reason: EscalationReason;
  /** When it became due. */
  at: Date;
  /** The deadline the event carries (`dueAt`). */
  dueAt: Date;
}

export interface EscalationState {
  dueAt: Date;
  expiresAt: Date;
  expired: boolean;
  /** Due now and not yet sent, earliest first. */
  due: DueEscalation[];
  /** The next instant after `now` when this case needs looking at; undefined once expired. */
  nextCheckAt?: Date;
}

export const reminderKey = (before: string): string => `reminder:${before}`;

export function escalationState(
  caseTimes: CaseTimes,
  sla: SlaSpec,
  calendar: CalendarSpec,
  now: Date,
  alreadySent: readonly string[] = [],
): EscalationState {
  const sent = new Set(alreadySent);
  const t = now.getTime();
  const opened = caseTimes.openedAt.getTime();
  const dueAt = caseTimes.dueAt ?? slaDueAt(caseTimes.openedAt, sla, calendar);
  const due = dueAt.getTime();
  const expiresAt = addSlaDuration(dueAt, sla.expiry.after, sla.clock, calendar);
  if (t >= expiresAt.getTime()) return { dueAt, expiresAt, expired: true, due: [] };

  const dueNow: DueEscalation[] = [];
  const future: number[] = [expiresAt.getTime()];

  // Reminders.
  if (!sent.has('reminder')) {
    const reminders = reminderTimes(dueAt, sla, calendar).filter((r) => r.at.getTime() > opened && r.at.getTime() < due);
    const passed = reminders.filter((r) => r.at.getTime() <= t);
    const latest = passed[passed.length - 1];
    if (latest !== undefined && t < due && !sent.has(reminderKey(latest.before))) {
      dueNow.push({ key: reminderKey(latest.before), level: 'reminder', reason: 'nearing-sla', at: latest.at, dueAt });
    }
    for (const r of reminders) if (r.at.getTime() > t && !sent.has(reminderKey(r.before))) future.push(r.at.getTime());
  }

  // Breach.
  if (sla.escalateOnBreach && !sent.has('escalated')) {
    if (t >= due) dueNow.push({ key: 'escalated', level: 'escalated', reason: 'sla-breached', at: dueAt, dueAt });
    else future.push(due);
  }

  // Off-hours: page on-call for cases that arrive when nobody is on the queue.
  if (sla.offHours === 'on-call' && !sent.has('on-call') && isOffHours(caseTimes.openedAt, calendar)) {
    const onCallDue =
      sla.onCallTarget === undefined
        ? dueAt
        : DateTime.fromJSDate(caseTimes.openedAt, { zone: calendar.timeZone }).plus(wallDuration(sla.onCallTarget)).toJSDate();
    if (t >= opened) dueNow.push({ key: 'on-call', level: 'on-call', reason: 'off-hours', at: caseTimes.openedAt, dueAt: onCallDue });
    else future.push(opened);
  }

  dueNow.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { dueAt, expiresAt, expired: false, due: dueNow, nextCheckAt: new Date(Math.min(...future)) };
}
