import { escalationState, type EscalationState } from './escalation';
import { caseDueAt } from './sla';
import { aCalendar, anSla, at } from './builders.test-support';
import type { SlaSpec } from './policy';

const cal = aCalendar();
// Opened Wed 18 Nov 2026 09:00 local (08:00Z); 2 business hours → due 11:00 local (10:00Z);
// reminder 30 min before (09:30Z); expiry 8 business hours after due → Thu 19 Nov 10:00 local (09:00Z).
const opened = at('2026-11-18T08:00:00Z');
const sla = anSla();
const keys = (s: EscalationState): string[] => s.due.map((d) => d.key);

describe('escalationState', () => {
  it('computes due and expiry times on the business clock', () => {
    const state = escalationState({ openedAt: opened }, sla, cal, opened);
    expect(state.dueAt).toEqual(at('2026-11-18T10:00:00Z'));
    expect(state.expiresAt).toEqual(at('2026-11-19T09:00:00Z'));
    expect(state.expired).toBe(false);
  });

  it('has nothing due before the reminder, and says when to look again', () => {
    const state = escalationState({ openedAt: opened }, sla, cal, at('2026-11-18T08:10:00Z'));
    expect(state.due).toEqual([]);
    expect(state.nextCheckAt).toEqual(at('2026-11-18T09:30:00Z'));
  });

  it('reminds when nearing the SLA, once', () => {
    const now = at('2026-11-18T09:40:00Z');
    const state = escalationState({ openedAt: opened }, sla, cal, now);
    expect(state.due).toEqual([
      { key: 'reminder:PT30M', level: 'reminder', reason: 'nearing-sla', at: at('2026-11-18T09:30:00Z'), dueAt: at('2026-11-18T10:00:00Z') },
    ]);
    expect(state.nextCheckAt).toEqual(at('2026-11-18T10:00:00Z'));
    const after = escalationState({ openedAt: opened }, sla, cal, now, ['reminder:PT30M']);
    expect(after.due).toEqual([]);
    expect(after.nextCheckAt).toEqual(at('2026-11-18T10:00:00Z'));
  });

  it('escalates on breach (and no longer reminds), once', () => {
    const state = escalationState({ openedAt: opened }, sla, cal, at('2026-11-18T10:00:00Z'));
    expect(state.due).toEqual([
      { key: 'escalated', level: 'escalated', reason: 'sla-breached', at: at('2026-11-18T10:00:00Z'), dueAt: at('2026-11-18T10:00:00Z') },
    ]);
    expect(state.nextCheckAt).toEqual(at('2026-11-19T09:00:00Z'));
    expect(escalationState({ openedAt: opened }, sla, cal, at('2026-11-18T10:00:00Z'), ['escalated']).due).toEqual([]);
  });

  it('does not escalate when the SLA says not to', () => {
    const state = escalationState({ openedAt: opened }, anSla({ escalateOnBreach: false }), cal, at('2026-11-18T12:00:00Z'));
    expect(state.due).toEqual([]);
    expect(state.nextCheckAt).toEqual(at('2026-11-19T09:00:00Z'));
  });

  it('expires after expiry.after past due, with nothing left to send or check', () => {
    expect(escalationState({ openedAt: opened }, sla, cal, at('2026-11-19T08:59:59Z')).expired).toBe(false);
    expect(escalationState({ openedAt: opened }, sla, cal, at('2026-11-19T09:00:00Z'))).toEqual({
      dueAt: at('2026-11-18T10:00:00Z'),
      expiresAt: at('2026-11-19T09:00:00Z'),
      expired: true,
      due: [],
    });
  });

  it('sends only the latest of several passed reminders; earlier ones are superseded', () => {
    const many = anSla({ remindBefore: ['PT60M', 'PT30M', 'PT10M'] });
    // reminders at 09:00Z, 09:30Z, 09:50Z
    expect(keys(escalationState({ openedAt: opened }, many, cal, at('2026-11-18T09:55:00Z')))).toEqual(['reminder:PT10M']);
    const mid = escalationState({ openedAt: opened }, many, cal, at('2026-11-18T09:35:00Z'), ['reminder:PT60M']);
    expect(keys(mid)).toEqual(['reminder:PT30M']);
    expect(mid.nextCheckAt).toEqual(at('2026-11-18T09:50:00Z'));
    const bare = escalationState({ openedAt: opened }, many, cal, at('2026-11-18T09:35:00Z'), ['reminder']);
    expect(bare.due).toEqual([]);
    expect(bare.nextCheckAt).toEqual(at('2026-11-18T10:00:00Z'));
  });

  it('drops reminders that would fall before the case opened', () => {
    const state = escalationState({ openedAt: opened }, anSla({ remindBefore: ['PT3H'] }), cal, at('2026-11-18T08:05:00Z'));
    expect(state.due).toEqual([]);
    expect(state.nextCheckAt).toEqual(at('2026-11-18T10:00:00Z'));
  });

  it('honours a stored due time (e.g. a critical-path target)', () => {
    const dueAt = caseDueAt(opened, sla, cal, 'PT1H'); // 09:00Z
    const state = escalationState({ openedAt: opened, dueAt }, sla, cal, at('2026-11-18T08:31:00Z'));
    expect(state.dueAt).toEqual(at('2026-11-18T09:00:00Z'));
    expect(keys(state)).toEqual(['reminder:PT30M']);
  });

  describe('off-hours', () => {
    const onCall: SlaSpec = anSla({ target: 'PT1H', offHours: 'on-call', onCallTarget: 'PT30M' });
    const saturday = at('2026-11-21T09:00:00Z'); // Sat 10:00 local

    it('pages on-call at once for a case opened off-hours, with the on-call deadline', () => {
      const state = escalationState({ openedAt: saturday }, onCall, cal, saturday);
      expect(state.dueAt).toEqual(at('2026-11-23T08:00:00Z')); // Mon 09:00 local
      expect(state.due).toEqual([
        { key: 'on-call', level: 'on-call', reason: 'off-hours', at: saturday, dueAt: at('2026-11-21T09:30:00Z') },
      ]);
      const after = escalationState({ openedAt: saturday }, onCall, cal, at('2026-11-21T09:01:00Z'), ['on-call']);
      expect(after.due).toEqual([]);
      expect(after.nextCheckAt).toEqual(at('2026-11-23T07:30:00Z')); // Mon reminder, 08:30 local
    });

    it('uses the SLA due time as the on-call deadline when no on-call target is set', () => {
      const state = escalationState({ openedAt: saturday }, { ...onCall, onCallTarget: undefined }, cal, saturday);
      expect(state.due[0]?.dueAt).toEqual(state.dueAt);
    });

    it('does not page for cases opened in business hours, nor when the SLA waits', () => {
      expect(keys(escalationState({ openedAt: opened }, onCall, cal, opened))).toEqual([]);
      expect(keys(escalationState({ openedAt: saturday }, anSla({ offHours: 'wait' }), cal, saturday))).toEqual([]);
    });

    it('looks again at the opening time when asked before it', () => {
      const state = escalationState({ openedAt: saturday }, onCall, cal, at('2026-11-21T08:00:00Z'));
      expect(state.due).toEqual([]);
      expect(state.nextCheckAt).toEqual(saturday);
    });
  });

  it('sends every escalation exactly once to a scheduler that wakes only at nextCheckAt', () => {
    const spec = anSla({ remindBefore: ['PT1H', 'PT15M'], offHours: 'on-call', onCallTarget: 'PT1H' });
    const friday = at('2026-11-20T18:30:00Z'); // Fri 19:30 local: off-hours
    const sent: string[] = [];
    const log: Array<[string, string]> = [];
    let now = friday;
    for (let step = 0; step < 20; step++) {
      const state = escalationState({ openedAt: friday }, spec, cal, now, sent);
      for (const e of state.due) {
        sent.push(e.key);
        log.push([e.key, now.toISOString()]);
      }
      if (state.expired) {
        log.push(['expired', now.toISOString()]);
        break;
      }
      expect(state.nextCheckAt?.getTime()).toBeGreaterThan(now.getTime());
      now = state.nextCheckAt ?? now;
    }
    expect(log).toEqual([
      ['on-call', '2026-11-20T18:30:00.000Z'],
      ['reminder:PT1H', '2026-11-23T08:00:00.000Z'], // Mon 09:00 local; due Mon 10:00 local
      ['reminder:PT15M', '2026-11-23T08:45:00.000Z'],
      ['escalated', '2026-11-23T09:00:00.000Z'],
      ['expired', '2026-11-24T08:00:00.000Z'], // 8 business hours after Mon 10:00 → Tue 09:00 local
    ]);
  });
});
