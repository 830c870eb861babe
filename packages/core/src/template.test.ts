import type { PredictionSubmitted } from './events';
import {
  postActionReportOf,
  MISSING,
  TEMPLATE_VIEW_KEYS,
  batchTemplateView,
  displayValue,
  formatPercent,
  renderTemplate,
  templateNames,
  templateView,
  type TemplateCase,
} from './template';

const prediction = (over: Partial<PredictionSubmitted> = {}): PredictionSubmitted => ({
  useCase: 'vehicle-cleanliness',
  subject: { type: 'booking', id: 'bk-1' },
  model: { name: 'cleanliness-vit', version: '2.3.0' },
  prediction: { label: 'dirty', confidence: 0.78, regions: [{ x: 0, y: 0, width: 1, height: 1 }] },
  evidence: [{ uri: 'gs://e/after-1.jpg', role: 'return', mediaType: 'image/jpeg' }],
  context: { nextBookingAt: '2026-11-21T14:00:00Z', amount: { value: 25, currency: 'EUR' }, customerId: 'cus-1' },
  ...over,
});

const aCase = (over: Partial<TemplateCase> = {}): TemplateCase => ({
  caseId: 'case-1',
  useCase: 'vehicle-cleanliness',
  policy: { id: 'vehicle-cleanliness', version: '3' },
  confidence: 0.78,
  band: 'medium',
  thresholds: { high: 0.9, low: 0.6 },
  prediction: prediction(),
  ...over,
});

describe('renderTemplate', () => {
  it('renders markdown without HTML escaping', () => {
    const out = renderTemplate('**{{context.note}}** & {{{context.note}}}', { context: { note: '<b>"a" & b</b>' } });
    expect(out).toBe('**<b>"a" & b</b>** & <b>"a" & b</b>');
  });

  it('renders missing, null and empty values as an em dash', () => {
    const out = renderTemplate('[{{a}}] [{{b}}] [{{c}}] [{{d.e}}] [{{{a}}}]', { b: null, c: ' ' });
    expect(out).toBe(`[${MISSING}] [${MISSING}] [${MISSING}] [${MISSING}] [${MISSING}]`);
  });

  it('keeps markdown checkboxes and renders sections over lists', () => {
    const md = ['- [ ] Approve', '{{#items}}', '| {{name}} | {{n}} |', '{{/items}}', '{{^none}}nothing{{/none}}'].join('\n');
    const out = renderTemplate(md, { items: [{ name: 'a', n: 1 }, { name: 'b' }] });
    expect(out).toBe(`- [ ] Approve\n| a | 1 |\n| b | ${MISSING} |\nnothing`);
  });

  it('throws on a malformed template', () => {
    expect(() => renderTemplate('{{#open}} never closed', {})).toThrow(/Unclosed section/);
  });
});

describe('displayValue', () => {
  it.each<[unknown, string]>([
    [0, '0'],
    [12.5, '12.5'],
    [true, 'Yes'],
    [false, 'No'],
    [['a', '', 'b'], 'a, b'],
    [[], MISSING],
    [{ value: 25, currency: 'EUR' }, '25.00 EUR'],
    [{ k: 1 }, '{"k":1}'],
    [Number.NaN, MISSING],
  ])('%p → %p', (value, expected) => {
    expect(displayValue(value)).toBe(expected);
  });
});

describe('templateView', () => {
  it('exposes prediction, context, confidence and band', () => {
    const view = templateView(aCase());
    expect(view).toMatchObject({
      caseId: 'case-1',
      useCase: 'vehicle-cleanliness',
      modelRef: 'cleanliness-vit@2.3.0',
      label: 'dirty',
      confidencePercent: '78%',
      band: 'medium',
      bandLabel: 'Medium',
      thresholds: { high: 0.9, low: 0.6, highPercent: '90%', lowPercent: '60%' },
      evidenceCount: 1,
      regionCount: 1,
      subject: { type: 'booking', id: 'bk-1' },
    });
    expect(view.context.amount).toEqual({ value: 25, currency: 'EUR' });
    expect(view.fastTrackApproved).toBeUndefined();
  });

  it('falls back to the prediction confidence and lists factors in name order', () => {
    const view = templateView({
      prediction: prediction({ prediction: { confidence: 0.855 }, factors: { risk_assessment: 0.7, business_impact: 0.9 } }),
    });
    expect(view.confidencePercent).toBe('85.5%');
    expect(view.factorList.map((f) => `${f.name}=${f.percent}`)).toEqual(['business_impact=90%', 'risk_assessment=70%']);
  });

  it('derives fast-track and human-review flags from routing', () => {
    const fast = templateView(aCase({ routing: { route: 'auto', reason: 'fast-track' }, matchedPattern: { caseId: 'c0', similarity: 0.91 } }));
    expect(fast.fastTrackApproved).toBe(true);
    expect(fast.humanReviewRequired).toBe(false);
    expect(fast.matchedPattern?.similarityPercent).toBe('91%');
    const reviewed = templateView(aCase({ routing: { route: 'review', reason: 'band-medium', queue: 'q' } }));
    expect(reviewed.fastTrackApproved).toBe(false);
    expect(reviewed.humanReviewRequired).toBe(true);
    expect(reviewed.queue).toBe('q');
  });

  it('has exactly the keys TEMPLATE_VIEW_KEYS names', () => {
    expect(Object.keys(templateView(aCase())).sort()).toEqual([...TEMPLATE_VIEW_KEYS].sort());
  });

  it('renders a realistic template end to end', () => {
    const md = '- **Model**: {{modelRef}}\n- **Confidence**: {{confidencePercent}} ({{bandLabel}})\n- **Fee**: {{context.amount}}\n- **Similarity**: {{matchedPattern.similarityPercent}}';
    expect(renderTemplate(md, templateView(aCase()))).toBe(
      `- **Model**: cleanliness-vit@2.3.0\n- **Confidence**: 78% (Medium)\n- **Fee**: 25.00 EUR\n- **Similarity**: ${MISSING}`,
    );
  });
});

