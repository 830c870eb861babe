/**
 * Threshold recommendations for leads (`GET /api/lead/thresholds`): from every case a person decided
 * or blind-reviewed (the audit trail in BigQuery: did the person's outcome equal the model's?), per use
 * case and model version, the lowest high threshold whose automatic decisions would reach the target
 * precision — with its bootstrap interval and the change it would make to the review queue's load
 * against the threshold in force (`adviseThresholds` in core). Nothing changes by itself: a lead
 * reads it and changes the policy.
 *
 * One reading at most every `refreshMs` per process; requests meanwhile share it.
 */
import { adviseThresholds, fail, ok, type Result, type ThresholdAdvice } from '@arbiter/core';
import type { PolicyRegistry } from '@arbiter/policy';
import type { Clock } from '@arbiter/platform';
import type { Principal } from '../auth';
import { mayViewLeadOverview } from '../access';
import type { AuditQueries } from '../ports';

export interface ThresholdsPage {
  generatedAt: string;
  targetPrecision: number;
  /** Labelled outcomes the recommendations rest on. */
  examples: number;
  recommendations: Array<ThresholdAdvice & { useCase: string }>;
}

export interface ThresholdsDeps {
  policies: PolicyRegistry;
  clock: Clock;
  audit: AuditQueries;
  refreshMs: number;
  targetPrecision?: number;
  resamples?: number;
}

const bool = (v: unknown): boolean => v === true || v === 'true';

/** The labelled outcomes: one per case a person decided or blind-reviewed, deduplicated by event identity. */
export function labelledOutcomesSql(auditTable: string): string {
  // Deduplicated like audit_events_dedup (first row per event identity), but only over the rows needed
  // (the view aggregates the whole table before any filter: minutes on the emulator once it is full).
  return `WITH trail AS (
      SELECT first_row.* FROM (
        SELECT ARRAY_AGG(t ORDER BY t.ingested_at LIMIT 1)[OFFSET(0)] AS first_row
        FROM ${auditTable} t
        WHERE t.state IN ('reviewed', 'decided') AND t.use_case NOT LIKE 'fx-%'
        GROUP BY t.event_source, t.event_id
      )
    )
    SELECT d.use_case, d.model_version, d.confidence, r.outcome = r.model_outcome AS agreed
    FROM trail r
    JOIN trail d ON d.case_id = r.case_id AND d.state = 'decided'
    WHERE r.state = 'reviewed' AND r.review_purpose IN ('decision', 'blind-review') AND r.model_outcome IS NOT NULL AND d.confidence IS NOT NULL`;
}

export function createThresholdsPage(deps: ThresholdsDeps) {
  const target = deps.targetPrecision ?? 0.95;
  let cached: { at: number; page: ThresholdsPage } | undefined;
  let inFlight: Promise<ThresholdsPage> | undefined;

  const read = async (): Promise<ThresholdsPage> => {
    const rows = await deps.audit.query(labelledOutcomesSql(deps.audit.table('audit_events')));
    const recommendations: ThresholdsPage['recommendations'] = [];
    for (const useCase of [...new Set(rows.map((r) => String(r.use_case)))].sort()) {
      const policy = deps.policies.get(useCase);
      if (!policy.ok) continue; // a use case no longer served: nothing to recommend for
      const examples = rows.filter((r) => r.use_case === useCase).map((r) => ({ modelVersion: String(r.model_version), confidence: Number(r.confidence), agreed: bool(r.agreed) }));
      const advice = adviseThresholds(examples, { targetPrecision: target, low: policy.value.bands.default.low, currentHigh: policy.value.bands.default.high, minSupport: 3, resamples: deps.resamples ?? 500, seed: 1 });
      for (const a of advice) recommendations.push({ useCase, ...a });
    }
    return { generatedAt: deps.clock.now().toISOString(), targetPrecision: target, examples: rows.length, recommendations };
  };

  return async (p: Principal): Promise<Result<ThresholdsPage>> => {
    if (!mayViewLeadOverview(p)) return fail({ code: 'AUTH.FORBIDDEN', message: 'threshold recommendations are for leads and admins' });
    const now = deps.clock.now().getTime();
    if (cached && now - cached.at < deps.refreshMs) return ok(cached.page);
    inFlight ??= read()
      .then((page) => {
        cached = { at: deps.clock.now().getTime(), page };
        return page;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return ok(await inFlight);
  };
}
