import { blindReviewQueueOf, checkFastTrack, decideRoute, modelOutcomeOf, type ApprovedPattern, type RouteInput } from './routing';
import { aFactorPrediction, aHitlOptPolicy, anAdrPolicy, aPrediction } from './builders.test-support';
import { inSample } from './hash';
import type { Policy } from './policy';

const adr = (overrides: Partial<RouteInput> = {}): RouteInput => ({
  caseId: 'case-1',
  policy: anAdrPolicy(),
  prediction: aPrediction(),
  confidence: 0.78,
  band: 'medium',
  ...overrides,
});

const goodFactors = { pattern_similarity: 0.9, risk_assessment: 0.8, business_impact: 0.7, technical_complexity: 0.7, precedent_match: 0.9 };
const approved: ApprovedPattern[] = [
  { caseId: 'old-rejected', outcome: 'rejected', features: { kind: 'api-endpoint', method: 'GET', resource: 'sessions' } },
  { caseId: 'old-1', outcome: 'approved', features: { kind: 'api-endpoint', method: 'GET', resource: 'bookings', auth: 'oauth2' } },
  {
    caseId: 'old-2',
    outcome: 'approved_with_modifications',
    features: { kind: 'api-endpoint', method: 'GET', resource: 'sessions', auth: 'oauth2', paged: true },
  },
];
const hitl = (overrides: Partial<RouteInput> = {}): RouteInput => ({
  caseId: 'chg-1',
  policy: aHitlOptPolicy(),
  prediction: aFactorPrediction(goodFactors),
  confidence: 0.82,
  band: 'medium',
  approvedPatterns: approved,
  ...overrides,
});

describe('decideRoute — bands (ADR-0016)', () => {
  it('high → auto with the model outcome by label, and a post-action report', () => {
    const route = decideRoute(adr({ confidence: 0.95, band: 'high' }));
    expect(route).toMatchObject({
      route: 'auto',
      reason: 'band-high',
      outcome: 'fee_charged',
      customerFavorable: false,
      postActionReport: true,
      blindReview: false,
    });
    expect(route.rationale).toContain('0.95');
    expect(route.rationale).toContain('fee_charged');
  });

  it('uses modelOutcome.otherwise for an unknown or absent label', () => {
    expect(decideRoute(adr({ band: 'high', prediction: aPrediction({ prediction: { label: 'smudged', confidence: 0.95 } }) }))).toMatchObject({
      outcome: 'fee_waived',
      customerFavorable: true,
    });
    expect(modelOutcomeOf(anAdrPolicy(), undefined)).toBe('fee_waived');
    expect(modelOutcomeOf(anAdrPolicy(), 'constructor')).toBe('fee_waived');
  });

  it('medium → the review queue of the medium action', () => {
    expect(decideRoute(adr())).toEqual({
      route: 'review',
      reason: 'band-medium',
      band: 'medium',
      queue: 'cleanliness-review',
      batch: false,
      rationale: expect.stringContaining('cleanliness-review') as string,
    });
  });

  it('low → the customer-favorable default outcome, flagged for enrichment', () => {
    const route = decideRoute(adr({ confidence: 0.4, band: 'low' }));
    expect(route).toMatchObject({ route: 'default', reason: 'band-low', outcome: 'fee_waived', customerFavorable: true, enrichment: true });
    expect(route.rationale).toContain('enrichment');
  });

  it('never samples policy defaults for blind review', () => {
    const policy = anAdrPolicy({ sampling: { blindReviewRate: 1 } });
    expect(decideRoute(adr({ policy, confidence: 0.4, band: 'low' }))).not.toHaveProperty('blindReview');
  });
});

