/**
 * One run of the fault suite: its own Pub/Sub and Firestore project on the given emulators (the audit
 * trail in the given BigQuery project), the five services as processes in one delivery mode, a seeded
 * mixed workload — automatic, default and reviewed cases, every prediction and evidence submission
 * published twice, simulated reviewers deciding singly and in batches, requesting evidence, and
 * deciding just as the SLA expires — while a seeded nemesis kills and restarts every service, freezes
 * some (SIGSTOP/SIGCONT), and makes services' deliveries fail (forced nacks). Then the history checker.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { BigQueryDataset, createEvent, deadLetterInspectionOf, EventTypes, Subscriptions, toPubSubMessage, Topics, type EventType } from '@arbiter/contract';
import { mulberry32 } from '@arbiter/core';
import { idFromEventIdentity } from '@arbiter/platform';
import { bigQueryClient, pubSubClient, type StackEndpoints } from '../clients';
import { provisionPubSub } from '../provision';
import { pushEndpointOf } from '../push';
import { ServiceNames, startServices, type ServiceName, type Services } from '../services';
import { localIdentityEnv, newLocalIdentityKey, signReviewerToken } from '../identity';
import { checkHistory, type AuditRowLite, type CaseKind, type InjectedFault, type ObservedDecision, type ObservedEscalation, type PlannedCase, type Verdict } from './history';
import { faultPolicy, FaultSla, leadOfKey } from './policy';

export interface FaultRunOptions {
  endpoints: StackEndpoints;
  delivery: 'pull' | 'push';
  cases: number;
  seed: number;
  /** Predictions are published over this window; faults fall inside it. */
  durationMs: number;
  /** kill -9 and restart of each service, this many times. */
  crashesPerService: number;
  /** SIGSTOP/SIGCONT pauses (of services drawn at random), each this long. */
  pauses: number;
  pauseMs: number;
  /** Forced-nack storms (of services with subscriptions drawn at random), each this long. */
  storms: number;
  stormMs: number;
  reviewers: number;
  /** After the last fault: how long every case may take to be decided. */
  drainTimeoutMs: number;
  /** The reconciler's ARBITER_RECONCILE_AFTER for the run. */
  reconcileAfter: string;
  logDir: string;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  log?: (message: string) => void;
}

export interface FaultRunResult {
  delivery: 'pull' | 'push';
  seed: number;
  verdict: Verdict;
  wallMs: number;
  reviewerCalls: { ok: number; failed: number };
  /** The machine's 1-minute load average when the run started and when its faults were over (os.loadavg). */
  load: { atStart: number; afterFaults: number; cores: number };
  /** Messages on each subscription's dead-letter topic at the end (read from `<subscription>.dlq.inspect`): given up on by Pub/Sub or dead-lettered by Arbiter. */
  deadLettered: Record<string, number>;
  /** How long the checker waited, after the drain, for the audit rows of the decided cases (the exporter's backlog). */
  auditWaitMs: number;
}

const UPSTREAM = '//faults/upstream';
const CREW = '//faults/crew';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface ScheduledFault {
  kind: 'kill' | 'pause' | 'nack-storm';
  service: ServiceName;
  at: number;
}

/** The nemesis's plan, from the seed alone: which service, what, and when (ms after the start). */
export function planFaults(options: Pick<FaultRunOptions, 'seed' | 'durationMs' | 'crashesPerService' | 'pauses' | 'storms'>): ScheduledFault[] {
  const random = mulberry32(options.seed ^ 0x5eed);
  const within = (): number => Math.round(options.durationMs * (0.1 + 0.75 * random()));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const plan: ScheduledFault[] = [];
  for (const service of ServiceNames) for (let i = 0; i < options.crashesPerService; i += 1) plan.push({ kind: 'kill', service, at: within() });
  for (let i = 0; i < options.pauses; i += 1) plan.push({ kind: 'pause', service: pick(ServiceNames), at: within() });
  const consuming = ServiceNames.filter((name) => name !== 'sla-escalator');
  for (let i = 0; i < options.storms; i += 1) plan.push({ kind: 'nack-storm', service: pick(consuming), at: within() });
  return plan.sort((a, b) => a.at - b.at);
}

