/**
 * SLA deadlines and reminders (ADR-0016 §2).
 *
 * `clock: wall`: the target is elapsed time on the zone's calendar (see durations.ts).
 * `clock: business`: the target counts only the calendar's open time; a case opened off-hours
 * starts counting at the next opening.
 */
import { DateTime } from 'luxon';
import type { CalendarSpec, SlaSpec } from './policy';
import type { Failure } from './result';
import { addBusinessDuration, subtractBusinessDuration, validateCalendar } from './calendar';
import { validateDuration, wallDuration } from './durations';

/** `start` plus `duration` on the given clock. */
export function addSlaDuration(start: Date, duration: string, clock: SlaSpec['clock'], calendar: CalendarSpec): Date {
  if (clock === 'business') return addBusinessDuration(start, duration, calendar);
  return DateTime.fromJSDate(start, { zone: calendar.timeZone }).plus(wallDuration(duration)).toJSDate();
}

/** `end` minus `duration` on the given clock. */
export function subtractSlaDuration(end: Date, duration: string, clock: SlaSpec['clock'], calendar: CalendarSpec): Date {
  if (clock === 'business') return subtractBusinessDuration(end, duration, calendar);
  return DateTime.fromJSDate(end, { zone: calendar.timeZone }).minus(wallDuration(duration)).toJSDate();
}

/** When a case opened at `start` is due. */
export function slaDueAt(start: Date, sla: Pick<SlaSpec, 'target' | 'clock'>, calendar: CalendarSpec): Date {
  return addSlaDuration(start, sla.target, sla.clock, calendar);
}

/**
 * The due time of a case: the queue's SLA due time, or `openedAt + prioritySlaTarget` on the wall
 * clock when a priority rule sets a shorter one (`PriorityRule.slaTarget`, HITL-OPT "critical paths
 * within 2 hours") — whichever is sooner.
 */
export function caseDueAt(
  openedAt: Date,
  sla: Pick<SlaSpec, 'target' | 'clock'>,
  calendar: CalendarSpec,
  prioritySlaTarget?: string,
): Date {
  const due = slaDueAt(openedAt, sla, calendar);
  if (prioritySlaTarget === undefined) return due;
  const urgent = addSlaDuration(openedAt, prioritySlaTarget, 'wall', calendar);
  return urgent.getTime() < due.getTime() ? urgent : due;
}

export interface ReminderTime {
  /** The `remindBefore` entry, e.g. `PT30M`; also the reminder's identity (`reminder:PT30M`). */
  before: string;
  at: Date;
}

/**
 * When to remind: each `remindBefore` duration before `dueAt`, measured on the SLA's clock (30
 * business minutes before a Monday 08:15 due time is Friday 17:45 on a 08:00–18:00 calendar).
 * Earliest first; duplicates (same instant) are kept once.
 */
export function reminderTimes(dueAt: Date, sla: Pick<SlaSpec, 'remindBefore' | 'clock'>, calendar: CalendarSpec): ReminderTime[] {
  const times = sla.remindBefore.map((before) => ({ before, at: subtractSlaDuration(dueAt, before, sla.clock, calendar) }));
  times.sort((a, b) => a.at.getTime() - b.at.getTime());
  return times.filter((r, i) => i === 0 || r.at.getTime() !== times[i - 1]?.at.getTime());
}

/** Every problem with an SLA and its calendar, as values (for the policy loader). */
export function validateSla(sla: SlaSpec, calendar: CalendarSpec): Failure[] {
  const problems: Failure[] = [...validateCalendar(calendar)];
  const check = (what: string, iso: string, clock: SlaSpec['clock']): void => {
    const problem = validateDuration(iso, clock);
    if (problem !== undefined) problems.push({ code: problem.code, message: `${what}: ${problem.message}` });
  };
  check('sla.target', sla.target, sla.clock);
  sla.remindBefore.forEach((d, i) => check(`sla.remindBefore[${i}]`, d, sla.clock));
  check('sla.expiry.after', sla.expiry.after, sla.clock);
  if (sla.onCallTarget !== undefined) check('sla.onCallTarget', sla.onCallTarget, 'wall');
  return problems;
}
