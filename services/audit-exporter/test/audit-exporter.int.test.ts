import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub } from '@google-cloud/pubsub';
import { Collections } from '@arbiter/case-store';
import { BigQueryDataset, BigQueryTables, deadLetterInspectionOf, EventTypes, SubscriptionNames, Topics, toPubSubMessage, type ArbiterEvent } from '@arbiter/contract';
import { provisionPubSub, pubSubClient } from '@arbiter/local-stack';
import { waitUntil } from '@arbiter/testing';
import { createFirestore, createLogger, PubSubEventPublisher, ServiceHost, systemClock, type Logger, noPushCallers } from '@arbiter/platform';
import { loadPolicies } from '@arbiter/policy';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildAuditExporterApp } from '../src/app';
import { FirestoreAuditLedger, FirestoreCaseUseCaseProjection } from '../src/audit-ledger.firestore';
import { BigQueryAuditSink } from '../src/audit-sink.bigquery';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQuery, queryRows } from '../src/client.bigquery';
import { anEvent, caseDecided, caseOpened, caseReviewed, caseRouted, decisionMade, evidenceRequested } from '../src/events.test-support';
import { auditedEventOf, ledgerKeyOf } from '../src/record-event';
import { loadViews } from '../src/views';
import { ensureViews } from '../src/views.bigquery';

/**
 * The audit exporter against the real emulators: events published on the real topics reach BigQuery
 * as one redacted row each; redeliveries add nothing to the dedup view; invalid events are
 * dead-lettered with their reason.
 */
jest.setTimeout(120_000);

const projectId = process.env.ARBITER_PROJECT_ID ?? 'arbiter-local';
// Pub/Sub and Firestore in a project of their own (BigQuery stays in the suite's: its emulator serves one
// project). Other test files run audit exporters on the suite project's subscriptions, and in 3 of
// about 15 full runs this file's evidence.requested had no row after 20 s, even with those
// subscriptions sought to now (most likely a delivery lost to a stream a gone subscriber left
// behind, redelivered only after its ack deadline: infra/EMULATOR-NOTES.md).
const messaging = `audit-test-${randomUUID().slice(0, 8)}`;
const dataset = BigQueryDataset.id;
const table = `\`${projectId}.${dataset}.${BigQueryTables.audit}\``;
const view = `\`${projectId}.${dataset}.audit_events_dedup\``;

let bigquery: BigQuery;
let firestore: Firestore;
let pubsub: PubSub;
let publisher: PubSubEventPublisher;
let host: ServiceHost;
let logger: Logger;

const query = <T = Record<string, unknown>>(sql: string, params: Record<string, string>): Promise<T[]> => queryRows<T>(bigquery, sql, params);

const handled = (subscription: string): number => host.counters.get(subscription)?.byOutcome.handled ?? 0;
const rowsOf = (from: string, caseId: string) =>
  query<{ event_id: string; state: string; actor_kind: string; actor_id: string | null; outcome: string | null; reason_code: string | null; customer_favorable: boolean | null; evidence_uris: string[]; model_version: string | null; threshold_high: number | null; policy_version: string | null; payload_json: string }>(
    `SELECT event_id, state, actor_kind, actor_id, outcome, reason_code, customer_favorable, evidence_uris, model_version, threshold_high, policy_version, payload AS payload_json FROM ${from} WHERE case_id = @caseId ORDER BY event_time, event_id`,
    { caseId },
  );