/** A forced-nack storm: deliveries of the service's subscriptions fail for a while, then come back. */
async function nackStorm(pubsub: PubSub, services: Services, service: ServiceName, ms: number, refusing: { url: string }): Promise<void> {
  const subscriptions = Subscriptions.filter((spec) => spec.service === service);
  if (services.delivery === 'push') {
    // Push: the subscriptions push to an endpoint that answers 503 to everything, then to the service again.
    for (const spec of subscriptions) await pubsub.subscription(spec.name).modifyPushConfig({ pushEndpoint: `${refusing.url}/${spec.name}` });
    await sleep(ms);
    for (const spec of subscriptions) await pubsub.subscription(spec.name).modifyPushConfig({ pushEndpoint: pushEndpointOf(spec.name, services.pushSigner.endpointBaseOf(service)) });
    return;
  }
  // Pull: a competing subscriber on each subscription takes a share of the deliveries and nacks every one.
  const storm: Subscription[] = subscriptions.map((spec) => pubsub.subscription(spec.name, { flowControl: { maxMessages: 200, allowExcessMessages: false } }));
  for (const subscription of storm) {
    subscription.on('message', (message: Message) => message.nack());
    subscription.on('error', () => undefined);
  }
  await sleep(ms);
  await Promise.all(storm.map(async (subscription) => {
    subscription.removeAllListeners('message');
    await subscription.close();
  }));
}

function refusingEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503).end());
    });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}/refuse`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

export async function runFaults(options: FaultRunOptions): Promise<FaultRunResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const load = { atStart: loadavg()[0] as number, afterFaults: 0, cores: cpus().length };
  const run = `${options.delivery}${options.seed.toString(36)}${randomUUID().slice(0, 4)}`;
  const projectId = `faults-${run}`;
  const random = mulberry32(options.seed);
  const policy = faultPolicy(run);
  const pubsub = pubSubClient(projectId, options.endpoints.pubsubEmulatorHost);
  await provisionPubSub(pubsub, { emulator: true });

  // Observers first: everything that reaches arbiter-decisions and arbiter-escalations, read with
  // unary pulls (a streaming pull on the emulator can die with a stream its process cancels).
  const decisions: ObservedDecision[] = [];
  const escalations: ObservedEscalation[] = [];
  const decisionTap = await UnaryTap.create(pubsub, options.endpoints.pubsubEmulatorHost, Topics.decisions, `faults-decisions-${run}`, (message) => {
    // arbiter-decisions also carries decision.made.v2 (the same decision, a ce-id of its own) and
    // decision.revised.v1: one decision per case is counted on v1.
    if (message.attributes['ce-type'] !== EventTypes.decisionMade) return;
    const data = JSON.parse(message.data) as { caseId: string; outcome: string; decidedBy: { kind: string; id: string } };
    decisions.push({ ceId: message.attributes['ce-id'] ?? '', caseId: data.caseId, outcome: data.outcome, decidedBy: `${data.decidedBy.kind}:${data.decidedBy.id}`, receivedAt: Date.now() });
  });
  const escalationTap = await UnaryTap.create(pubsub, options.endpoints.pubsubEmulatorHost, Topics.escalations, `faults-escalations-${run}`, (message) => {
    const data = JSON.parse(message.data) as { caseId: string; level: string; dueAt: string; escalatedAt: string };
    const ceId = message.attributes['ce-id'] ?? '';
    const [itemId = '', ...key] = ceId.split(':');
    escalations.push({ ceId, caseId: data.caseId, itemId, level: data.level, key: key.join(':'), dueAt: Date.parse(data.dueAt), escalatedAt: Date.parse(data.escalatedAt) });
  });

  // Review-queue trusts a local identity key of this run; the simulated reviewers' tokens are signed with it.
  const identityKey = await newLocalIdentityKey();
  const services = await startServices({
    endpoints: { ...options.endpoints, projectId },
    ports: 'free',
    delivery: options.delivery,
    logDir: join(options.logDir, run),
    // A restart on a machine busy with the whole stack can take a while; slow is not a failure here.
    readyTimeoutMs: 180_000,
    env: {
      ARBITER_BIGQUERY_PROJECT_ID: options.endpoints.projectId,
      ARBITER_POLICIES_DIR: policy.dir,
      ...localIdentityEnv(identityKey),
      ARBITER_TICK_EVERY: 'PT1S',
      ARBITER_RECONCILE_AFTER: options.reconcileAfter,
      LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  log(`${options.delivery}: services up in project ${projectId}; ${options.cases} cases over ${Math.round(options.durationMs / 1000)} s`);
  const refusing = await refusingEndpoint();
  const faults: InjectedFault[] = [];
  const cases: PlannedCase[] = [];
  const reviewerCalls = { ok: 0, failed: 0 };
  let stopReviewers = false;
  try {
    const t0 = Date.now();
    // ── the nemesis ──
    const plan = planFaults(options);
    const busy = new Map<ServiceName, Promise<void>>();
    const nemesis = Promise.all(
      plan.map(async (fault) => {
        await sleep(t0 + fault.at - Date.now());
        const previous = busy.get(fault.service) ?? Promise.resolve();
        const done = previous.then(async () => {
          const at = Date.now();
          if (fault.kind === 'kill') {
            await services.kill(fault.service);
            await sleep(Math.round(random() * 2_000));
            // A restart that does not come up is tried again: the run goes on, the delay counts as the fault's.
            for (let attempt = 1; ; attempt += 1) {
              try {
                await services.restart(fault.service);
                break;
              } catch (error) {
                if (attempt >= 3) throw error;
                log(`${options.delivery}: restart of ${fault.service} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); again`);
              }
            }
          } else if (fault.kind === 'pause') {
            services.pause(fault.service);
            await sleep(options.pauseMs);
            services.resume(fault.service);
          } else {
            // A client of its own: closing its streams must not touch the taps' or the publisher's connection.
            const stormClient = pubSubClient(projectId, options.endpoints.pubsubEmulatorHost);
            try {
              await nackStorm(stormClient, services, fault.service, options.stormMs, refusing);
            } finally {
              await stormClient.close();
            }
          }
          faults.push({ kind: fault.kind, service: fault.service, at, endedAt: Date.now() });
          log(`${options.delivery}: ${fault.kind} ${fault.service} (${Date.now() - at} ms)`);
        });
        busy.set(fault.service, done);
        await done;
      }),
    );

    // ── predictions, each published twice with the same ce-id ──
    const publish = async (type: EventType, topic: string, source: string, data: unknown, id: string): Promise<void> => {
      const event = createEvent({ type, source, id, data: data as never });
      if (!event.ok) throw new Error(`bug: a fault-suite event is invalid: ${event.error.message}`);
      const message = toPubSubMessage(event.value);
      for (let copy = 0; copy < 2; copy += 1) {
        for (let attempt = 0; ; attempt += 1) {
          try {
            await pubsub.topic(topic).publishMessage(message);
            break;
          } catch (error) {
            if (attempt >= 5) throw error;
            await sleep(500);
          }
        }
      }
    };
    const publisher = (async () => {
      for (let i = 0; i < options.cases; i += 1) {
        await sleep(t0 + Math.round((i * options.durationMs) / options.cases) - Date.now());
        const draw = random();
        const kind: CaseKind = draw < 0.7 ? 'auto' : draw < 0.8 ? 'default' : 'review';
        const confidence = kind === 'auto' ? 0.95 : kind === 'default' ? 0.4 : 0.75;
        const id = randomUUID();
        const booking = `bk-f${i}`;
        const label = random() < 0.5 ? 'dirty' : 'heavily_soiled';
        await publish(EventTypes.predictionSubmitted, Topics.predictions, UPSTREAM, {
          useCase: policy.useCase,
          subject: { type: 'booking', id: booking },
          model: { name: 'cleanliness-vit', version: '2.3.0' },
          prediction: { label, confidence },
          evidence: [{ uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/return-1.jpg`, role: 'return', mediaType: 'image/jpeg' }],
          category: 'operational',
          context: { amount: { value: 25, currency: 'EUR' }, customerId: 'cus-faults' },
        }, id);
        cases.push({ caseId: idFromEventIdentity('case', UPSTREAM, id), kind, publishedAt: Date.now() });
      }
      faults.push({ kind: 'duplicate-publish', at: t0, endedAt: Date.now() });
    })();

    // ── reviewers, through the API ──
    const apiUrl = `${services.urlOf('review-queue')}/api`;
    const names = Array.from({ length: options.reviewers }, (_, i) => `faults-reviewer-${i + 1}`);
    const tokens = await Promise.all(names.map((name) => signReviewerToken(identityKey, name, ['reviewer', 'cleanliness-reviewer', 'lead'])));
    const api = async (token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      try {
        const response = await fetch(`${apiUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status < 500) reviewerCalls.ok += 1;
        else reviewerCalls.failed += 1;
        return { status: response.status, body: text ? JSON.parse(text) : {} };
      } catch {
        reviewerCalls.failed += 1;
        return { status: 0, body: {} };
      }
    };
    const evidenceAsked = new Set<string>();
    const evidence = { requested: 0, unanswered: [] as string[] };
    let expiryRaces = 0;
    const reviewer = async (index: number): Promise<void> => {
      const token = tokens[index] as string;
      const mine = mulberry32(options.seed + 1000 + index);
      while (!stopReviewers) {
        const next = await api(token, 'POST', `/queues/${encodeURIComponent(policy.queue)}/next`, {});
        const item = next.body?.item as { itemId: string; caseId: string; purpose: string; dueAt?: string; batchKey?: string } | null | undefined;
        if (!item) {
          await sleep(next.status === 200 ? 500 : 1_000);
          continue;
        }
        const approve = mine() < 0.5;
        const single = { optionId: approve ? 'approve' : 'reject', reasonCode: approve ? 'CONFIRMED_SOILING' : 'NORMAL_WEAR' };
        const roll = mine();
        // Evidence is asked for while there is time (8 s before the case is due): the crew's dueBy is then
        // the case's due time, and an unanswered request comes back to the queue before the case expires.
        const timeLeft = item.dueAt ? Date.parse(item.dueAt) - Date.now() : 0;
        // The first two cases with time left always get a request, so a short run exercises the path too.
        if (item.purpose === 'decision' && (roll < 0.12 || evidence.requested < 2) && timeLeft > 8_000 && !evidenceAsked.has(item.caseId)) {
          evidenceAsked.add(item.caseId);
          const asked = await api(token, 'POST', `/cases/${encodeURIComponent(item.caseId)}/evidence-request`, { what: 'a photo of the back seat', reasonCode: 'ANGLE_MISSING' });
          if (asked.status === 200) {
            evidence.requested += 1;
            // Every other request is never answered: the reconciler must put the case back in the queue
            // after its dueBy (step `requeue`), or the expiry decide it.
            if (evidence.requested % 2 === 1) {
              evidence.unanswered.push(item.caseId);
              continue;
            }
            // The crew answers a moment later; their submission is published twice too.
            void sleep(1_000 + Math.round(mine() * 2_000)).then(() =>
              publish(EventTypes.evidenceSubmitted, Topics.evidence, CREW, { caseId: item.caseId, evidence: [{ uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${item.caseId}/extra-1.jpg`, role: 'return', mediaType: 'image/jpeg' }], submittedBy: 'crew-faults' }, randomUUID()).catch(() => undefined),
            );
          }
          continue;
        }
        if (item.purpose === 'decision' && roll < 0.24 && item.dueAt) {
          // Decide just as the escalator expires the case: the two race for the one decision.
          expiryRaces += 1;
          await sleep(Date.parse(item.dueAt) + FaultSla.expiryAfterSeconds * 1000 - Date.now() + Math.round((mine() - 0.5) * 1_500));
          await api(token, 'POST', `/cases/${encodeURIComponent(item.caseId)}/decision`, single);
          continue;
        }
        if (item.purpose === 'decision' && roll < 0.4 && item.batchKey) {
          const listed = await api(token, 'GET', `/queues/${encodeURIComponent(policy.queue)}/items?limit=50`);
          const peers = ((listed.body?.items ?? []) as Array<{ itemId: string; batchKey?: string; purpose: string }>)
            .filter((other) => other.batchKey === item.batchKey && other.purpose === 'decision' && other.itemId !== item.itemId)
            .slice(0, 4)
            .map((other) => other.itemId);
          await api(token, 'POST', '/batches/decision', { itemIds: [item.itemId, ...peers], optionId: approve ? 'approve-all' : 'reject-all', reasonCode: single.reasonCode });
          continue;
        }
        await api(token, 'POST', `/cases/${encodeURIComponent(item.caseId)}/decision`, single);
      }
    };
    const reviewing = Promise.all(names.map((_, index) => reviewer(index)));

    await publisher;
    await nemesis;
    faults.push({ kind: 'decide-at-expiry', at: t0, endedAt: Date.now() });
    const faultsOver = Date.now();
    load.afterFaults = loadavg()[0] as number;
    log(`${options.delivery}: ${cases.length} published, ${faults.length} faults injected; ${new Set(decisions.map((d) => d.caseId)).size} decided so far (${expiryRaces} decided at expiry); draining`);

    // ── drain: every case decided, or the drain timeout ──
    const decidedSet = (): Set<string> => new Set(decisions.map((d) => d.caseId));
    while (Date.now() - faultsOver < options.drainTimeoutMs) {
      const decided = decidedSet();
      if (cases.every((c) => decided.has(c.caseId))) break;
      await sleep(1_000);
    }
    stopReviewers = true;
    await reviewing;
    const decided = decidedSet();
    log(`${options.delivery}: ${decided.size} of ${cases.length} decided ${Math.round((Date.now() - faultsOver) / 1000)} s after the last fault`);

    // Undecided cases: does the API offer an item a reviewer can claim?
    const lead = tokens[0] as string;
    const undecidedWithItem = new Set<string>();
    const neverReceived = new Set<string>();
    let logged = 0;
    for (const c of cases.filter((candidate) => !decided.has(candidate.caseId))) {
      const view = await api(lead, 'GET', `/cases/${encodeURIComponent(c.caseId)}`);
      if (view.status === 404) neverReceived.add(c.caseId);
      const items = (view.body?.items ?? []) as Array<{ purpose: string; status: string }>;
      if (items.some((it) => it.purpose === 'decision' && (it.status === 'open' || it.status === 'claimed' || it.status === 'awaiting-evidence'))) undecidedWithItem.add(c.caseId);
      // What the lead's view says of the first few, for whoever replays the seed.
      if ((logged += 1) <= 20) log(`${options.delivery}: undecided ${c.caseId} (${c.kind}): API ${view.status} ${JSON.stringify(view.body).slice(0, 1_500)}; Firestore ${await caseDocument(options.endpoints.firestoreEmulatorHost, projectId, c.caseId)}`);
    }

    // ── the audit trail, once the decisions seen have their rows ──
    const { audit, rawDuplicateRows, waitedMs: auditWaitMs } = await auditRows(options.endpoints, policy.useCase, decided, log);
    const verdict = checkHistory({ cases, decisions, escalations, audit, rawDuplicateRows, faults, undecidedWithItem, neverReceived, evidence, leadOf: leadOfKey });
    const deadLettered = await countDeadLettered(options.endpoints.pubsubEmulatorHost, projectId);
    if (Object.keys(deadLettered).length > 0) log(`${options.delivery}: dead-lettered ${JSON.stringify(deadLettered)}`);
    return { delivery: options.delivery, seed: options.seed, verdict, wallMs: Date.now() - started, reviewerCalls, load, deadLettered, auditWaitMs };
  } finally {
    stopReviewers = true;
    await services.stop();
    await refusing.close();
    await Promise.all([decisionTap.close(), escalationTap.close()]);
    await pubsub.close();
    policy.cleanup();
  }
}

