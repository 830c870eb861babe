import type { CaseDoc } from './documents';
import { caseAuditFactsOf } from './decision';

const subject = { type: 'booking', id: 'bk-1' };
const model = { name: 'cleanliness-vit', version: '2.3.0' };
const opened: CaseDoc = {
  caseId: 'case-1',
  useCase: 'vehicle-cleanliness',
  policy: { id: 'vehicle-cleanliness', version: '3' },
  subject,
  model,
  prediction: { useCase: 'vehicle-cleanliness', subject, model, prediction: { label: 'dirty', confidence: 0.78 }, category: 'operational' },
  confidence: 0.78,
  confidenceSource: 'prediction',
  band: 'medium',
  thresholds: { high: 0.9, low: 0.6 },
  sourceEvent: { id: 'pred-1', source: '//vision' },
  status: 'in-review',
  openedAt: Date.parse('2026-11-21T12:00:00.123Z'),
};

describe('caseAuditFactsOf', () => {
  it('a review route: opening time to the millisecond, label, category, the queue and its priority reasons', () => {
    const routed: CaseDoc = { ...opened, route: { kind: 'review', reason: 'band-medium', rationale: 'x', queue: 'cleanliness-review', priority: { score: 50, reasons: ['next-booking-3h'] }, routedAt: 1 } };
    expect(caseAuditFactsOf(routed)).toEqual({ openedAt: '2026-11-21T12:00:00.123Z', label: 'dirty', category: 'operational', queue: 'cleanliness-review', priorityReasons: ['next-booking-3h'] });
  });

  it('an automatic route (even with a blind-review queue) or none yet: no queue; no label or category invented', () => {
    const auto: CaseDoc = { ...opened, route: { kind: 'auto', reason: 'band-high', rationale: 'x', blindReview: true, blindReviewQueue: 'cleanliness-review', routedAt: 1 } };
    expect(caseAuditFactsOf(auto)).toEqual({ openedAt: '2026-11-21T12:00:00.123Z', label: 'dirty', category: 'operational' });
    const bare: CaseDoc = { ...opened, prediction: { useCase: 'vehicle-cleanliness', subject, model, prediction: { confidence: 0.78 } } };
    expect(caseAuditFactsOf(bare)).toEqual({ openedAt: '2026-11-21T12:00:00.123Z' });
  });

  it('a golden case: its known answer', () => {
    const golden = { ...opened, route: { kind: 'review' as const, reason: 'band-medium' as const, rationale: 'review', queue: 'cleanliness-review', priority: { score: 0, reasons: [] }, routedAt: 1 }, golden: { goldenId: 'g-1', expectedOutcome: 'fee_applied' } };
    expect(caseAuditFactsOf(golden)).toMatchObject({ queue: 'cleanliness-review', priorityReasons: [], goldenExpectedOutcome: 'fee_applied' });
  });
});
