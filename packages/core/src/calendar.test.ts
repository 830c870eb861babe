import {
  addBusinessDuration,
  businessMillisBetween,
  isBusinessTime,
  isOffHours,
  nextBusinessStart,
  subtractBusinessDuration,
  validateCalendar,
} from './calendar';
import { CoreConfigError } from './durations';
import { aCalendar, anAlwaysOpenCalendar, at } from './builders.test-support';
import type { CalendarSpec } from './policy';

// aCalendar(): Europe/Berlin, Mon–Fri 08:00–12:00 and 13:00–18:00, closed 24–26 Dec 2026.
// November is CET (UTC+1), July is CEST (UTC+2).
const cal = aCalendar();
const H = 3_600_000;

describe('isBusinessTime / isOffHours', () => {
  it.each([
    ['2026-11-20T09:00:00Z', true, 'Friday 10:00'],
    ['2026-11-20T07:00:00Z', true, 'Friday 08:00, start inclusive'],
    ['2026-11-20T06:59:59Z', false, 'Friday 07:59:59'],
    ['2026-11-20T11:00:00Z', false, 'Friday 12:00, end exclusive (lunch)'],
    ['2026-11-20T11:30:00Z', false, 'Friday 12:30, lunch'],
    ['2026-11-20T12:00:00Z', true, 'Friday 13:00'],
    ['2026-11-20T16:59:59Z', true, 'Friday 17:59:59'],
    ['2026-11-20T17:00:00Z', false, 'Friday 18:00'],
    ['2026-11-21T09:00:00Z', false, 'Saturday 10:00'],
    ['2026-12-24T09:00:00Z', false, 'Thursday 24 Dec 10:00, a holiday'],
    ['2026-07-01T06:00:00Z', true, 'Wednesday 08:00 CEST'],
    ['2026-07-01T05:59:00Z', false, 'Wednesday 07:59 CEST'],
  ])('%s → %p (%s)', (iso, expected) => {
    expect(isBusinessTime(at(iso), cal)).toBe(expected);
    expect(isOffHours(at(iso), cal)).toBe(!expected);
  });

  it('reads holidays and weekdays as local dates: 23 Dec 23:30 UTC is already 24 Dec in Berlin', () => {
    const allDay: Array<[string, string]> = [['00:00', '24:00']];
    const late: CalendarSpec = { ...cal, weekly: { wed: allDay, thu: allDay } };
    expect(isBusinessTime(at('2026-12-23T22:30:00Z'), late)).toBe(true); // Wed 23 Dec 23:30 local
    expect(isBusinessTime(at('2026-12-23T23:30:00Z'), late)).toBe(false); // Thu 24 Dec 00:30 local, a holiday
    expect(isBusinessTime(at('2026-12-16T23:30:00Z'), late)).toBe(true); // Thu 17 Dec 00:30 local
    expect(isBusinessTime(at('2026-12-17T23:30:00Z'), late)).toBe(false); // Fri 18 Dec 00:30 local, closed
  });
});

describe('nextBusinessStart', () => {
  it('is the instant itself during business hours', () => {
    expect(nextBusinessStart(at('2026-11-20T09:15:00Z'), cal)).toEqual(at('2026-11-20T09:15:00Z'));
  });

  it('moves from lunch to 13:00, from Friday night to Monday 08:00, over holidays', () => {
    expect(nextBusinessStart(at('2026-11-20T11:30:00Z'), cal)).toEqual(at('2026-11-20T12:00:00Z'));
    expect(nextBusinessStart(at('2026-11-20T19:00:00Z'), cal)).toEqual(at('2026-11-23T07:00:00Z'));
    expect(nextBusinessStart(at('2026-12-24T09:00:00Z'), cal)).toEqual(at('2026-12-28T07:00:00Z'));
  });

  it('moves an opening inside the spring-forward gap to the first existing instant', () => {
    const gap: CalendarSpec = { timeZone: 'Europe/Berlin', weekly: { sun: [['02:30', '04:00']] }, holidays: [] };
    // 02:30 does not exist on 29 Mar 2026; the interval opens at 03:30 CEST = 01:30Z and lasts 30 minutes.
    expect(nextBusinessStart(at('2026-03-28T23:00:00Z'), gap)).toEqual(at('2026-03-29T01:30:00Z'));
    expect(businessMillisBetween(at('2026-03-28T23:00:00Z'), at('2026-03-29T12:00:00Z'), gap)).toBe(0.5 * H);
  });
});

