import { randomUUID } from 'node:crypto';
import { at, freshUseCase, insertRows, viewRows } from './fixture';

jest.setTimeout(120_000);

function example(useCase: string, caseId: string, source: string, label_status: string, human_outcome: string | null, minutes: number): Record<string, unknown> {
  return {
    example_id: `${caseId}/${source}`, event_id: randomUUID(), event_source: '/arbiter/fixture', event_type: 'arbiter.feedback.labelled.v1', event_time: at(minutes),
    case_id: caseId, use_case: useCase, source, label_status, model_name: 'vit', model_version: '2.3.0', predicted_label: 'dirty', confidence: 0.5,
    model_outcome: 'fee_charged', ...(human_outcome ? { human_outcome } : {}), evidence_uris: ['gs://e/1.jpg'], ingested_at: new Date().toISOString(),
  };
}

it('metrics_labelled_examples: labelled and pending examples per model version and source', async () => {
  const uc = freshUseCase('examples');
  const override = example(uc, 'c1', 'override', 'labelled', 'fee_waived', 5);
  await insertRows(
    [
      override,
      { ...override, event_id: randomUUID() }, // the same example again: one example
      example(uc, 'c2', 'enrichment', 'pending', null, 0),
      example(uc, 'c2', 'enrichment', 'labelled', 'fee_charged', 30), // labelled later by a person
      example(uc, 'c3', 'enrichment', 'pending', null, 0), // still waiting for a person
    ],
    'labelled_examples',
  );
  const rows = await viewRows('metrics_labelled_examples', uc, 'source');
  // enrichment: c2 (labelled: the person agreed with the model) and c3 (pending) → 2 examples, 1 labelled, 1 pending, 0 model wrong.
  // override: c1 once → 1 example, labelled, the model wrong (fee_waived ≠ fee_charged).
  expect(rows).toEqual([
    { use_case: uc, model_name: 'vit', model_version: '2.3.0', source: 'enrichment', examples: 2, labelled: 1, pending: 1, model_wrong: 0 },
    { use_case: uc, model_name: 'vit', model_version: '2.3.0', source: 'override', examples: 1, labelled: 1, pending: 0, model_wrong: 1 },
  ]);
});
