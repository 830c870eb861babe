/**
 * The fault suite's history checker (pure): from what reached `arbiter-decisions`, `arbiter-escalations`
 * and the BigQuery audit trail — never from Arbiter's own counters — whether every prediction got
 * exactly one decision, whether any case was left with nothing a reviewer could claim, whether the
 * audit trail has one row per state change, whether escalations fired at most once per level and never
 * early, and how long Arbiter took to catch up after each fault.
 */

export type CaseKind = 'auto' | 'default' | 'review';
export type ServiceName = 'confidence-assessor' | 'router' | 'review-queue' | 'sla-escalator' | 'audit-exporter';
export type FaultKind = 'kill' | 'pause' | 'nack-storm' | 'duplicate-publish' | 'decide-at-expiry';

export interface PlannedCase {
  caseId: string;
  kind: CaseKind;
  publishedAt: number;
}

export interface ObservedDecision {
  ceId: string;
  caseId: string;
  outcome: string;
  decidedBy: string;
  receivedAt: number;
}

export interface ObservedEscalation {
  ceId: string;
  caseId: string;
  /** The queue item the escalation is about (`<caseId>~<purpose>`), from the ce-id. */
  itemId: string;
  level: string;
  /** What fired: `reminder:PT10S`, `escalated`, `on-call`. */
  key: string;
  dueAt: number;
  escalatedAt: number;
}

export interface AuditRowLite {
  caseId: string;
  eventType: string;
  eventId: string;
  eventSource: string;
  state: string;
  /** For `redriven` rows, `STEP_OVERDUE.<step>`. */
  reasonCode?: string;
}

export interface InjectedFault {
  kind: FaultKind;
  /** The service it hit (none for workload faults such as duplicate publishes). */
  service?: ServiceName;
  at: number;
  /** When the fault was over (the service answered again, the pause or storm ended). */
  endedAt: number;
}

export interface History {
  cases: readonly PlannedCase[];
  decisions: readonly ObservedDecision[];
  escalations: readonly ObservedEscalation[];
  /** The audit view (`audit_events_dedup`): what analysts read. */
  audit: readonly AuditRowLite[];
  /** Rows of the raw table beyond one per event (a redelivery that got past the exporter's ledger): the view absorbs them. */
  rawDuplicateRows: number;
  faults: readonly InjectedFault[];
  /** Cases without a decision at the end, and whether the review API offered an item of theirs to claim. */
  undecidedWithItem: ReadonlySet<string>;
  /** Undecided cases Arbiter does not know (the review API answers 404): the prediction never reached it. */
  neverReceived: ReadonlySet<string>;
  /** Evidence requests the simulated reviewers made, and the cases whose request the simulated crew never answered. */
  evidence: { requested: number; unanswered: readonly string[] };
  /** How early before its due time the SLA makes each escalation key due (reminders: `remindBefore`). */
  leadOf: (key: string) => number;
}

export interface Verdict {
  cases: number;
  byKind: Record<CaseKind, number>;
  faults: Record<string, number>;
  /** Received by Arbiter (it knows the case) and never decided. */
  lost: number;
  /**
   * Predictions that never reached Arbiter: no case, no decision. Pub/Sub loses nothing it has not
   * delivered and had acked; on the emulator this is its dead-stream defect (infra/EMULATOR-NOTES.md).
   */
  neverReceived: number;
  /** More than one distinct decision (ce-id, or the same ce-id with another outcome or decider). */
  decidedTwice: number;
  /** Not decided and nothing claimable: a stalled case. */
  stranded: number;
  /** Audit view rows beyond one per event, or beyond one per once-only state change (opened, routed, decided) of a case. */
  duplicateAuditRows: number;
  /** Raw-table rows beyond one per event, which the view absorbs (informational). */
  rawDuplicateRows: number;
  /** Decisions, openings and routings seen without their audit row. */
  missingAuditRows: number;
  /** Re-drives the reconciler recorded (audit rows with state `redriven`). */
  redriven: number;
  /** The same, by step (`route`, `enqueue`, `requeue`: an evidence request nobody answered in time). */
  redrivenByStep: Record<string, number>;
  /**
   * Evidence requests made, and left unanswered by the crew on purpose; of those, the cases the reconciler
   * put back in the queue (a `redriven` row with `STEP_OVERDUE.requeue`) and those decided without (the
   * expiry came first, e.g. while the escalator was down). A case in neither is counted as lost above.
   */
  evidence: { requested: number; unanswered: number; requeued: number; decidedWithoutRequeue: number };
  /** Escalation keys of one item that fired with more than one distinct event. */
  escalationsTwice: number;
  /** Escalations whose event time was before the level was due. */
  escalationsEarly: number;
  /** Escalations of quality items (blind review, double review, golden): nobody waits on those. */
  qualityPages: number;
  /** Per fault: from its end until every automatic or default case published before that end was decided (ms). */
  recoveryMs: { p50: number | null; max: number | null; samples: number };
  /** From the end of the last fault to the last decision (ms). */
  lastFaultToLastDecisionMs: number | null;
  /** Examples, for a failing run. */
  examples: { lost: string[]; neverReceived: string[]; decidedTwice: string[]; stranded: string[]; duplicateAuditRows: string[]; missingAuditRows: string[]; escalationsEarly: string[]; qualityPages: string[] };
}