describe('addBusinessDuration', () => {
  it('adds within one interval', () => {
    expect(addBusinessDuration(at('2026-11-18T08:00:00Z'), 'PT1H30M', cal)).toEqual(at('2026-11-18T09:30:00Z'));
  });

  it('skips the lunch break', () => {
    // Wed 11:30 + 1 h → 30 min before lunch, 30 min after → 13:30 local
    expect(addBusinessDuration(at('2026-11-18T10:30:00Z'), 'PT1H', cal)).toEqual(at('2026-11-18T12:30:00Z'));
    // starting during lunch: counting begins at 13:00
    expect(addBusinessDuration(at('2026-11-18T11:15:00Z'), 'PT30M', cal)).toEqual(at('2026-11-18T12:30:00Z'));
  });

  it('rolls a Friday-evening start to Monday', () => {
    // Fri 17:00 + 2 h → 1 h on Friday, 1 h on Monday → Mon 09:00 local
    expect(addBusinessDuration(at('2026-11-20T16:00:00Z'), 'PT2H', cal)).toEqual(at('2026-11-23T08:00:00Z'));
    // Fri 19:00 (closed) + 2 h → Mon 10:00
    expect(addBusinessDuration(at('2026-11-20T18:00:00Z'), 'PT2H', cal)).toEqual(at('2026-11-23T09:00:00Z'));
  });

  it('ends at the close when the duration is used up exactly there', () => {
    expect(addBusinessDuration(at('2026-11-20T15:00:00Z'), 'PT2H', cal)).toEqual(at('2026-11-20T17:00:00Z'));
  });

  it('skips holidays and the weekend after them', () => {
    // Wed 23 Dec 17:00 + 2 h → 1 h on the 23rd; 24 (Thu), 25 (Fri) holidays, weekend; Mon 28 Dec 09:00
    expect(addBusinessDuration(at('2026-12-23T16:00:00Z'), 'PT2H', cal)).toEqual(at('2026-12-28T08:00:00Z'));
  });

  it('spans several days (9 business hours a day)', () => {
    expect(addBusinessDuration(at('2026-11-23T07:00:00Z'), 'PT27H', cal)).toEqual(at('2026-11-25T17:00:00Z'));
    // P1D is 24 open hours, not one business day
    expect(addBusinessDuration(at('2026-11-23T07:00:00Z'), 'P1D', cal)).toEqual(addBusinessDuration(at('2026-11-23T07:00:00Z'), 'PT24H', cal));
  });

  it('returns the start unchanged for a zero duration, even off-hours', () => {
    expect(addBusinessDuration(at('2026-11-21T09:00:00Z'), 'PT0S', cal)).toEqual(at('2026-11-21T09:00:00Z'));
  });

  it('crosses the spring DST change (Sunday 29 Mar 2026) over a weekend', () => {
    // Fri 27 Mar 17:00 CET (16:00Z) + 2 h → Mon 30 Mar 09:00 CEST = 07:00Z: 63 elapsed hours, not 64
    const due = addBusinessDuration(at('2026-03-27T16:00:00Z'), 'PT2H', cal);
    expect(due).toEqual(at('2026-03-30T07:00:00Z'));
    expect(due.getTime() - at('2026-03-27T16:00:00Z').getTime()).toBe(63 * H);
  });

  it('crosses the autumn DST change (Sunday 25 Oct 2026) over a weekend', () => {
    // Fri 23 Oct 17:00 CEST (15:00Z) + 2 h → Mon 26 Oct 09:00 CET = 08:00Z: 65 elapsed hours
    const due = addBusinessDuration(at('2026-10-23T15:00:00Z'), 'PT2H', cal);
    expect(due).toEqual(at('2026-10-26T08:00:00Z'));
    expect(due.getTime() - at('2026-10-23T15:00:00Z').getTime()).toBe(65 * H);
  });

  it('counts the DST days as 23 and 25 open hours on a round-the-clock calendar', () => {
    const open = anAlwaysOpenCalendar();
    // 29 Mar 00:30 CET + 3 h of open time → 02:30Z = 04:30 CEST (the 02:00–03:00 hour does not exist)
    expect(addBusinessDuration(at('2026-03-28T23:30:00Z'), 'PT3H', open)).toEqual(at('2026-03-29T02:30:00Z'));
    expect(businessMillisBetween(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z'), open)).toBe(23 * H);
    // 25 Oct starts 22:00Z on the 24th and has 25 hours: +24 h is 23:00 local the same day
    expect(addBusinessDuration(at('2026-10-24T22:00:00Z'), 'PT24H', open)).toEqual(at('2026-10-25T22:00:00Z'));
    expect(businessMillisBetween(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z'), open)).toBe(25 * H);
  });

  it('measures a Sunday-night interval across the DST change by its real length', () => {
    const night: CalendarSpec = { timeZone: 'Europe/Berlin', weekly: { sun: [['01:00', '05:00']] }, holidays: [] };
    expect(businessMillisBetween(at('2026-03-28T12:00:00Z'), at('2026-03-29T12:00:00Z'), night)).toBe(3 * H);
    expect(businessMillisBetween(at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'), night)).toBe(5 * H);
    // 01:00 CET + 2 h open → 04:00 CEST = 02:00Z
    expect(addBusinessDuration(at('2026-03-29T00:00:00Z'), 'PT2H', night)).toEqual(at('2026-03-29T02:00:00Z'));
  });

  it('works in other zones', () => {
    const ny: CalendarSpec = { timeZone: 'America/New_York', weekly: { mon: [['09:00', '17:00']] }, holidays: [] };
    // Mon 23 Nov 2026 16:00 EST (21:00Z) + 2 h → Mon 30 Nov 10:00 EST = 15:00Z
    expect(addBusinessDuration(at('2026-11-23T21:00:00Z'), 'PT2H', ny)).toEqual(at('2026-11-30T15:00:00Z'));
  });
});

describe('subtractBusinessDuration', () => {
  it('walks back over the weekend', () => {
    // Mon 08:15 − 30 min → Fri 17:45 local
    expect(subtractBusinessDuration(at('2026-11-23T07:15:00Z'), 'PT30M', cal)).toEqual(at('2026-11-20T16:45:00Z'));
  });

  it('walks back over lunch and stops at an opening when used up exactly', () => {
    expect(subtractBusinessDuration(at('2026-11-18T12:15:00Z'), 'PT30M', cal)).toEqual(at('2026-11-18T10:45:00Z'));
    expect(subtractBusinessDuration(at('2026-11-18T08:00:00Z'), 'PT1H', cal)).toEqual(at('2026-11-18T07:00:00Z'));
  });

  it('is the inverse of addBusinessDuration for business instants', () => {
    for (const iso of ['2026-11-18T07:00:00Z', '2026-11-20T16:30:00Z', '2026-12-23T15:00:00Z', '2026-03-27T16:00:00Z']) {
      const start = at(iso);
      for (const d of ['PT30M', 'PT2H', 'PT9H', 'PT20H']) {
        expect(subtractBusinessDuration(addBusinessDuration(start, d, cal), d, cal)).toEqual(start);
      }
    }
  });
});

describe('businessMillisBetween', () => {
  it('counts only open time', () => {
    expect(businessMillisBetween(at('2026-11-20T16:00:00Z'), at('2026-11-23T08:00:00Z'), cal)).toBe(2 * H);
    expect(businessMillisBetween(at('2026-11-18T10:30:00Z'), at('2026-11-18T12:30:00Z'), cal)).toBe(1 * H);
  });

  it('is 0 when the end is not after the start', () => {
    expect(businessMillisBetween(at('2026-11-23T08:00:00Z'), at('2026-11-20T16:00:00Z'), cal)).toBe(0);
  });
});

describe('validateCalendar', () => {
  it('accepts valid calendars, overlapping intervals and 24:00 ends', () => {
    expect(validateCalendar(cal)).toEqual([]);
    expect(validateCalendar(anAlwaysOpenCalendar())).toEqual([]);
    expect(validateCalendar({ ...cal, weekly: { mon: [['08:00', '14:00'], ['12:00', '18:00']] } })).toEqual([]);
  });

  it('reports every problem as a value', () => {
    const bad = {
      timeZone: 'Europe/Atlantis',
      weekly: { mon: [['18:00', '08:00'], ['25:00', '26:00'], ['24:00', '24:00']], funday: [['08:00', '09:00']] },
      holidays: ['2026-02-30', 'tomorrow'],
    } as unknown as CalendarSpec;
    const codes = validateCalendar(bad).map((p) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining([
        'CALENDAR.INVALID_ZONE',
        'CALENDAR.EMPTY_INTERVAL',
        'CALENDAR.INVALID_TIME',
        'CALENDAR.UNKNOWN_DAY',
        'CALENDAR.NEVER_OPEN',
        'CALENDAR.INVALID_HOLIDAY',
      ]),
    );
    expect(codes.filter((c) => c === 'CALENDAR.INVALID_HOLIDAY')).toHaveLength(2);
  });

  it('makes the calendar functions throw on an invalid calendar (a configuration bug)', () => {
    const closed: CalendarSpec = { timeZone: 'Europe/Berlin', weekly: {}, holidays: [] };
    expect(() => addBusinessDuration(at('2026-11-20T09:00:00Z'), 'PT1H', closed)).toThrow(CoreConfigError);
    expect(() => isBusinessTime(at('2026-11-20T09:00:00Z'), { ...cal, timeZone: 'Mars/Olympus' })).toThrow(/CALENDAR.INVALID_ZONE/);
  });

  it('throws when business hours never come within the scan horizon', () => {
    const onlyFeb29: CalendarSpec = { timeZone: 'UTC', weekly: { mon: [['08:00', '09:00']] }, holidays: [] };
    const everyMonday = Array.from({ length: 600 }, (_, i) => new Date(Date.UTC(2026, 10, 23) + i * 7 * 24 * H).toISOString().slice(0, 10));
    expect(() => nextBusinessStart(at('2026-11-21T00:00:00Z'), { ...onlyFeb29, holidays: everyMonday })).toThrow(/CALENDAR.NEVER_OPEN/);
  });
});
