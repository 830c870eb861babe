/**
 * Traces end to end: the five services as processes with OpenTelemetry exporting by OTLP/HTTP (JSON)
 * to a receiver this test runs on 127.0.0.1. One case — a prediction that arrives with an upstream
 * trace, goes to human review, gets an SLA reminder from the escalator, and is decided through the
 * reviewer API — must leave spans of all five services in that one trace, carry it on the decision
 * it publishes and on its audit rows in BigQuery, and in the services' log lines.
 *
 * Which services one case crosses depends on its path: every case passes the assessor, the router and
 * the audit exporter; only cases routed to a person reach the review queue; the escalator only takes
 * part when an SLA timer of the case falls due before it is decided. This case is routed to review
 * with an SLA whose first reminder falls a few seconds after it is enqueued, so it crosses all five.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { createEvent, EventTypes, toPubSubMessage, Topics } from '@arbiter/contract';
import type { SlaEscalated } from '@arbiter/core';
import { type Services } from '@arbiter/local-stack';
import { policiesForRun, startArbiterForTest } from '@arbiter/testing';
import { idFromEventIdentity } from '@arbiter/platform';
import { api, cleanliness, endpoints, mintToken, Observer, provisionRunProject, pubsub, root, SOURCE, testIdentityKey, waitUntil } from './support';
import { OtlpReceiver } from './otlp-receiver';

jest.setTimeout(180_000);

const run = randomUUID().slice(0, 6);
const policies = policiesForRun(`trc${run}`);
// The cleanliness policy with a 40 s SLA whose reminder falls 35 s before it is due (about 5 s after
// the case is enqueued), and an expiry far enough away that the reviewer decides first.
policies.write(
  'e2e-traced.yaml',
  policies
    .text('vehicle-cleanliness.yaml')
    .replace(/^id: vehicle-cleanliness$/m, 'id: e2e-traced')
    .replace(/^title: .*$/m, 'title: Cleanliness with an SLA of seconds (trace test)')
    .replace(/target: PT2H/, 'target: PT40S')
    .replace(/remindBefore: \[PT30M, PT10M\]/, 'remindBefore: [PT35S]')
    .replace(/expiry: \{ after: PT22H/, 'expiry: { after: PT10M'),
);
const logDir = join(root, '.arbiter', 'logs', 'e2e-traces');
const FIVE = ['confidence-assessor', 'router', 'review-queue', 'sla-escalator', 'audit-exporter'] as const;

let receiver: OtlpReceiver;
let arbiter: Services;
let client: PubSub;
let project: string;
let escalations: Observer;
let decisions: Observer;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  project = await provisionRunProject(`trc${run}`);
  arbiter = await startArbiterForTest({
    projectId: project,
    policiesDir: policies.dir,
    identityKey: await testIdentityKey(),
    logDir,
    env: {
      ARBITER_TICK_EVERY: 'PT1S',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    },
  });
  client = pubsub(project);
  escalations = await Observer.onTopic(client, Topics.escalations);
  decisions = await Observer.onTopic(client, Topics.decisions);
});

afterAll(async () => {
  await Promise.all([escalations, decisions].map((observer) => observer?.close()));
  await arbiter?.stop();
  await client?.close();
  await receiver?.close();
  policies.cleanup();
});

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const traceIdOfHeader = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

it('one case: spans of all five services in the trace its prediction arrived with, on its decision, audit rows and log lines', async () => {
  // The upstream model service's trace, as it would send it: `ce-traceparent` on the prediction.
  const traceId = hex(16);
  const upstreamSpanId = hex(8);
  const id = randomUUID();
  const prediction = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id, data: cleanliness({ confidence: 0.78, useCase: 'e2e-traced' }), extensions: { traceparent: `00-${traceId}-${upstreamSpanId}-01` } });
  if (!prediction.ok) throw new Error(prediction.error.message);
  await client.topic(Topics.predictions).publishMessage(toPubSubMessage(prediction.value));
  const caseId = idFromEventIdentity('case', SOURCE, id);

  // The escalator reminds (the case is in review, its first SLA timer falls due), then a reviewer decides.
  const reminder = await waitUntil('the SLA reminder', () => escalations.where((m) => (JSON.parse(m.data) as SlaEscalated).caseId === caseId && (JSON.parse(m.data) as SlaEscalated).level === 'reminder')[0], 60_000);
  const reviewer = await mintToken('reviewer-traces', ['reviewer', 'cleanliness-reviewer']);
  const apiUrl = arbiter.urlOf('review-queue');
  const claim = await api(apiUrl, reviewer, 'POST', `/items/${encodeURIComponent(`${caseId}~decision`)}/claim`, {});
  expect(claim.status).toBe(200);
  const decided = await api(apiUrl, reviewer, 'POST', `/cases/${caseId}/decision`, { optionId: 'reject', reasonCode: 'STAIN_NOT_VISIBLE_IN_RETURN' });
  expect(decided.status).toBe(200);
  const decision = await waitUntil('the decision', () => decisions.where((m) => m.attributes['ce-type'] === EventTypes.decisionMade && (JSON.parse(m.data) as { caseId: string }).caseId === caseId)[0]);

  // The events on the wire carry the case's trace, for CloudEvents consumers and for the Pub/Sub client.
  expect(traceIdOfHeader(reminder.attributes['ce-traceparent'])).toBe(traceId);
  expect(traceIdOfHeader(decision.attributes['ce-traceparent'])).toBe(traceId);
  expect(decision.attributes['googclient_traceparent']).toBe(decision.attributes['ce-traceparent']);

  // Spans: every service, and the steps that matter, in the one trace. The audit exporter handles each
  // event of the case in its own span; the decision's row is recorded from case.decided (decision.made
  // itself is handled and acked without a row), and the events reach it on different subscriptions in
  // no particular order: wait for all of them.
  const audits = [EventTypes.caseOpened, EventTypes.caseRouted, EventTypes.slaEscalated, EventTypes.caseClaimed, EventTypes.caseReviewed, EventTypes.caseDecided, EventTypes.decisionMade];
  const spans = await waitUntil(
    'spans of the five services, up to the audit of every event of the case',
    () => {
      const inTrace = receiver.inTrace(traceId);
      const services = new Set(inTrace.map((span) => span.service));
      const audited = new Set(inTrace.filter((span) => span.service === 'audit-exporter').map((span) => span.attributes['cloudevents.event_type']));
      return FIVE.every((service) => services.has(service)) && audits.every((type) => audited.has(type)) ? inTrace : undefined;
    },
    60_000,
  );
  const named = (service: string, name: string) => spans.filter((span) => span.service === service && span.name === name);
  const assess = named('confidence-assessor', 'confidence-assessor.assess-on-prediction-submitted process');
  expect(assess).toHaveLength(1);
  expect(assess[0]?.parentSpanId).toBe(upstreamSpanId);
  expect(named('router', 'router.route-on-case-opened process')).toHaveLength(1);
  expect(named('review-queue', 'review-queue.enqueue-on-case-routed process').length).toBeGreaterThanOrEqual(1);
  expect(named('review-queue', 'review-queue claim')).toHaveLength(1);
  expect(named('review-queue', 'review-queue record verdict')).toHaveLength(1);
  expect(named('sla-escalator', 'sla-escalator check item').length).toBeGreaterThanOrEqual(1);
  // Every span but the first hangs off another span of the trace (or the upstream one): no orphans.
  const ids = new Set([upstreamSpanId, ...spans.map((span) => span.spanId)]);
  expect(spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId)).map((span) => `${span.service}: ${span.name}`)).toEqual([]);
  expect(receiver.rejected).toEqual([]);

  // The audit rows in BigQuery name the trace.
  const { bigqueryEmulatorHost, projectId } = endpoints();
  const rows = await waitUntil(
    'audit rows up to the decision',
    async () => {
      const response = await fetch(`${bigqueryEmulatorHost}/bigquery/v2/projects/${projectId}/queries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `SELECT event_type, trace_id FROM arbiter_audit.audit_events WHERE case_id = '${caseId}'`, useLegacySql: false }),
      });
      const body = (await response.json()) as { rows?: Array<{ f: Array<{ v: unknown }> }> };
      const found = (body.rows ?? []).map((row) => ({ type: row.f[0]?.v, traceId: row.f[1]?.v }));
      return found.some((row) => row.type === EventTypes.decisionMade) ? found : undefined;
    },
    60_000,
  );
  expect(rows.length).toBeGreaterThanOrEqual(6);
  expect(rows.filter((row) => row.traceId !== traceId)).toEqual([]);

  // Log lines written inside the case's spans carry Cloud Logging's trace keys: the assessor's "case
  // opened", the router's "case routed", the exporter's "audit: recorded" (debug, on in these tests).
  const traceKey = `"logging.googleapis.com/trace":"projects/${project}/traces/${traceId}"`;
  const linesOf = (service: string, message: string): string[] => readFileSync(join(logDir, `${service}.log`), 'utf8').split('\n').filter((line) => line.includes(`"message":"${message}`) && line.includes(caseId));
  for (const [service, message] of [['confidence-assessor', 'case opened'], ['router', 'case routed'], ['audit-exporter', 'audit: recorded']] as const) {
    const lines = linesOf(service, message);
    expect({ service, logged: lines.length > 0 }).toEqual({ service, logged: true });
    expect(lines.filter((line) => !line.includes(traceKey))).toEqual([]);
  }
});

it('/metrics: Prometheus text for scrapers, JSON for everyone else; counters also go out by OTLP', async () => {
  // The Accept header Prometheus sends when it scrapes.
  const scrape = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  const text = await fetch(`${arbiter.urlOf('router')}/metrics`, { headers: { accept: scrape } });
  expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
  const body = await text.text();
  expect(body).toMatch(/^# TYPE arbiter_deliveries_total counter$/m);
  expect(body).toMatch(/^arbiter_deliveries_total\{[^}]*subscription="router\.route-on-case-opened"[^}]*outcome="handled"[^}]*\} [1-9]/m);
  const decided = await (await fetch(`${arbiter.urlOf('review-queue')}/metrics?format=prometheus`)).text();
  expect(decided).toMatch(/^arbiter_decisions_total\{[^}]*use_case="e2e-traced"[^}]*decided_by="human"[^}]*\} 1$/m);

  const json = (await (await fetch(`${arbiter.urlOf('router')}/metrics`, { headers: { accept: 'application/json' } })).json()) as { deliveries: Record<string, { handled: number }> };
  expect(json.deliveries['router.route-on-case-opened']?.handled).toBeGreaterThanOrEqual(1);

  // Pushed by OTLP too: deliveries from the four services with subscriptions (the escalator has none),
  // publishes from the four that produce events (the exporter writes to BigQuery only).
  const pushed = (service: string, metric: string): boolean => receiver.metrics.get(service)?.has(metric) ?? false;
  await waitUntil(
    'OTLP metrics from every service',
    () =>
      FIVE.filter((service) => service !== 'sla-escalator').every((service) => pushed(service, 'arbiter.deliveries')) &&
      FIVE.filter((service) => service !== 'audit-exporter').every((service) => pushed(service, 'arbiter.events.published')) &&
      pushed('review-queue', 'arbiter.decisions')
        ? true
        : undefined,
    30_000,
  );
});
