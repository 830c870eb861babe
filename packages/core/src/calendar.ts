/**
 * Business-hours calendars (ADR-0016 §2: "Damage P95 ≤ 1 hour during business hours; off-hours
 * escalation to on-call").
 *
 * A calendar has an IANA time zone, weekly open intervals `[start, end)` in local `HH:mm` (`24:00`
 * allowed as an end), and closed local dates. All instants are `Date`s; all local reasoning happens in
 * the calendar's zone with luxon, so DST changes are handled by the zone rules: an interval spanning
 * the spring-forward gap is an hour shorter, one spanning the fall-back hour an hour longer; a local
 * time that does not exist moves forward to the next one that does.
 *
 * An invalid calendar is a configuration bug: `validateCalendar` reports problems as values (for the
 * policy loader); the other functions throw `CoreConfigError` when handed one anyway.
 */
import { DateTime, IANAZone } from 'luxon';
import type { CalendarSpec, Weekday } from './policy';
import type { Failure } from './result';
import { CoreConfigError, businessMillis } from './durations';

/** How far ahead (in days) to look for an open interval before concluding the calendar is never open. */
export const MAX_SCAN_DAYS = 3_660;

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const TIME_OF_DAY = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Compiled {
  zone: string;
  /** luxon weekday (1 = Monday … 7 = Sunday) → sorted, merged [startMinute, endMinute) pairs. */
  weekly: ReadonlyMap<number, ReadonlyArray<readonly [number, number]>>;
  holidays: ReadonlySet<string>;
}

/** An open interval, as epoch milliseconds [start, end). */
export interface OpenInterval {
  start: number;
  end: number;
}

const minutesOf = (time: string): number | undefined => {
  const m = TIME_OF_DAY.exec(time);
  if (m === null) return undefined;
  if (time === '24:00') return 24 * 60;
  return Number(m[1]) * 60 + Number(m[2]);
};

export function validateCalendar(calendar: CalendarSpec): Failure[] {
  const problems: Failure[] = [];
  if (!IANAZone.isValidZone(calendar.timeZone)) {
    problems.push({ code: 'CALENDAR.INVALID_ZONE', message: `${JSON.stringify(calendar.timeZone)} is not an IANA time zone` });
  }
  let open = false;
  for (const [day, intervals] of Object.entries(calendar.weekly)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      problems.push({ code: 'CALENDAR.UNKNOWN_DAY', message: `${JSON.stringify(day)} is not a weekday (mon … sun)` });
      continue;
    }
    for (const [start, end] of intervals ?? []) {
      const s = minutesOf(start);
      const e = minutesOf(end);
      if (s === undefined || e === undefined || start === '24:00') {
        problems.push({ code: 'CALENDAR.INVALID_TIME', message: `${day} ${start}–${end}: times are HH:mm (24:00 only as an end)` });
      } else if (s >= e) {
        problems.push({ code: 'CALENDAR.EMPTY_INTERVAL', message: `${day} ${start}–${end}: the start must be before the end` });
      } else {
        open = true;
      }
    }
  }
  if (!open) problems.push({ code: 'CALENDAR.NEVER_OPEN', message: 'the calendar has no business hours' });
  for (const holiday of calendar.holidays) {
    if (!DATE.test(holiday) || !DateTime.fromISO(holiday).isValid) {
      problems.push({ code: 'CALENDAR.INVALID_HOLIDAY', message: `${JSON.stringify(holiday)} is not a YYYY-MM-DD date` });
    }
  }
  return problems;
}

function compile(calendar: CalendarSpec): Compiled {
  const problems = validateCalendar(calendar);
  const first = problems[0];
  if (first !== undefined) throw new CoreConfigError(first.code, problems.map((p) => p.message).join('; '));
  const weekly = new Map<number, Array<readonly [number, number]>>();
  WEEKDAYS.forEach((day, i) => {
    const pairs = (calendar.weekly[day] ?? [])
      .map(([s, e]) => [minutesOf(s) ?? 0, minutesOf(e) ?? 0] as const)
      .sort((a, b) => a[0] - b[0]);
    weekly.set(i + 1, mergeMinutes(pairs));
  });
  return { zone: calendar.timeZone, weekly, holidays: new Set(calendar.holidays) };
}

function mergeMinutes(pairs: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  const merged: Array<[number, number]> = [];
  for (const [s, e] of pairs) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

const localDay = (c: Compiled, at: number): DateTime => DateTime.fromMillis(at, { zone: c.zone }).startOf('day');

function atMinute(day: DateTime, minute: number): number {
  if (minute === 24 * 60) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 }).toMillis();
}