/** State changes a case goes through once: a second row of one is a second opening, routing or decision. */
const ONCE_ONLY_STATES: readonly string[] = ['opened', 'routed', 'decided'];

const percentile = (sorted: readonly number[], p: number): number | null => (sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number));

export function checkHistory(history: History): Verdict {
  const examples: Verdict['examples'] = { lost: [], neverReceived: [], decidedTwice: [], stranded: [], duplicateAuditRows: [], missingAuditRows: [], escalationsEarly: [], qualityPages: [] };
  const note = (list: string[], value: string): void => {
    if (list.length < 10) list.push(value);
  };
  const planned = new Set(history.cases.map((c) => c.caseId));

  // Decisions: one distinct event per case. Redeliveries of one event (same ce-id, same content) are fine.
  const decisionsOf = new Map<string, Set<string>>();
  const firstDecisionAt = new Map<string, number>();
  for (const d of history.decisions) {
    if (!planned.has(d.caseId)) continue;
    const set = decisionsOf.get(d.caseId) ?? new Set<string>();
    set.add(`${d.ceId}|${d.outcome}|${d.decidedBy}`);
    decisionsOf.set(d.caseId, set);
    firstDecisionAt.set(d.caseId, Math.min(firstDecisionAt.get(d.caseId) ?? Number.POSITIVE_INFINITY, d.receivedAt));
  }
  let lost = 0;
  let neverReceived = 0;
  let decidedTwice = 0;
  let stranded = 0;
  for (const c of history.cases) {
    const count = decisionsOf.get(c.caseId)?.size ?? 0;
    if (count === 0 && history.neverReceived.has(c.caseId)) {
      neverReceived += 1;
      note(examples.neverReceived, c.caseId);
    } else if (count === 0) {
      lost += 1;
      note(examples.lost, c.caseId);
      if (!history.undecidedWithItem.has(c.caseId)) {
        stranded += 1;
        note(examples.stranded, c.caseId);
      }
    } else if (count > 1) {
      decidedTwice += 1;
      note(examples.decidedTwice, c.caseId);
    }
  }

  // Audit: one row per (source, event id); the opening, routing and decision of every case present.
  const rowsById = new Map<string, number>();
  const statesOf = new Map<string, Set<string>>();
  const onceOnly = new Map<string, number>();
  let redriven = 0;
  const redrivenByStep: Record<string, number> = {};
  const requeuedCases = new Set<string>();
  for (const row of history.audit) {
    if (!planned.has(row.caseId)) continue;
    const key = `${row.eventSource}|${row.eventId}`;
    rowsById.set(key, (rowsById.get(key) ?? 0) + 1);
    const states = statesOf.get(row.caseId) ?? new Set<string>();
    states.add(row.state);
    statesOf.set(row.caseId, states);
    if (ONCE_ONLY_STATES.includes(row.state)) onceOnly.set(`${row.caseId}:${row.state}`, (onceOnly.get(`${row.caseId}:${row.state}`) ?? 0) + 1);
    if (row.state === 'redriven') {
      redriven += 1;
      const step = (row.reasonCode ?? '').replace(/^STEP_OVERDUE\./, '') || 'unknown';
      redrivenByStep[step] = (redrivenByStep[step] ?? 0) + 1;
      if (step === 'requeue') requeuedCases.add(row.caseId);
    }
  }
  let duplicateAuditRows = 0;
  for (const [key, count] of rowsById) {
    if (count > 1) {
      duplicateAuditRows += count - 1;
      note(examples.duplicateAuditRows, key);
    }
  }
  for (const [key, count] of onceOnly) {
    if (count > 1) {
      duplicateAuditRows += count - 1;
      note(examples.duplicateAuditRows, key);
    }
  }
  let missingAuditRows = 0;
  for (const c of history.cases.filter((candidate) => !history.neverReceived.has(candidate.caseId))) {
    const states = statesOf.get(c.caseId) ?? new Set<string>();
    const wanted = ['opened', 'routed', ...(decisionsOf.has(c.caseId) ? ['decided'] : [])];
    for (const state of wanted) {
      if (!states.has(state)) {
        missingAuditRows += 1;
        note(examples.missingAuditRows, `${c.caseId}:${state}`);
      }
    }
  }

  // Escalations: each key of each item once, never before it was due, never for quality work.
  const escalationEvents = new Map<string, Set<string>>();
  let escalationsEarly = 0;
  let qualityPages = 0;
  const seenEarly = new Set<string>();
  const seenQuality = new Set<string>();
  for (const e of history.escalations) {
    if (!planned.has(e.caseId)) continue;
    const key = `${e.itemId}|${e.key}`;
    const set = escalationEvents.get(key) ?? new Set<string>();
    set.add(e.ceId);
    escalationEvents.set(key, set);
    if (e.escalatedAt < e.dueAt - history.leadOf(e.key) && !seenEarly.has(e.ceId)) {
      seenEarly.add(e.ceId);
      escalationsEarly += 1;
      note(examples.escalationsEarly, e.ceId);
    }
    if (!e.itemId.endsWith('~decision') && !seenQuality.has(e.ceId)) {
      seenQuality.add(e.ceId);
      qualityPages += 1;
      note(examples.qualityPages, e.ceId);
    }
  }
  const escalationsTwice = [...escalationEvents.values()].filter((set) => set.size > 1).length;

  // Recovery: after each fault, how long until every automatic/default case published before its end was decided.
  const machine = history.cases.filter((c) => c.kind !== 'review');
  const recoveries: number[] = [];
  for (const fault of history.faults.filter((f) => f.service !== undefined)) {
    const before = machine.filter((c) => c.publishedAt <= fault.endedAt && !history.neverReceived.has(c.caseId));
    if (before.length === 0) continue;
    const decidedAt = before.map((c) => firstDecisionAt.get(c.caseId));
    if (decidedAt.some((t) => t === undefined)) continue; // counted as lost above
    recoveries.push(Math.max(0, Math.max(...(decidedAt as number[])) - fault.endedAt));
  }
  recoveries.sort((a, b) => a - b);
  const lastFaultEnd = Math.max(...history.faults.filter((f) => f.service !== undefined).map((f) => f.endedAt), Number.NEGATIVE_INFINITY);
  const lastDecision = Math.max(...firstDecisionAt.values(), Number.NEGATIVE_INFINITY);

  const byKind: Record<CaseKind, number> = { auto: 0, default: 0, review: 0 };
  for (const c of history.cases) byKind[c.kind] += 1;
  const faults: Record<string, number> = {};
  for (const f of history.faults) {
    const name = f.service ? `${f.kind} ${f.service}` : f.kind;
    faults[name] = (faults[name] ?? 0) + 1;
  }
  return {
    cases: history.cases.length,
    byKind,
    faults,
    lost,
    neverReceived,
    decidedTwice,
    stranded,
    duplicateAuditRows,
    rawDuplicateRows: history.rawDuplicateRows,
    missingAuditRows,
    redriven,
    redrivenByStep,
    evidence: {
      requested: history.evidence.requested,
      unanswered: history.evidence.unanswered.length,
      requeued: history.evidence.unanswered.filter((caseId) => requeuedCases.has(caseId)).length,
      decidedWithoutRequeue: history.evidence.unanswered.filter((caseId) => !requeuedCases.has(caseId) && decisionsOf.has(caseId)).length,
    },
    escalationsTwice,
    escalationsEarly,
    qualityPages,
    recoveryMs: { p50: percentile(recoveries, 0.5), max: percentile(recoveries, 1), samples: recoveries.length },
    lastFaultToLastDecisionMs: Number.isFinite(lastFaultEnd) && Number.isFinite(lastDecision) ? Math.max(0, lastDecision - lastFaultEnd) : null,
    examples,
  };
}
