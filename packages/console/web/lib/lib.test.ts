import { abilities, sessionFromToken } from './session';
import { displayValue, duration, humanize, slaState } from './format';
import { pairEvidence, regionBoxes, showsRegions } from './regions';
import { optionForKey, reasonsFor, suggestFromPrecedents, type DecisionOption, type Precedent, type ReasonCode } from './decide';
import { clampView, MAX_SCALE, zoomAt } from './zoom';
import { DEFAULT_PREFS, parsePrefs, prefsKey } from './prefs';

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const token = (claims: Record<string, unknown>): string => `${b64({ alg: 'HS256' })}.${b64(claims)}.c2ln`;

describe('session', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  it('reads sub, roles, queues and expiry from a token, and says what the roles may do', () => {
    const r = sessionFromToken(`Bearer ${token({ sub: 'rev-1', roles: ['reviewer', 'cleanliness-reviewer'], exp: now / 1000 + 60 })}`, now);
    expect(r.ok && r.session).toMatchObject({ sub: 'rev-1', roles: ['reviewer', 'cleanliness-reviewer'] });
    if (!r.ok) throw new Error('expected a session');
    expect(abilities(r.session)).toEqual({ work: true, lead: false, readAny: false, decide: true });
    expect(abilities({ ...r.session, roles: ['auditor'] })).toEqual({ work: false, lead: false, readAny: true, decide: false });
    expect(abilities({ ...r.session, roles: ['lead'] }).lead).toBe(true);
  });
  it('refuses garbage, expired tokens and tokens without roles', () => {
    expect(sessionFromToken('hello', now).ok).toBe(false);
    expect(sessionFromToken(token({ sub: 'x', roles: ['reviewer'], exp: now / 1000 - 1 }), now)).toEqual({ ok: false, reason: 'The sign-in has expired; sign in again.' });
    expect(sessionFromToken(token({ sub: 'x', exp: now / 1000 + 60 }), now).ok).toBe(false);
  });
});

describe('format', () => {
  it('formats durations, SLA states, keys and context values', () => {
    expect(duration(75)).toBe('1 min 15 s');
    expect(duration(7260)).toBe('2 h 01 min');
    expect(duration(-30)).toBe('−30 s');
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(slaState('2026-11-21T12:10:00Z', now)).toMatchObject({ level: 'risk', text: 'due in 10 min 00 s' });
    expect(slaState('2026-11-21T14:00:00Z', now).level).toBe('ok');
    expect(slaState('2026-11-21T11:59:00Z', now)).toMatchObject({ level: 'overdue', text: 'overdue by 1 min 00 s' });
    expect(humanize('nextBookingAt')).toBe('Next booking at');
    expect(displayValue({ value: 25, currency: 'EUR' })).toBe('€25.00');
    expect(displayValue(true)).toBe('yes');
  });
});

describe('regions and evidence', () => {
  it('turns normalised regions into clipped percentages and drops malformed ones', () => {
    expect(regionBoxes([{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.8 }, { x: 0.9, y: 0.9, width: 0.5, height: 0.5 }, { x: 'a' }, null])).toEqual([
      { key: 'r0', x: 10, y: 20, width: 30, height: 20, label: 'stain', score: 0.8 },
      { key: 'r1', x: 90, y: 90, width: 10, height: 10 },
    ]);
  });
  it('pairs baseline with return photos and draws regions on the photos the model judged', () => {
    const ev = [
      { index: 0, role: 'baseline' },
      { index: 1, role: 'return' },
      { index: 2, role: 'baseline' },
      { index: 3, role: 'return' },
      { index: 4, role: 'close-up', source: 'crew' },
    ];
    expect(pairEvidence(ev).map((r) => [r.baseline?.index, r.other?.index])).toEqual([[0, 1], [2, 3], [undefined, 4]]);
    expect(showsRegions({ index: 0, role: 'baseline' })).toBe(false);
    expect(showsRegions({ index: 1, role: 'return' })).toBe(true);
  });
});