/** A subscription of ours on a topic, read with unary pulls over the emulator's REST API until closed. */
class UnaryTap {
  private stopped = false;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly url: string,
    private readonly onMessage: (message: { data: string; attributes: Record<string, string> }) => void,
  ) {
    this.loop = this.run();
  }

  static async create(pubsub: PubSub, emulatorHost: string, topic: string, name: string, onMessage: (message: { data: string; attributes: Record<string, string> }) => void): Promise<UnaryTap> {
    await pubsub.topic(topic).createSubscription(name, { ackDeadlineSeconds: 60 });
    return new UnaryTap(`http://${emulatorHost.replace(/^https?:\/\//, '')}/v1/projects/${pubsub.projectId}/subscriptions/${name}`, onMessage);
  }

  private async post(verb: string, body: unknown): Promise<any> {
    const response = await fetch(`${this.url}:${verb}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`${verb}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const pulled = (await this.post('pull', { maxMessages: 1000 })) as { receivedMessages?: Array<{ ackId: string; message: { data?: string; attributes?: Record<string, string> } }> };
        const received = pulled.receivedMessages ?? [];
        for (const { message } of received) this.onMessage({ data: Buffer.from(message.data ?? '', 'base64').toString('utf8'), attributes: message.attributes ?? {} });
        if (received.length > 0) await this.post('acknowledge', { ackIds: received.map((r) => r.ackId) });
        else await sleep(200);
      } catch {
        await sleep(500);
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

async function auditRows(endpoints: StackEndpoints, useCase: string, decided: ReadonlySet<string>, log: (message: string) => void): Promise<{ audit: AuditRowLite[]; rawDuplicateRows: number; waitedMs: number }> {
  const bigquery = bigQueryClient(endpoints.projectId, endpoints.bigqueryEmulatorHost);
  const dataset = BigQueryDataset.id;
  const read = async (): Promise<AuditRowLite[]> => {
    const [rows] = await bigquery.query({ query: `SELECT case_id, event_type, event_id, event_source, state, reason_code FROM ${dataset}.audit_events_dedup WHERE use_case = @useCase`, params: { useCase } });
    return (rows as Array<{ case_id: string; event_type: string; event_id: string; event_source: string; state: string; reason_code: string | null }>).map((row) => ({ caseId: row.case_id, eventType: row.event_type, eventId: row.event_id, eventSource: row.event_source, state: row.state, ...(row.reason_code ? { reasonCode: row.reason_code } : {}) }));
  };
  // The exporter batches and retries, and a killed exporter's deliveries come back later: wait until
  // every decided case has its opening, routing and decision rows, for as long as rows keep coming
  // (a backlog is slow, not lost), giving up after 2 minutes without a new row or 20 minutes in all.
  const started = Date.now();
  let lastProgress = started;
  let rows = await read();
  for (;;) {
    const audited = new Set(rows.map((row) => `${row.caseId}:${row.state}`));
    if ([...decided].every((caseId) => ['opened', 'routed', 'decided'].every((state) => audited.has(`${caseId}:${state}`)))) break;
    if (Date.now() - lastProgress > 120_000 || Date.now() - started > 20 * 60_000) break;
    await sleep(5_000);
    const before = rows.length;
    rows = await read();
    if (rows.length > before) lastProgress = Date.now();
  }
  log(`audit trail: waited ${Math.round((Date.now() - started) / 1000)} s for the rows`);
  const [raw] = await bigquery.query({ query: `SELECT COUNT(*) - COUNT(DISTINCT CONCAT(event_source, '|', event_id)) AS extra FROM ${dataset}.audit_events WHERE use_case = @useCase`, params: { useCase } });
  const rawDuplicateRows = Number((raw as Array<{ extra: number }>)[0]?.extra ?? 0);
  log(`audit trail: ${rows.length} rows in the view, ${rawDuplicateRows} raw duplicates absorbed by it`);
  return { audit: rows, rawDuplicateRows, waitedMs: Date.now() - started };
}

/** How many messages each subscription's dead-letter topic holds, read (and acked) from its `.dlq.inspect` subscription with unary pulls. */
async function countDeadLettered(emulatorHost: string, projectId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const base = `http://${emulatorHost.replace(/^https?:\/\//, '')}/v1/projects/${projectId}/subscriptions`;
  const post = async (url: string, body: unknown): Promise<any> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  for (const spec of Subscriptions) {
    const url = `${base}/${deadLetterInspectionOf(spec.name)}`;
    for (;;) {
      const pulled = (await post(`${url}:pull`, { maxMessages: 1000, returnImmediately: true })) as { receivedMessages?: Array<{ ackId: string }> };
      const received = pulled.receivedMessages ?? [];
      if (received.length === 0) break;
      counts[spec.name] = (counts[spec.name] ?? 0) + received.length;
      await post(`${url}:acknowledge`, { ackIds: received.map((r) => r.ackId) });
    }
  }
  return counts;
}

/** The case document as the Firestore emulator holds it (REST, fields as Firestore values), for the log of an undecided case. */
async function caseDocument(emulatorHost: string, projectId: string, caseId: string): Promise<string> {
  try {
    const response = await fetch(`http://${emulatorHost.replace(/^https?:\/\//, '')}/v1/projects/${projectId}/databases/(default)/documents/cases/${encodeURIComponent(caseId)}`, { headers: { authorization: 'Bearer owner' }, signal: AbortSignal.timeout(10_000) });
    return `${response.status} ${(await response.text()).replace(/\s+/g, ' ').slice(0, 2_000)}`;
  } catch (error) {
    return `unread: ${error instanceof Error ? error.message : String(error)}`;
  }
}
