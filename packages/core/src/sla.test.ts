import { caseDueAt, reminderTimes, slaDueAt, validateSla } from './sla';
import { CoreConfigError, businessMillis, validateDuration } from './durations';
import { aCalendar, anSla, at } from './builders.test-support';

const cal = aCalendar();
const H = 3_600_000;

describe('slaDueAt', () => {
  it('business clock: a Friday-evening case is due on Monday', () => {
    expect(slaDueAt(at('2026-11-20T16:00:00Z'), anSla({ target: 'PT2H', clock: 'business' }), cal)).toEqual(at('2026-11-23T08:00:00Z'));
  });

  it('business clock: off-hours arrivals start counting at the next opening', () => {
    // Saturday 10:00 → Monday 08:00 + 1 h
    expect(slaDueAt(at('2026-11-21T09:00:00Z'), anSla({ target: 'PT1H', clock: 'business' }), cal)).toEqual(at('2026-11-23T08:00:00Z'));
  });

  it('wall clock: elapsed time, whatever the calendar says', () => {
    expect(slaDueAt(at('2026-11-20T16:00:00Z'), anSla({ target: 'PT2H', clock: 'wall' }), cal)).toEqual(at('2026-11-20T18:00:00Z'));
  });

  it('wall clock across DST: PT24H is 24 hours, P1D keeps the local time of day', () => {
    const spring = at('2026-03-28T11:00:00Z'); // Sat 12:00 CET
    expect(slaDueAt(spring, anSla({ target: 'PT24H', clock: 'wall' }), cal)).toEqual(at('2026-03-29T11:00:00Z')); // 13:00 CEST
    expect(slaDueAt(spring, anSla({ target: 'P1D', clock: 'wall' }), cal)).toEqual(at('2026-03-29T10:00:00Z')); // 12:00 CEST, 23 h
    const autumn = at('2026-10-24T10:00:00Z'); // Sat 12:00 CEST
    const due = slaDueAt(autumn, anSla({ target: 'P1D', clock: 'wall' }), cal);
    expect(due).toEqual(at('2026-10-25T11:00:00Z')); // 12:00 CET
    expect(due.getTime() - autumn.getTime()).toBe(25 * H);
  });
});

describe('caseDueAt', () => {
  it('uses a shorter critical-path target from a priority rule (wall clock)', () => {
    const sla = anSla({ target: 'PT2H', clock: 'business' });
    expect(caseDueAt(at('2026-11-20T16:00:00Z'), sla, cal)).toEqual(at('2026-11-23T08:00:00Z'));
    expect(caseDueAt(at('2026-11-20T16:00:00Z'), sla, cal, 'PT2H')).toEqual(at('2026-11-20T18:00:00Z'));
    expect(caseDueAt(at('2026-11-20T16:00:00Z'), sla, cal, 'P5D')).toEqual(at('2026-11-23T08:00:00Z'));
  });
});

describe('reminderTimes', () => {
  it('business clock: 30 business minutes before a Monday 08:15 due time is Friday 17:45', () => {
    expect(reminderTimes(at('2026-11-23T07:15:00Z'), anSla({ remindBefore: ['PT30M'] }), cal)).toEqual([
      { before: 'PT30M', at: at('2026-11-20T16:45:00Z') },
    ]);
  });

  it('wall clock: plain elapsed time before due', () => {
    expect(reminderTimes(at('2026-11-23T07:15:00Z'), anSla({ clock: 'wall', remindBefore: ['PT30M'] }), cal)).toEqual([
      { before: 'PT30M', at: at('2026-11-23T06:45:00Z') },
    ]);
  });

  it('sorts reminders earliest first and drops duplicate instants', () => {
    const reminders = reminderTimes(at('2026-11-18T12:30:00Z'), anSla({ remindBefore: ['PT10M', 'PT1H', 'PT60M', 'PT30M'] }), cal);
    expect(reminders.map((r) => r.before)).toEqual(['PT1H', 'PT30M', 'PT10M']);
    // 13:30 local − 1 business hour → 11:30 (lunch skipped)
    expect(reminders[0]?.at).toEqual(at('2026-11-18T10:30:00Z'));
  });

  it('returns nothing without reminders', () => {
    expect(reminderTimes(at('2026-11-18T12:30:00Z'), anSla({ remindBefore: [] }), cal)).toEqual([]);
  });
});

describe('durations', () => {
  it('validates ISO durations as values', () => {
    expect(validateDuration('PT2H', 'business')).toBeUndefined();
    expect(validateDuration('P1M', 'wall')).toBeUndefined();
    expect(validateDuration('two hours', 'wall')).toMatchObject({ code: 'DURATION.INVALID' });
    expect(validateDuration('PT-1H', 'wall')).toMatchObject({ code: 'DURATION.NEGATIVE' });
    expect(validateDuration('P1M', 'business')).toMatchObject({ code: 'DURATION.VARIABLE_LENGTH' });
    expect(validateDuration('P1Y', 'business')).toMatchObject({ code: 'DURATION.VARIABLE_LENGTH' });
  });

  it('converts business durations to open milliseconds (a day is 24 h, a week 7 days)', () => {
    expect(businessMillis('PT1H30M')).toBe(1.5 * H);
    expect(businessMillis('P1DT2H')).toBe(26 * H);
    expect(businessMillis('P1W')).toBe(168 * H);
    expect(businessMillis('PT0.5S')).toBe(500);
  });

  it('throws CoreConfigError for a duration validation should have rejected', () => {
    expect(() => businessMillis('P1M')).toThrow(CoreConfigError);
    expect(() => slaDueAt(at('2026-11-20T16:00:00Z'), anSla({ target: 'soon', clock: 'wall' }), cal)).toThrow(/DURATION.INVALID/);
  });
});

describe('validateSla', () => {
  it('accepts a valid SLA', () => {
    expect(validateSla(anSla({ onCallTarget: 'PT1H' }), cal)).toEqual([]);
  });

  it('reports every problem with its place', () => {
    const problems = validateSla(
      anSla({ target: 'P1M', remindBefore: ['PT30M', 'x'], onCallTarget: 'PT-1H', expiry: { after: 'never', outcome: 'o', reasonCode: 'r' } }),
      { ...cal, timeZone: 'Nowhere/Land' },
    );
    expect(problems.map((p) => p.message.split(':')[0])).toEqual(
      expect.arrayContaining(['sla.target', 'sla.remindBefore[1]', 'sla.expiry.after', 'sla.onCallTarget']),
    );
    expect(problems.map((p) => p.code)).toContain('CALENDAR.INVALID_ZONE');
  });
});
