import { currentPriority, nextPriorityChangeAt, priorityScore, ruleHolds, SLA_AT_RISK_REASON, SLA_AT_RISK_WEIGHT, validatePriority } from './priority';
import { CoreConfigError } from './durations';
import { aPrediction, at } from './builders.test-support';
import type { PriorityRule, PrioritySpec } from './policy';

const now = at('2026-11-21T11:00:00Z');
const spec: PrioritySpec = {
  base: 10,
  rules: [
    { id: 'next-booking', label: 'next booking within 3 h', field: 'context.nextBookingAt', op: 'within', value: 'PT3H', weight: 50 },
    { id: 'amount', label: 'amount ≥ 100', field: 'context.amount.value', op: 'gte', value: 100, weight: 20 },
    { id: 'critical', label: 'critical path', field: 'context.criticalPath', op: 'eq', value: true, weight: 40, slaTarget: 'PT2H' },
    { id: 'vip', label: 'VIP segment', field: 'context.segment', op: 'in', value: ['gold', 'platinum'], weight: 5, slaTarget: 'PT1H' },
  ],
};

describe('priorityScore', () => {
  it('adds the weights of the rules that hold, with their labels in rule order', () => {
    const prediction = aPrediction({
      context: { nextBookingAt: '2026-11-21T14:00:00Z', amount: { value: 100, currency: 'EUR' }, criticalPath: true },
    });
    expect(priorityScore(prediction, spec, now)).toEqual({
      score: 10 + 50 + 20 + 40,
      reasons: ['next booking within 3 h', 'amount ≥ 100', 'critical path'],
      slaTarget: 'PT2H',
    });
  });

  it('is the base alone when nothing holds', () => {
    expect(priorityScore(aPrediction({ context: {} }), spec, now)).toEqual({ score: 10, reasons: [] });
  });

  it('takes the shortest slaTarget among the rules that hold', () => {
    const prediction = aPrediction({ context: { criticalPath: true, segment: 'gold' } });
    expect(priorityScore(prediction, spec, now).slaTarget).toBe('PT1H');
  });

  it('reads any data the dotted paths point into', () => {
    expect(priorityScore({ category: 'damage' }, { base: 0, rules: [rule({ field: 'category', op: 'eq', value: 'damage' })] }, now).score).toBe(1);
  });
});

function rule(overrides: Partial<PriorityRule>): PriorityRule {
  return { id: 'r', label: 'r', field: 'x', op: 'eq', value: 1, weight: 1, ...overrides };
}

describe('ruleHolds', () => {
  const within = rule({ field: 'at', op: 'within', value: 'PT3H' });

  it.each([
    ['2026-11-21T14:00:00Z', true, 'exactly 3 h ahead'],
    ['2026-11-21T15:00:00+01:00', true, 'same instant with an offset'],
    ['2026-11-21T14:00:01Z', false, 'just beyond'],
    ['2026-11-21T11:00:00Z', true, 'now'],
    ['2026-11-21T10:59:59Z', false, 'in the past'],
    ['not a date', false, 'unparseable'],
  ])('within: %s → %p (%s)', (value, expected) => {
    expect(ruleHolds(within, { at: value }, now)).toBe(expected);
  });

  it('within needs a timestamp string', () => {
    expect(ruleHolds(within, { at: 1_700_000_000_000 }, now)).toBe(false);
    expect(ruleHolds(within, {}, now)).toBe(false);
  });

  it('gte / lte compare finite numbers only', () => {
    expect(ruleHolds(rule({ op: 'gte', value: 100 }), { x: 100 }, now)).toBe(true);
    expect(ruleHolds(rule({ op: 'gte', value: 100 }), { x: 99.99 }, now)).toBe(false);
    expect(ruleHolds(rule({ op: 'gte', value: 100 }), { x: '200' }, now)).toBe(false);
    expect(ruleHolds(rule({ op: 'gte', value: 100 }), { x: Number.POSITIVE_INFINITY }, now)).toBe(false);
    expect(ruleHolds(rule({ op: 'lte', value: 100 }), { x: 100 }, now)).toBe(true);
    expect(ruleHolds(rule({ op: 'lte', value: 100 }), { x: 101 }, now)).toBe(false);
  });

  it('eq and in compare primitives strictly', () => {
    expect(ruleHolds(rule({ op: 'eq', value: true }), { x: true }, now)).toBe(true);
    expect(ruleHolds(rule({ op: 'eq', value: true }), { x: 'true' }, now)).toBe(false);
    expect(ruleHolds(rule({ op: 'eq', value: 'a' }), { x: { a: 1 } }, now)).toBe(false);
    expect(ruleHolds(rule({ op: 'in', value: ['a', 1] }), { x: 1 }, now)).toBe(true);
    expect(ruleHolds(rule({ op: 'in', value: ['a', 1] }), { x: '1' }, now)).toBe(false);
    expect(ruleHolds(rule({ op: 'in', value: 'a' }), { x: 'a' }, now)).toBe(false);
  });

  it('throws for a malformed within duration (a configuration bug), field or no field', () => {
    expect(() => ruleHolds(rule({ field: 'at', op: 'within', value: 'soon' }), { at: '2026-11-21T12:00:00Z' }, now)).toThrow(CoreConfigError);
    expect(() => ruleHolds(rule({ field: 'at', op: 'within', value: 3 }), {}, now)).toThrow(CoreConfigError);
  });
});