/** The open intervals of one local day (`day` is any instant of it, in the calendar's zone). */
function intervalsOn(c: Compiled, day: DateTime): OpenInterval[] {
  const date = day.toISODate();
  if (date === null || c.holidays.has(date)) return [];
  const out: OpenInterval[] = [];
  for (const [s, e] of c.weekly.get(day.weekday) ?? []) {
    const start = atMinute(day, s);
    const end = atMinute(day, e);
    const last = out[out.length - 1];
    if (end <= start) continue; // both ends fell into the same DST gap
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** Open intervals that end after `from`, in order, day by day. */
function* intervalsFrom(c: Compiled, from: number): Generator<OpenInterval> {
  let day = localDay(c, from);
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    for (const interval of intervalsOn(c, day)) if (interval.end > from) yield interval;
    day = day.plus({ days: 1 }).startOf('day');
  }
  throw new CoreConfigError('CALENDAR.NEVER_OPEN', `no business hours within ${MAX_SCAN_DAYS} days of ${new Date(from).toISOString()}`);
}

/** Open intervals that start before `until`, latest first, day by day backwards. */
function* intervalsBefore(c: Compiled, until: number): Generator<OpenInterval> {
  let day = localDay(c, until);
  for (let i = 0; i < MAX_SCAN_DAYS; i++) {
    const intervals = intervalsOn(c, day).filter((iv) => iv.start < until);
    for (let j = intervals.length - 1; j >= 0; j--) {
      const interval = intervals[j];
      if (interval !== undefined) yield interval;
    }
    day = day.minus({ days: 1 }).startOf('day');
  }
  throw new CoreConfigError('CALENDAR.NEVER_OPEN', `no business hours within ${MAX_SCAN_DAYS} days before ${new Date(until).toISOString()}`);
}

/** Whether `at` falls in an open interval (start inclusive, end exclusive). */
export function isBusinessTime(at: Date, calendar: CalendarSpec): boolean {
  const c = compile(calendar);
  const t = at.getTime();
  return intervalsOn(c, localDay(c, t)).some((iv) => iv.start <= t && t < iv.end);
}

/** Outside business hours: nobody is on the queue, on-call paging applies (`SlaSpec.offHours`). */
export function isOffHours(at: Date, calendar: CalendarSpec): boolean {
  return !isBusinessTime(at, calendar);
}

/** `at` itself when it is business time, else the start of the next open interval. */
export function nextBusinessStart(at: Date, calendar: CalendarSpec): Date {
  const c = compile(calendar);
  const t = at.getTime();
  for (const iv of intervalsFrom(c, t)) return new Date(Math.max(iv.start, t));
  /* istanbul ignore next -- intervalsFrom throws instead of ending */
  throw new CoreConfigError('CALENDAR.NEVER_OPEN', 'no business hours');
}

/**
 * `start` plus an amount of open time: only open intervals count; closed days, holidays, nights
 * and breaks are skipped. Starting off-hours, counting begins at the next open interval. A duration
 * that is used up exactly at the end of an interval ends there (Friday 18:00), not at the next opening.
 * A zero duration returns `start` unchanged.
 */
export function addBusinessDuration(start: Date, isoDuration: string, calendar: CalendarSpec): Date {
  return addBusinessMillis(start, businessMillis(isoDuration), calendar);
}

export function addBusinessMillis(start: Date, millis: number, calendar: CalendarSpec): Date {
  const c = compile(calendar);
  const t = start.getTime();
  if (millis <= 0) return new Date(t);
  let remaining = millis;
  for (const iv of intervalsFrom(c, t)) {
    const from = Math.max(iv.start, t);
    const available = iv.end - from;
    if (remaining <= available) return new Date(from + remaining);
    remaining -= available;
  }
  /* istanbul ignore next -- intervalsFrom throws instead of ending */
  throw new CoreConfigError('CALENDAR.NEVER_OPEN', 'no business hours');
}

/**
 * `end` minus an amount of open time, walking backwards through open intervals (for reminders
 * "30 business minutes before due"). Used up exactly at the start of an interval, it ends there.
 */
export function subtractBusinessDuration(end: Date, isoDuration: string, calendar: CalendarSpec): Date {
  return subtractBusinessMillis(end, businessMillis(isoDuration), calendar);
}

export function subtractBusinessMillis(end: Date, millis: number, calendar: CalendarSpec): Date {
  const c = compile(calendar);
  const t = end.getTime();
  if (millis <= 0) return new Date(t);
  let remaining = millis;
  for (const iv of intervalsBefore(c, t)) {
    const to = Math.min(iv.end, t);
    const available = to - iv.start;
    if (remaining <= available) return new Date(to - remaining);
    remaining -= available;
  }
  /* istanbul ignore next -- intervalsBefore throws instead of ending */
  throw new CoreConfigError('CALENDAR.NEVER_OPEN', 'no business hours');
}

/** Open time between two instants, in milliseconds (0 when `to` is not after `from`). For SLA adherence. */
export function businessMillisBetween(from: Date, to: Date, calendar: CalendarSpec): number {
  const c = compile(calendar);
  const a = from.getTime();
  const b = to.getTime();
  let total = 0;
  if (b <= a) return 0;
  for (const iv of intervalsFrom(c, a)) {
    if (iv.start >= b) break;
    total += Math.min(iv.end, b) - Math.max(iv.start, a);
  }
  return total;
}