const countOf = async (from: string, caseId: string): Promise<number> => Number((await query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${from} WHERE case_id = @caseId`, { caseId }))[0]?.n ?? -1);

beforeAll(async () => {
  // Logged to a file, so a failed run shows what the exporter received, wrote and dead-lettered.
  const logDir = path.join(__dirname, '..', '..', '..', '.arbiter', 'logs', 'jest');
  mkdirSync(logDir, { recursive: true });
  logger = createLogger({ service: 'audit-exporter-test', level: 'debug', destination: createWriteStream(path.join(logDir, 'audit-exporter-test.log'), { flags: 'a' }) });
  bigquery = createBigQuery(projectId, process.env.BIGQUERY_EMULATOR_HOST ?? '');
  firestore = createFirestore(messaging);
  pubsub = pubSubClient(messaging, process.env.PUBSUB_EMULATOR_HOST ?? '');
  await provisionPubSub(pubsub);
  publisher = new PubSubEventPublisher(pubsub);
  const policies = loadPolicies(path.join(__dirname, '..', '..', '..', 'policies'));
  if (!policies.ok) throw new Error(policies.error.message);

  const views = loadViews(projectId, dataset);
  const created = await ensureViews(bigquery, dataset, views);
  expect(Object.keys(created)[0]).toBe('audit_events_dedup'); // the views build on it, so it comes first
  expect(Object.keys(created)).toEqual(expect.arrayContaining(['metrics_decision_mix', 'metrics_sla_adherence', 'metrics_human_alignment', 'metrics_reviewer_agreement', 'metrics_golden_accuracy']));
  expect(new Set(Object.values(await ensureViews(bigquery, dataset, views)))).toEqual(new Set(['unchanged']));

  host = new ServiceHost({ service: 'audit-exporter', projectId: messaging, logger, delivery: 'pull', backoffBeforeNack: false, maxInFlight: 50, pushAuth: noPushCallers });
  buildAuditExporterApp({
    host,
    sink: new BigQueryAuditSink(bigquery, dataset),
    ledger: new FirestoreAuditLedger(firestore),
    caseUseCases: new FirestoreCaseUseCaseProjection(firestore),
    policies: policies.value,
    clock: systemClock,
    logger,
    config: { batchMaxRows: 50, batchMaxWaitMs: 200, batchIdleMs: 25, insertAttempts: 5, retryStartMs: 100, retryMaxMs: 1000 },
  });
  await host.start(0, '127.0.0.1');
});

afterAll(async () => {
  await host?.close();
  await publisher?.close();
  await pubsub?.close();
  await firestore?.terminate();
});

it('writes one row per event, with PII and free text redacted before it leaves', async () => {
  const caseId = `case_${randomUUID()}`;
  // The decision as its decider publishes it: decision.made.v1 and v2 on arbiter-decisions, case.decided on arbiter-cases.
  const decision = decisionMade(caseId);
  const decisionV2 = anEvent(EventTypes.decisionMadeV2, decision.data, { source: decision.source, id: `dec2_${caseId}`, time: decision.time });
  // evidence.submitted names no use case: the exporter's projection, written from case.opened, attributes it
  // (delivered first, it is redelivered until the projection has it).
  const submitted = anEvent(EventTypes.evidenceSubmitted, { caseId, evidence: [{ uri: 'gs://evidence/bk-20261121-0042/after-2.jpg' }], submittedBy: 'crew-4' }, { source: '//crew-app' });
  const decisions = SubscriptionNames.recordOnDecisionMade;
  const decisionsBefore = handled(decisions);
  const events: ArbiterEvent[] = [caseOpened(caseId, 'cus-881'), caseRouted(caseId), caseReviewed(caseId, 'Jane Doe phoned: seat was stained before'), evidenceRequested(caseId), submitted, decision, decisionV2, caseDecided(caseId, decision)];
  for (const event of events) await publisher.publish(event);

  const rows = await waitUntil('six lifecycle rows of the case in the view', async () => {
    const found = await rowsOf(view, caseId);
    return found.length >= 6 && found;
  });
  expect(rows.map((r) => r.state).sort()).toEqual(['decided', 'evidence_requested', 'evidence_submitted', 'opened', 'reviewed', 'routed']);
  // decision.made v1 and v2 were handled, and added no row of their own: the decided row is v1's, from case.decided.
  await waitUntil('decision.made v1 and v2 handled', () => handled(decisions) >= decisionsBefore + 2);
  expect(await countOf(table, caseId)).toBe(6);
  const [decided] = await query<{ event_id: string; event_type: string; event_source: string; queue: string | null; opened_at: string | null; model_outcome: string | null }>(
    `SELECT event_id, event_type, event_source, queue, FORMAT_TIMESTAMP('%FT%TZ', opened_at) AS opened_at, model_outcome FROM ${view} WHERE case_id = @caseId AND state = 'decided'`,
    { caseId },
  );
  expect(decided).toEqual({ event_id: decision.id, event_type: EventTypes.decisionMade, event_source: decision.source, queue: 'cleanliness-review', opened_at: '2026-11-21T12:00:00Z', model_outcome: 'fee_applied' });
  expect(rows.find((r) => r.state === 'evidence_submitted')).toMatchObject({ actor_kind: 'human', actor_id: 'crew-4' });
  const projected = (await firestore.collection(Collections.auditCaseUseCases).doc(caseId).get()).data();
  expect(projected).toMatchObject({ caseId, useCase: 'vehicle-cleanliness' });

  const byState = Object.fromEntries(rows.map((r) => [r.state, r]));
  expect(byState.opened).toMatchObject({ actor_kind: 'system', actor_id: 'confidence-assessor', model_version: '2.3.0', threshold_high: 0.9, policy_version: '1' });
  expect(byState.reviewed).toMatchObject({ actor_kind: 'human', actor_id: 'reviewer-17', outcome: 'fee_waived', reason_code: 'STAIN_NOT_VISIBLE_IN_RETURN' });
  expect(byState.decided).toMatchObject({ actor_kind: 'human', outcome: 'fee_waived', customer_favorable: true, evidence_uris: ['gs://evidence/bk-20261121-0042/after-1.jpg'] });

  const payloads = rows.map((r) => JSON.parse(r.payload_json) as Record<string, unknown>);
  const all = rows.map((r) => r.payload_json).join('\n');
  expect(all).not.toContain('cus-881');
  expect(all).not.toContain('Jane');
  expect(all).not.toContain('Smith');
  const opened = payloads.find((p) => p.confidenceSource !== undefined) as { prediction: { context: Record<string, unknown> } };
  expect(opened.prediction.context.customerId).toBe('[REDACTED]');
  expect(opened.prediction.context.amount).toEqual({ value: 25, currency: 'EUR' });
  expect(payloads.find((p) => p.optionId !== undefined)?.notes).toBe('[REDACTED]');
  expect(payloads.find((p) => p.dueBy !== undefined)?.what).toBe('[REDACTED]');
});

it('adds no second row to the dedup view for a redelivered event, whichever crash window it came through', async () => {
  const caseId = `case_${randomUUID()}`;
  // The decided row is recorded from case.decided, under the identity of the decision.made.v1 it accompanies.
  const decided = caseDecided(caseId);
  const decision = auditedEventOf(decided).audited;
  const subscription = SubscriptionNames.recordOnCaseEvent;
  await publisher.publish(decided);
  await waitUntil('the decision row in the table', async () => (await countOf(table, caseId)) >= 1);

  // Redelivered after a complete write: the ledger stops it before BigQuery.
  const before = handled(subscription);
  await publisher.publish(decided);
  await waitUntil('the redelivery handled', () => handled(subscription) > before);
  expect(await countOf(table, caseId)).toBe(1);
  // The ledger marker is retained as the case's policy says: vehicle-cleanliness' caseDays (90) after
  // the row was made, which is the insert's duration before the marker is recorded.
  const marker = (await firestore.collection(Collections.auditLedger).doc(ledgerKeyOf(decision)).get()).data();
  const early = 90 * 86_400_000 - (marker?.expireAt?.toMillis() - marker?.recordedAt);
  expect(`${marker?.expireAt?.constructor?.name} ${early >= 0 && early < 60_000 ? 'caseDays after the write' : `${early} ms off`}`).toBe('Timestamp caseDays after the write');

  // Redelivered after a crash between the insert and the ledger write: the row goes in again
  // (insertId would catch it within a minute on GCP; the emulator ignores insertId)…
  await firestore.collection(Collections.auditLedger).doc(ledgerKeyOf(decision)).delete();
  const beforeCrash = handled(subscription);
  await publisher.publish(decided);
  await waitUntil('the redelivery after the crash handled', () => handled(subscription) > beforeCrash);
  // …and an older duplicate written straight to the table, as a second exporter racing would.
  await bigquery.dataset(dataset).table(BigQueryTables.audit).insert([{ insertId: `dup-${randomUUID()}`, json: { ...(await rawRow(caseId)), ingested_at: '2030-01-01T00:00:00.000Z' } }], { raw: true });

  expect(await countOf(table, caseId)).toBeGreaterThanOrEqual(2);
  expect(await countOf(view, caseId)).toBe(1);
  const [kept] = await query<{ ingested_at: string }>(`SELECT FORMAT_TIMESTAMP('%FT%TZ', ingested_at) AS ingested_at FROM ${view} WHERE case_id = @caseId`, { caseId });
  expect(kept?.ingested_at).not.toBe('2030-01-01T00:00:00Z'); // the first row written is the one kept
});

/** A stored row of the case, as insertable JSON. */
async function rawRow(caseId: string): Promise<Record<string, unknown>> {
  const [row] = await query<Record<string, unknown>>(
    `SELECT event_id, event_type, event_source, FORMAT_TIMESTAMP('%FT%TZ', event_time) AS event_time, case_id, use_case, state, actor_kind FROM ${table} WHERE case_id = @caseId LIMIT 1`,
    { caseId },
  );
  if (!row) throw new Error('no row');
  return row;
}

it('ships views that answer the success metrics from the deduplicated rows (each view has its own fixture test in test/views)', async () => {
  const day = { use_case: 'vehicle-cleanliness', day: '2026-11-21' };
  const mix = await query<Record<string, unknown>>(`SELECT use_case, CAST(day AS STRING) AS day, decisions, human, automatic, automatic_rate FROM \`${projectId}.${dataset}.metrics_decision_mix\` WHERE use_case = @use_case AND CAST(day AS STRING) = @day`, day);
  expect(mix).toHaveLength(1);
  const [m] = mix as Array<{ decisions: number; human: number; automatic: number; automatic_rate: number }>;
  expect(m?.human).toBeGreaterThanOrEqual(1);
  expect(m?.automatic_rate).toBeCloseTo((m?.automatic ?? NaN) / (m?.decisions ?? NaN));
});