describe('batchTemplateView', () => {
  const item = (endpoint: string, confidence: number, hours: number, migration: boolean, tables: string[]) =>
    aCase({
      confidence,
      prediction: prediction({ context: { endpoint, estimatedDevHours: hours, apiCategory: 'Journey Tracking', migration, tables } }),
    });

  it('merges contexts, sums numbers and keeps every item', () => {
    const view = batchTemplateView([item('POST /a', 0.82, 3, false, ['t1']), item('GET /b', 0.75, 5, true, ['t1', 't2'])]);
    expect(view.batch?.size).toBe(2);
    expect(view.batch?.sum.estimatedDevHours).toBe(8);
    expect(view.batch?.context).toMatchObject({ apiCategory: 'Journey Tracking', migration: true, tables: ['t1', 't2'], endpoint: ['POST /a', 'GET /b'] });
    expect(view.batch?.confidenceMinPercent).toBe('75%');
    expect(view.batch?.confidenceMaxPercent).toBe('82%');
    const md = 'Total: {{batch.size}} ({{batch.context.apiCategory}}, {{batch.sum.estimatedDevHours}} h)\n{{#batch.items}}\n| {{context.endpoint}} | {{confidencePercent}} |\n{{/batch.items}}';
    expect(renderTemplate(md, view)).toBe('Total: 2 (Journey Tracking, 8 h)\n| POST /a | 82% |\n| GET /b | 75% |\n');
  });

  it('renders an empty batch with dashes rather than failing', () => {
    const out = renderTemplate('{{batch.size}} {{batch.confidenceMinPercent}} {{caseId}}', batchTemplateView([]));
    expect(out).toBe(`0 ${MISSING} ${MISSING}`);
  });
});

describe('templateNames and formatPercent', () => {
  it('lists top-level names, including section names, not names inside sections', () => {
    expect(templateNames('{{a.b}} {{{c}}} {{#d.e}}{{inner}}{{/d.e}} {{^f}}x{{/f}} {{! comment }}').sort()).toEqual(['a.b', 'c', 'd.e', 'f']);
  });

  it('formats units as percentages', () => {
    expect(formatPercent(0.7)).toBe('70%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.8549)).toBe('85.5%');
  });
});

describe('postActionReportOf', () => {
  const prediction: PredictionSubmitted = {
    useCase: 'code-implementation',
    subject: { type: 'component', id: 'journey-service' },
    model: { name: 'code-reviewer', version: '4.1.0' },
    prediction: { confidence: 0.93 },
    context: { component: 'Journey service', requesterEmail: 'dev@example.com' },
  };
  const policy = {
    privacy: { redact: ['context.requesterEmail'], retention: { caseDays: 1, auditDays: 1, evidenceDays: 1 } },
    templates: [{ kind: 'post-action-report' as const, title: 'AUTO-APPROVAL IMPLEMENTATION REPORT', markdown: '{{context.component}} by {{context.requesterEmail}} at {{confidencePercent}}' }],
  };

  it('renders the policy’s post-action report with the PII paths redacted', () => {
    expect(postActionReportOf(policy, { prediction, confidence: 0.93 })).toEqual({ title: 'AUTO-APPROVAL IMPLEMENTATION REPORT', markdown: 'Journey service by [REDACTED] at 93%' });
  });

  it('is undefined for a policy without one', () => {
    expect(postActionReportOf({ privacy: policy.privacy, templates: [] }, { prediction })).toBeUndefined();
  });
});