describe('decideRoute — HITL-OPT', () => {
  it('medium → batch review queue', () => {
    const route = decideRoute(hitl({ approvedPatterns: [] }));
    expect(route).toMatchObject({ route: 'review', reason: 'band-medium', queue: 'batch-approvals', batch: true });
    expect(route.rationale).toContain('batch review');
    expect(route.rationale).toContain('fast-track: no approved pattern');
  });

  it('low → immediate individual human review', () => {
    expect(decideRoute(hitl({ confidence: 0.6, band: 'low' }))).toMatchObject({
      route: 'review',
      reason: 'band-low',
      queue: 'immediate-review',
      batch: false,
    });
  });

  it('always-human categories go to a person even at 0.99', () => {
    const policy = aHitlOptPolicy({ fastTrack: undefined });
    const route = decideRoute(hitl({ policy, confidence: 0.99, band: 'high', prediction: aFactorPrediction(goodFactors, { category: 'strategic' }) }));
    expect(route).toMatchObject({ route: 'review', reason: 'always-human-category', queue: 'strategic-review', batch: false });
    expect(route.rationale).toContain('strategic');
  });

  it('an always-human case with low confidence takes the low band’s immediate path', () => {
    const policy = aHitlOptPolicy({ fastTrack: undefined });
    const route = decideRoute(hitl({ policy, confidence: 0.6, band: 'low', prediction: aFactorPrediction(goodFactors, { category: 'strategic' }) }));
    expect(route).toMatchObject({ route: 'review', reason: 'always-human-category', queue: 'immediate-review', batch: false });
    expect(route.rationale).toContain('immediate path');
  });

  it('always-human beats fast-track when fast-track does not apply to those categories', () => {
    const policy = aHitlOptPolicy();
    const ft = { ...(policy.fastTrack as NonNullable<Policy['fastTrack']>), appliesToAlwaysHuman: false };
    const input = hitl({ policy: { ...policy, fastTrack: ft }, prediction: aFactorPrediction(goodFactors, { category: 'strategic' }) });
    expect(checkFastTrack(input).eligible).toBe(true);
    expect(decideRoute(input)).toMatchObject({ route: 'review', reason: 'always-human-category' });
  });

  it('fast-track beats always-human when it applies to those categories', () => {
    const route = decideRoute(hitl({ prediction: aFactorPrediction(goodFactors, { category: 'strategic' }) }));
    expect(route).toMatchObject({ route: 'auto', reason: 'fast-track', outcome: 'approved', matchedPattern: { caseId: 'old-2' } });
  });

  it('always-human with a failing fast-track says why', () => {
    const route = decideRoute(hitl({ confidence: 0.75, prediction: aFactorPrediction(goodFactors, { category: 'strategic' }) }));
    expect(route).toMatchObject({ route: 'review', reason: 'always-human-category' });
    expect(route.rationale).toContain('0.75 < 0.8');
  });

  it('fast-tracks a medium case similar to an approved pattern', () => {
    const route = decideRoute(hitl());
    expect(route.route).toBe('auto');
    if (route.route !== 'auto') return;
    expect(route.reason).toBe('fast-track');
    expect(route.outcome).toBe('approved');
    // old-2 shares kind, method, resource, auth and has one extra name: 4 / 5; old-1 differs in resource: 3 / 4
    expect(route.matchedPattern).toEqual({ caseId: 'old-2', similarity: 0.8 });
  });

  it('the automatic band wins over fast-track (model outcome, not fast-track outcome)', () => {
    const prediction = aFactorPrediction(goodFactors, { prediction: { label: 'reject' } });
    expect(decideRoute(hitl({ prediction, confidence: 0.9, band: 'high' }))).toMatchObject({ reason: 'band-high', outcome: 'rejected' });
  });
});