describe('dead letters', () => {
  const received: Message[] = [];
  const subscription = SubscriptionNames.recordOnDecisionMade;
  let inspect: ReturnType<PubSub['subscription']>;

  beforeAll(() => {
    inspect = pubsub.subscription(deadLetterInspectionOf(subscription));
    // A stream error after the test closed it must not crash the run (an unhandled 'error' event).
    inspect.on('error', () => undefined);
    inspect.on('message', (message: Message) => {
      received.push(message);
      message.ack();
    });
  });
  afterAll(async () => {
    await inspect.close();
  });

  it('dead-letters an event that fails its schema, and one of an unknown use case, with the reason', async () => {
    const caseId = `case_${randomUUID()}`;
    const valid = toPubSubMessage(decisionMade(caseId));
    const broken = { ...(JSON.parse(valid.data.toString()) as Record<string, unknown>), outcome: undefined, confidence: 7 };
    const brokenId = `broken-${randomUUID()}`;
    await pubsub.topic(Topics.decisions).publishMessage({ data: Buffer.from(JSON.stringify(broken)), attributes: { ...valid.attributes, 'ce-id': brokenId } });

    const unknown = anEvent(EventTypes.decisionMade, { ...decisionMade(caseId).data, useCase: 'no-such-use-case' }, { source: '/arbiter/review-queue' });
    await publisher.publish(unknown);

    const dead = await waitUntil('both dead letters', () => {
      const letters = received.filter((m) => [brokenId, unknown.id].includes(m.attributes['ce-id'] ?? ''));
      return letters.length >= 2 && letters;
    });
    const codeOf = (id: string): string | undefined => dead.find((m) => m.attributes['ce-id'] === id)?.attributes['arbiter-error-code'];
    expect(codeOf(brokenId)).toMatch(/^EVENT\./);
    expect(codeOf(unknown.id)).toBe('POLICY.UNKNOWN_USE_CASE');
    expect(await countOf(table, caseId)).toBe(0);
  });
});