describe('decision assistance', () => {
  const options: DecisionOption[] = [
    { id: 'approve', label: 'Approve', kind: 'decide', outcome: 'fee_applied', shortcut: 'a' },
    { id: 'reject', label: 'Reject', kind: 'decide', outcome: 'fee_waived', shortcut: 'r' },
    { id: 'request-photos', label: 'More photos', kind: 'request-evidence', shortcut: 'p' },
  ];
  const reasons: ReasonCode[] = [
    { code: 'CONFIRMED_SOILING', label: 'Soiling', appliesTo: ['approve'] },
    { code: 'NORMAL_WEAR', label: 'Wear', appliesTo: ['reject'] },
    { code: 'ANY', label: 'Any' },
  ];
  const p = (outcome: string, similarity: number, reasonCode?: string, decidedBy = 'reviewer'): Precedent => ({ caseId: `c-${Math.random()}`, similarity, basis: 'pattern-features', confidence: 0.8, outcome, decidedBy, decidedAt: '2026-11-21T10:00:00Z', ...(reasonCode ? { reasonCode } : {}) });

  it('filters reason codes by option and maps keys to options', () => {
    expect(reasonsFor(options[0] as DecisionOption, reasons).map((r) => r.code)).toEqual(['CONFIRMED_SOILING', 'ANY']);
    expect(optionForKey(options, 'R')?.id).toBe('reject');
    expect(optionForKey(options, 'x')).toBeUndefined();
  });
  it('suggests the similarity-weighted majority outcome with its usual reason; policy defaults do not vote', () => {
    expect(suggestFromPrecedents([p('fee_applied', 0.9, 'CONFIRMED_SOILING'), p('fee_applied', 0.8, 'CONFIRMED_SOILING'), p('fee_waived', 0.95, 'NORMAL_WEAR'), p('fee_waived', 0.99, 'SLA_EXPIRED', 'policy')], options, reasons)).toEqual({
      optionId: 'approve',
      outcome: 'fee_applied',
      reasonCode: 'CONFIRMED_SOILING',
      support: (0.9 + 0.8) / (0.9 + 0.8 + 0.95),
      basedOn: 3,
    });
    expect(suggestFromPrecedents([p('fee_waived', 1, 'SLA_EXPIRED', 'policy')], options, reasons)).toBeUndefined();
    expect(suggestFromPrecedents([], options, reasons)).toBeUndefined();
  });
});

describe('zoom', () => {
  it('zooms about a point, keeps the photo covering its frame, and resets at scale 1', () => {
    const z = zoomAt({ scale: 1, x: 0, y: 0 }, 2, 0.25, 0.5);
    expect(z).toEqual({ scale: 2, x: -0.25, y: -0.5 });
    // The point under the cursor stays put: 0.25 of the photo still shows at 0.25 of the frame.
    expect(z.x + z.scale * 0.25).toBeCloseTo(0.25);
    expect(zoomAt(z, 0.5, 0.9, 0.9)).toEqual({ scale: 1, x: 0, y: 0 });
    expect(clampView({ scale: 2, x: 0.3, y: -5 })).toEqual({ scale: 2, x: 0, y: -1 });
    expect(clampView({ scale: 50, x: 0, y: 0 }).scale).toBe(MAX_SCALE);
    expect(clampView({ scale: Number.NaN, x: 1, y: 1 })).toEqual({ scale: 1, x: 0, y: 0 });
  });
});

describe('comfort settings', () => {
  it('reads stored settings field by field and falls back to the defaults', () => {
    expect(parsePrefs(null)).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('not json')).toEqual(DEFAULT_PREFS);
    expect(parsePrefs('{"blur":true,"greyscale":"yes","compactBatch":true}')).toEqual({ blur: true, greyscale: false, compactBatch: true });
    expect(prefsKey('rev-1')).toBe('arbiter.console.prefs.rev-1');
  });
});
