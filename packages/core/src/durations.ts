/**
 * ISO-8601 durations as policies write them (`PT2H`, `PT30M`, `P1D`).
 *
 * Two readings:
 * - wall clock: added on the calendar of the time zone (luxon semantics) — hours, minutes and
 *   seconds are exact elapsed time; days, weeks, months and years move the local date and keep the
 *   local time of day (so `P1D` across a DST change is 23 or 25 elapsed hours).
 * - business clock: an amount of open time. Years and months have no fixed length and are rejected;
 *   a day is 24 open hours and a week 7 such days (so `PT24H` and `P1D` are the same business
 *   duration — write business targets in hours).
 *
 * Malformed or negative durations in a loaded policy are configuration bugs: `validateDuration`
 * reports them as values (for the policy loader), and the functions that use durations throw a
 * `CoreConfigError` when handed one anyway.
 */
import { Duration } from 'luxon';
import type { Failure } from './result';

/** Thrown only for invalid configuration that validation should have rejected (a bug, not an outcome). */
export class CoreConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'CoreConfigError';
  }
}

const UNITS = ['years', 'quarters', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'] as const;

export function validateDuration(iso: string, clock: 'wall' | 'business'): Failure | undefined {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) return { code: 'DURATION.INVALID', message: `${JSON.stringify(iso)} is not an ISO-8601 duration` };
  if (UNITS.some((unit) => duration.get(unit) < 0)) {
    return { code: 'DURATION.NEGATIVE', message: `${iso} is negative` };
  }
  if (clock === 'business' && (duration.years !== 0 || duration.quarters !== 0 || duration.months !== 0)) {
    return { code: 'DURATION.VARIABLE_LENGTH', message: `${iso}: a business duration cannot have years or months` };
  }
  return undefined;
}

/** The wall-clock duration, for luxon's `plus`/`minus`. Throws `CoreConfigError` when invalid. */
export function wallDuration(iso: string): Duration {
  const problem = validateDuration(iso, 'wall');
  if (problem !== undefined) throw new CoreConfigError(problem.code, problem.message);
  return Duration.fromISO(iso);
}

/** The business duration in milliseconds of open time. Throws `CoreConfigError` when invalid. */
export function businessMillis(iso: string): number {
  const problem = validateDuration(iso, 'business');
  if (problem !== undefined) throw new CoreConfigError(problem.code, problem.message);
  const d = Duration.fromISO(iso);
  const hours = (d.weeks * 7 + d.days) * 24 + d.hours;
  return ((hours * 60 + d.minutes) * 60 + d.seconds) * 1000 + d.milliseconds;
}