describe('checkFastTrack', () => {
  const policyWith = (ft: Partial<NonNullable<Policy['fastTrack']>>): Policy => {
    const policy = aHitlOptPolicy();
    return { ...policy, fastTrack: { ...(policy.fastTrack as NonNullable<Policy['fastTrack']>), ...ft } };
  };

  it('is eligible with similarity ≥ minSimilarity and confidence ≥ minConfidence (inclusive)', () => {
    expect(checkFastTrack(hitl({ policy: policyWith({ minSimilarity: 0.8 }), confidence: 0.8 }))).toEqual({
      eligible: true,
      outcome: 'approved',
      match: { caseId: 'old-2', similarity: 0.8 },
    });
  });

  it('ages patterns out: with maxPatternAge, an approval older than that (or of unknown age) is not matched', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const day = 86_400_000;
    const aged = approved.map((p) => ({ ...p, decidedAt: now.getTime() - 100 * day }));
    const policy = policyWith({ maxPatternAge: 'P90D' });
    expect(checkFastTrack(hitl({ policy, now, approvedPatterns: aged }))).toEqual({ eligible: false, why: 'no approved pattern to match' });
    expect(checkFastTrack(hitl({ policy, now, approvedPatterns: approved }))).toMatchObject({ eligible: false });
    const fresh = aged.map((p) => (p.caseId === 'old-2' ? { ...p, decidedAt: now.getTime() - 89 * day } : p));
    expect(checkFastTrack(hitl({ policy, now, approvedPatterns: fresh }))).toMatchObject({ eligible: true, match: { caseId: 'old-2' } });
    // Without maxPatternAge nothing ages.
    expect(checkFastTrack(hitl({ now, approvedPatterns: aged }))).toMatchObject({ eligible: true });
  });

  it.each<[string, Partial<RouteInput>, string]>([
    ['disabled', { policy: policyWith({ enabled: false }) }, 'not enabled'],
    ['absent', { policy: aHitlOptPolicy({ fastTrack: undefined }) }, 'not enabled'],
    ['no pattern', { prediction: aFactorPrediction(goodFactors, { pattern: undefined }) }, 'no pattern'],
    ['low confidence', { confidence: 0.7999 }, '0.7999 < 0.8'],
    ['risk factor below its floor', { prediction: aFactorPrediction({ ...goodFactors, risk_assessment: 0.6 }) }, 'risk_assessment 0.6 < 0.7'],
    ['risk factor missing', { prediction: aFactorPrediction({ pattern_similarity: 0.9 }) }, 'risk_assessment is missing'],
    ['required feature missing', { prediction: aFactorPrediction(goodFactors, { pattern: { features: { method: 'GET' } } }) }, 'lacks required features: kind'],
    ['no approved patterns', { approvedPatterns: [] }, 'no approved pattern'],
    ['similarity too low', { policy: policyWith({ minSimilarity: 0.9 }) }, 'old-2 is 0.8 similar, < 0.9'],
  ])('is not eligible: %s', (_name, overrides, why) => {
    const check = checkFastTrack(hitl(overrides));
    expect(check.eligible).toBe(false);
    expect(!check.eligible && check.why).toContain(why);
  });

  it('only matches approved outcomes, the same required features, and never the case itself', () => {
    const patterns: ApprovedPattern[] = [
      { caseId: 'rej', outcome: 'rejected', features: { kind: 'api-endpoint', method: 'GET', resource: 'sessions' } },
      { caseId: 'db', outcome: 'approved', features: { kind: 'db-schema', method: 'GET', resource: 'sessions' } },
      { caseId: 'chg-1', outcome: 'approved', features: { kind: 'api-endpoint', method: 'GET', resource: 'sessions' } },
    ];
    expect(checkFastTrack(hitl({ approvedPatterns: patterns }))).toMatchObject({ eligible: false, why: 'no approved pattern to match' });
  });
});

describe('blind review sampling', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `case-${i}`);

  it('samples automatic decisions deterministically by case id, at the policy rate', () => {
    const policy = anAdrPolicy({ sampling: { blindReviewRate: 0.1 } });
    const routes = ids.map((caseId) => decideRoute(adr({ caseId, policy, confidence: 0.95, band: 'high' })));
    const sampled = routes.filter((r) => r.route === 'auto' && r.blindReview);
    expect(sampled.length / ids.length).toBeGreaterThan(0.07);
    expect(sampled.length / ids.length).toBeLessThan(0.13);
    for (const [i, route] of routes.entries()) {
      const again = decideRoute(adr({ caseId: ids[i], policy, confidence: 0.95, band: 'high' }));
      expect(again).toEqual(route);
      expect(route.route === 'auto' && route.blindReview).toBe(inSample(`blind-review:${ids[i] ?? ''}`, 0.1));
    }
  });

  it('keeps the route and reason, and names the blind review queue', () => {
    const policy = anAdrPolicy({ sampling: { blindReviewRate: 1 } });
    const route = decideRoute(adr({ policy, confidence: 0.95, band: 'high' }));
    expect(route).toMatchObject({ route: 'auto', reason: 'band-high', blindReview: true, blindReviewQueue: 'cleanliness-review' });
    expect(route.rationale).toContain('blind review');
  });

  it('samples fast-tracked decisions too', () => {
    const policy = aHitlOptPolicy({ sampling: { blindReviewRate: 1 } });
    expect(decideRoute(hitl({ policy }))).toMatchObject({ reason: 'fast-track', blindReview: true, blindReviewQueue: 'batch-approvals' });
  });

  it('never samples at rate 0', () => {
    expect(ids.some((caseId) => {
      const r = decideRoute(adr({ caseId, confidence: 0.95, band: 'high' }));
      return r.route === 'auto' && r.blindReview;
    })).toBe(false);
  });

  it('falls back to the always-human queue when no band reviews', () => {
    const policy = anAdrPolicy({
      actions: {
        high: { route: 'auto' },
        medium: { route: 'default', outcome: 'fee_waived', enrichment: false },
        low: { route: 'default', outcome: 'fee_waived', enrichment: true },
      },
    });
    expect(blindReviewQueueOf(policy)).toBe('cleanliness-disputes');
  });
});
