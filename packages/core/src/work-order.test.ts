import { aCalendar, anAdrPolicy, anAlwaysOpenCalendar, anSla, aPrediction, aQueue, at } from './builders.test-support';
import type { Policy } from './policy';
import type { AutoRoute, DefaultRoute, ReviewRoute } from './routing';
import { planWork, wantedWork } from './work-order';

const OPENED = at('2026-11-23T10:00:00Z');
const NOW = at('2026-11-23T10:00:01Z');

const review = (queue = 'cleanliness-review'): ReviewRoute => ({ route: 'review', reason: 'band-medium', band: 'medium', queue, batch: false, rationale: 'medium band' });
const auto = (blindReview: boolean): AutoRoute => ({
  route: 'auto',
  reason: 'band-high',
  band: 'high',
  outcome: 'fee_charged',
  customerFavorable: false,
  postActionReport: false,
  blindReview,
  ...(blindReview ? { blindReviewQueue: 'cleanliness-review' } : {}),
  rationale: 'high band',
});
const byDefault = (reason: DefaultRoute['reason'], enrichment: boolean): DefaultRoute => ({ route: 'default', reason, band: 'low', outcome: 'fee_waived', customerFavorable: true, enrichment, rationale: 'default' });

/** One queue open around the clock: 2 h SLA, reminders 30 and 10 minutes before. */
const policy = (overrides: Partial<Policy> = {}): Policy =>
  anAdrPolicy({ queues: [aQueue({ calendar: anAlwaysOpenCalendar(), sla: anSla({ remindBefore: ['PT30M', 'PT10M'] }) })], ...overrides });

const kase = (context: Record<string, unknown> = { amount: { value: 150, currency: 'EUR' } }) => ({ useCase: 'vehicle-cleanliness', prediction: aPrediction({ context }), openedAt: OPENED });

describe('wantedWork: what a routing decision asks a person for', () => {
  const p = anAdrPolicy();
  it('a review route: a decision item in its queue', () => {
    expect(wantedWork(review(), p)).toEqual([{ purpose: 'decision', queue: 'cleanliness-review' }]);
  });
  it('an automatic decision: a blind review only when sampled', () => {
    expect(wantedWork(auto(true), p)).toEqual([{ purpose: 'blind-review', queue: 'cleanliness-review' }]);
    expect(wantedWork(auto(false), p)).toEqual([]);
  });
  it('a policy default: blind labelling only for a low-band default flagged for enrichment', () => {
    expect(wantedWork(byDefault('band-low', true), p)).toEqual([{ purpose: 'blind-review', queue: 'cleanliness-review' }]);
    expect(wantedWork(byDefault('band-low', false), p)).toEqual([]);
    expect(wantedWork(byDefault('band-medium', true), p)).toEqual([]);
  });
});

describe('planWork', () => {
  it('plans a decision item: priority at routing time, due time from opening, reminders, batch key, first check at the first reminder', () => {
    const order = planWork(review(), kase(), policy(), NOW);
    expect(order).toEqual({
      ok: true,
      value: {
        items: [
          {
            purpose: 'decision',
            queue: 'cleanliness-review',
            priority: { score: 20, reasons: ['amount ≥ 100'] },
            dueAt: '2026-11-23T12:00:00.000Z',
            reminderAt: ['2026-11-23T11:30:00.000Z', '2026-11-23T11:50:00.000Z'],
            sla: { nextCheckAt: '2026-11-23T11:30:00.000Z' },
            batchKey: JSON.stringify(['vehicle-cleanliness', 'cleanliness-review', 'dirty', '2.3.0']),
          },
        ],
      },
    });
  });

  it('checks a decision item first when its priority changes by itself (a booking coming near), before the first reminder', () => {
    const order = planWork(review(), kase({ nextBookingAt: '2026-11-23T14:00:00Z' }), policy(), NOW);
    expect(order.ok && order.value.items[0]).toMatchObject({ priority: { score: 0, reasons: [] }, sla: { nextCheckAt: '2026-11-23T11:00:00.000Z' } });
  });

  it('measures the due time on the queue calendar: a case opened out of hours is due two business hours after the next opening', () => {
    const order = planWork(review(), { ...kase(), openedAt: at('2026-11-23T05:00:00Z') }, anAdrPolicy({ queues: [aQueue({ calendar: aCalendar() })] }), NOW);
    // Berlin opens at 08:00 (07:00Z); 2 business hours → 09:00Z; the reminder 30 minutes before.
    expect(order.ok && order.value.items[0]).toMatchObject({ dueAt: '2026-11-23T09:00:00.000Z', reminderAt: ['2026-11-23T08:30:00.000Z'] });
  });

  it('adds the similarity basis when the queue batches by similarity, from the prediction only', () => {
    const similar = policy({ queues: [aQueue({ calendar: anAlwaysOpenCalendar(), batch: { enabled: true, groupBy: ['prediction.label'], minSize: 2, maxSize: 5, similarity: { minSimilarity: 0.8, contextFields: ['amount'] } } })] });
    const order = planWork(review(), kase({ amount: 150, customerId: 'cus-881' }), similar, NOW);
    expect(order.ok && order.value.items[0]?.similarityBasis).toEqual({ prediction: { label: 'dirty', confidence: 0.78, scores: { dirty: 0.78, clean: 0.22 } }, context: { amount: 150 } });
  });

  it('plans the blind review of a sampled automatic decision: no batch key, no re-rank', () => {
    const order = planWork(auto(true), kase({ nextBookingAt: '2026-11-23T14:00:00Z' }), policy(), NOW);
    expect(order.ok && order.value.items).toEqual([
      {
        purpose: 'blind-review',
        queue: 'cleanliness-review',
        priority: { score: 0, reasons: [] },
        dueAt: '2026-11-23T12:00:00.000Z',
        reminderAt: ['2026-11-23T11:30:00.000Z', '2026-11-23T11:50:00.000Z'],
        sla: { nextCheckAt: '2026-11-23T11:30:00.000Z' },
      },
    ]);
  });

  it('plans the blind labelling item of a low-band default flagged for enrichment, and nothing for one that is not', () => {
    const labelling = planWork(byDefault('band-low', true), kase(), policy(), NOW);
    expect(labelling.ok && labelling.value.items.map((i) => [i.purpose, i.queue, i.batchKey])).toEqual([['blind-review', 'cleanliness-review', undefined]]);
    expect(planWork(byDefault('band-low', false), kase(), policy(), NOW)).toEqual({ ok: true, value: { items: [] } });
    expect(planWork(auto(false), kase(), policy(), NOW)).toEqual({ ok: true, value: { items: [] } });
  });

  it('falls on the due time when no reminder comes after the case opened', () => {
    const order = planWork(review(), kase(), policy({ queues: [aQueue({ calendar: anAlwaysOpenCalendar(), sla: anSla({ remindBefore: ['PT3H'] }) })] }), NOW);
    expect(order.ok && order.value.items[0]?.sla).toEqual({ nextCheckAt: '2026-11-23T12:00:00.000Z' });
  });

  it('fails on a queue the policy does not have', () => {
    expect(planWork(review('no-such-queue'), kase(), policy(), NOW)).toMatchObject({ ok: false, error: { code: 'POLICY.UNKNOWN_QUEUE' } });
  });
});