describe('validatePriority', () => {
  it('accepts a valid spec', () => {
    expect(validatePriority(spec)).toEqual([]);
  });

  it('reports malformed rules', () => {
    const problems = validatePriority({
      base: 0,
      rules: [
        rule({ id: 'a', op: 'within', value: 'soon' }),
        rule({ id: 'b', op: 'within', value: 3 }),
        rule({ id: 'c', op: 'gte', value: '100' }),
        rule({ id: 'd', op: 'in', value: 'x' }),
        rule({ id: 'e', op: 'eq', value: ['x'] }),
        rule({ id: 'f', slaTarget: 'PT2X' }),
      ],
    });
    expect(problems.map((p) => p.message.split(':')[0])).toEqual([
      'priority rule a',
      'priority rule b',
      'priority rule c',
      'priority rule d',
      'priority rule e',
      'priority rule f',
    ]);
    expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['PRIORITY.INVALID_RULE']));
  });
});

describe('re-ranking as time passes', () => {
  const booking = aPrediction({ context: { nextBookingAt: '2026-11-21T16:00:00Z' } });

  it('says when a within rule will start and stop holding, the earliest first', () => {
    // 11:00: the booking at 16:00 comes within 3 h at 13:00, and passes at 16:00.
    expect(nextPriorityChangeAt(booking, spec, now)).toEqual(at('2026-11-21T13:00:00Z'));
    expect(nextPriorityChangeAt(booking, spec, at('2026-11-21T13:00:00Z'))).toEqual(new Date(Date.parse('2026-11-21T16:00:00Z') + 1));
    expect(nextPriorityChangeAt(booking, spec, at('2026-11-21T17:00:00Z'))).toBeUndefined();
    // Nothing time-dependent: nothing to recheck.
    expect(nextPriorityChangeAt(aPrediction({ context: { amount: { value: 500, currency: 'EUR' } } }), spec, now)).toBeUndefined();
  });

  it('the score at the next change is higher for a nearing booking; at risk of its SLA adds a fixed boost', () => {
    const before = currentPriority(booking, spec, now, false);
    const changeAt = nextPriorityChangeAt(booking, spec, now) as Date;
    const after = currentPriority(booking, spec, changeAt, false);
    expect(after.score - before.score).toBe(50);
    expect(after.reasons).toEqual(['next booking within 3 h']);
    expect(currentPriority(booking, spec, changeAt, true)).toEqual({ score: after.score + SLA_AT_RISK_WEIGHT, reasons: ['next booking within 3 h', SLA_AT_RISK_REASON] });
  });
});
