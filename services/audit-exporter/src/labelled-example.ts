/**
 * Labelled examples for retraining (ADR-0016 §5, pure): a row of `arbiter_audit.labelled_examples`
 * (schemas/bigquery/labelled_examples.json) from
 * - `feedback.labelled` — a person's label: an override (the reviewer decided otherwise than the
 *   model), or the label of a low-band case a reviewer labelled later (`source: enrichment`);
 * - `enrichment.flagged` — a low-band case decided by the policy's customer-favourable default and
 *   flagged for dataset enrichment: a `pending` example, labelled when a person reviews it (the
 *   review-queue offers such cases for blind labelling, and its verdict comes back as
 *   `feedback.labelled` source `enrichment`).
 * Nothing here carries free text or PII: model, prediction, outcomes, reason code, evidence links.
 */
import { EventTypes, type ArbiterEvent } from '@arbiter/contract';
import { modelOutcomeOf, type Policy } from '@arbiter/core';

export const LABELLED_EXAMPLES_TABLE = 'labelled_examples';

export interface LabelledExampleRow {
  example_id: string;
  event_id: string;
  event_source: string;
  event_type: string;
  event_time: string;
  case_id: string;
  use_case: string;
  source: string;
  label_status: 'labelled' | 'pending';
  model_name: string | null;
  model_version: string | null;
  predicted_label: string | null;
  confidence: number | null;
  model_outcome: string | null;
  human_outcome: string | null;
  human_label: string | null;
  reason_code: string | null;
  evidence_uris: string[];
  policy_id: string | null;
  policy_version: string | null;
  ingested_at: string;
}

export function toLabelledExampleRow(event: ArbiterEvent, policy: Pick<Policy, 'id' | 'version'> & Partial<Pick<Policy, 'modelOutcome'>>, ingestedAt: Date): LabelledExampleRow | undefined {
  const common = {
    event_id: event.id,
    event_source: event.source,
    event_type: event.type,
    event_time: new Date(event.time ?? ingestedAt.toISOString()).toISOString(),
    policy_id: policy.id,
    policy_version: policy.version,
    ingested_at: ingestedAt.toISOString(),
  };
  const modelOutcome = (label: string | undefined): string | null => (policy.modelOutcome ? modelOutcomeOf(policy as Policy, label) : null);
  if (event.type === EventTypes.feedbackLabelled) {
    const d = (event as ArbiterEvent<typeof EventTypes.feedbackLabelled>).data;
    return {
      ...common,
      example_id: `${d.caseId}/${d.source}`,
      case_id: d.caseId,
      use_case: d.useCase,
      source: d.source,
      label_status: 'labelled',
      model_name: d.model.name,
      model_version: d.model.version,
      predicted_label: d.prediction.label ?? null,
      confidence: d.prediction.confidence,
      model_outcome: modelOutcome(d.prediction.label),
      human_outcome: d.outcome,
      human_label: d.humanLabel ?? null,
      reason_code: d.reasonCode ?? null,
      evidence_uris: d.evidence,
    };
  }
  if (event.type === EventTypes.enrichmentFlagged) {
    const d = (event as ArbiterEvent<typeof EventTypes.enrichmentFlagged>).data;
    return {
      ...common,
      example_id: `${d.caseId}/enrichment`,
      case_id: d.caseId,
      use_case: d.useCase,
      source: 'enrichment',
      label_status: 'pending',
      model_name: d.model.name,
      model_version: d.model.version,
      predicted_label: d.prediction.label ?? null,
      confidence: d.prediction.confidence,
      model_outcome: modelOutcome(d.prediction.label),
      human_outcome: null,
      human_label: null,
      reason_code: d.reason,
      evidence_uris: d.evidence,
    };
  }
  return undefined;
}
