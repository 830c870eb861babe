/**
 * The work order of a routed case (HITL-OPT stage 3, ADR-0016 §2): every queue item the review-queue
 * creates for it, with its priority, due time, reminders, first SLA check, batch key and similarity
 * basis. The router plans it here, once, and carries it in `case.routed`; the review-queue creates
 * exactly these items (through `openItem`) and computes none of it again.
 *
 * What a routing decision asks a person for:
 * - review: a decision item in the route's queue;
 * - auto, sampled for blind review: a blind-review item in the blind-review queue;
 * - a low-band policy default the policy flags for dataset enrichment: a blind-review item in the
 *   blind-review queue (blind labelling: the reviewer sees neither the model's call nor the default;
 *   the verdict becomes a labelled example).
 *
 * Each item: priority from the queue's rules at routing time; due time on the queue's SLA and calendar
 * from when the case opened (a priority `slaTarget` may make it sooner); the reminders before it; the
 * first check at the first reminder after the case opened (else the due time), or sooner when the
 * priority of a decision item can change by itself (a booking coming near: the escalator re-ranks it).
 * Decision items in a batching queue get a batch key, and a similarity basis when the queue batches by
 * similarity.
 */
import type { Policy, QueueSpec } from './policy';
import type { PredictionSubmitted, WorkOrder, WorkOrderItem, WorkPurpose } from './events';
import type { RouteDecision } from './routing';
import { blindReviewQueueOf } from './routing';
import { nextPriorityChangeAt, priorityScore } from './priority';
import { caseDueAt, reminderTimes } from './sla';
import { batchKey, similarityBasisOf } from './batching';
import { fail, ok, type Failure, type Result } from './result';

/** The case as the planner reads it. */
export interface WorkCase {
  useCase: string;
  prediction: PredictionSubmitted;
  openedAt: Date;
}

/** Which items a routing decision asks for, and in which queue (see the file comment). */
export function wantedWork(decision: RouteDecision, policy: Policy): Array<{ purpose: WorkPurpose; queue: string }> {
  switch (decision.route) {
    case 'review':
      return [{ purpose: 'decision', queue: decision.queue }];
    case 'auto':
      return decision.blindReview ? [{ purpose: 'blind-review', queue: decision.blindReviewQueue ?? blindReviewQueueOf(policy) }] : [];
    case 'default':
      return decision.reason === 'band-low' && decision.enrichment ? [{ purpose: 'blind-review', queue: blindReviewQueueOf(policy) }] : [];
  }
}

/** The work order of `decision`, routed at `now`; fails (`POLICY.UNKNOWN_QUEUE`) when the policy lacks a queue it names. */
export function planWork(decision: RouteDecision, kase: WorkCase, policy: Policy, now: Date): Result<WorkOrder, Failure> {
  const items: WorkOrderItem[] = [];
  for (const wanted of wantedWork(decision, policy)) {
    const queue = policy.queues.find((q) => q.id === wanted.queue);
    if (queue === undefined) return fail({ code: 'POLICY.UNKNOWN_QUEUE', message: `policy ${policy.id}@${policy.version} has no queue ${wanted.queue}` });
    items.push(planItem(wanted.purpose, queue, kase, now));
  }
  return ok({ items });
}

function planItem(purpose: WorkPurpose, queue: QueueSpec, kase: WorkCase, now: Date): WorkOrderItem {
  const scored = priorityScore(kase.prediction, queue.priority, now);
  const dueAt = caseDueAt(kase.openedAt, queue.sla, queue.calendar, scored.slaTarget);
  const reminderAt = reminderTimes(dueAt, queue.sla, queue.calendar).map((r) => r.at);
  const opened = kase.openedAt.getTime();
  const due = dueAt.getTime();
  const firstReminder = reminderAt.map((d) => d.getTime()).find((t) => t > opened && t < due);
  const rerankAt = purpose === 'decision' ? nextPriorityChangeAt(kase.prediction, queue.priority, now)?.getTime() : undefined;
  const nextCheckAt = Math.min(firstReminder ?? due, rerankAt ?? Number.POSITIVE_INFINITY);
  const key = purpose === 'decision' ? batchKey(kase.useCase, queue.id, kase.prediction, queue.batch) : undefined;
  const similarity = key !== undefined ? queue.batch?.similarity : undefined;
  return {
    purpose,
    queue: queue.id,
    priority: { score: scored.score, reasons: scored.reasons },
    dueAt: dueAt.toISOString(),
    reminderAt: reminderAt.map((d) => d.toISOString()),
    sla: { nextCheckAt: new Date(nextCheckAt).toISOString() },
    ...(key !== undefined ? { batchKey: key } : {}),
    ...(similarity !== undefined ? { similarityBasis: similarityBasisOf(kase.prediction, similarity) } : {}),
  };
}
