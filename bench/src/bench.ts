/**
 * `pnpm bench`: how fast Arbiter is, next to the ceiling of the emulators it runs on, in one run.
 *
 * One stack of its own (startStack on free ports), the five services as processes (startServices),
 * and a bare relay (relay.ts, two processes) over as many Pub/Sub hops as the automatic path:
 *
 *   automatic: bench → arbiter-predictions → assessor (tx) → arbiter-cases → router (tx) → arbiter-decisions → bench
 *   baseline:  bench → bench-relay-1       → relay 1 (tx)  → bench-relay-2 → relay 2 (tx) → bench-relay-3     → bench
 *
 * three topics, two processing hops, one Firestore transaction per hop. Figures that depend on the
 * machine are reported as ratios to the baseline measured minutes apart in the same run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Firestore, type DocumentReference } from '@google-cloud/firestore';
import type { Message, PubSub, Topic } from '@google-cloud/pubsub';
import { Collections, queueItemId, setTimer, timerBucketOf, timerBucketRef, type CaseDoc, type QueueItemDoc } from '@arbiter/case-store';
import { createEvent, EventTypes, Topics, toPubSubMessage } from '@arbiter/contract';
import { mulberry32, openItem, type DecisionMade, type PredictionSubmitted } from '@arbiter/core';
import { localIdentityEnv, newLocalIdentityKey, pubSubClient, signReviewerToken, stackEnv, startServices, startStack, terminate, ServiceNames, type Services, type Stack, type StackEndpoints } from '@arbiter/local-stack';
import { idFromEventIdentity } from '@arbiter/platform';
import { median, round, summarize, sustainedRate, type Summary } from './stats';

export interface BenchOptions {
  /** Predictions per throughput burst (baseline and automatic each). */
  burst: number;
  /** Bursts of each (baseline, automatic, interleaved); the median counts. */
  rounds: number;
  /** Seconds of steady load for the latency figures. */
  latencySeconds: number;
  /** Rate of the steady load (per second); default: a third of the lower measured throughput, at most 40/s. */
  latencyRate?: number;
  /** Cases in the review queue for each claim run, and reviewers working it at once. */
  claimCases: number;
  reviewers: number;
  /**
   * How long a reviewer looks at a claimed case before deciding, [min, max] ms (seeded uniform): the
   * claim target is measured at this pace. A second run with no pause at all (a closed loop that
   * saturates the review-queue and the emulator) gives the capacity.
   */
  reviewerThinkMs: [number, number];
  /** Open queue items for the two escalator ticks, and how many of them are due. */
  escalatorSizes: [number, number];
  escalatorDue: number;
  escalatorRepeats: number;
  /** Pause after seeding the open items, before the measured ticks: the emulator is still busy with a bulk write of 100,000 documents for a few seconds. */
  escalatorSettleMs: number;
  /** Sequential operations per bare Firestore probe. */
  firestoreProbes: number;
  /** When set, every service and relay process runs with `node --cpu-prof` and writes its profile here on exit. */
  profileDir?: string;
  repoRoot: string;
  logDir: string;
  log: (line: string) => void;
}

export const FullRun: Omit<BenchOptions, 'repoRoot' | 'logDir' | 'log' | 'profileDir'> = {
  burst: 1000,
  rounds: 3,
  latencySeconds: 20,
  claimCases: 200,
  reviewers: 20,
  reviewerThinkMs: [1_000, 3_000],
  escalatorSizes: [1_000, 100_000],
  escalatorDue: 100,
  escalatorRepeats: 5,
  escalatorSettleMs: 5_000,
  firestoreProbes: 200,
};

export const SmokeRun: Omit<BenchOptions, 'repoRoot' | 'logDir' | 'log' | 'profileDir'> = {
  burst: 20,
  rounds: 1,
  latencySeconds: 2,
  latencyRate: 5,
  claimCases: 20,
  reviewers: 20,
  reviewerThinkMs: [20, 100],
  escalatorSizes: [100, 300],
  escalatorDue: 10,
  escalatorRepeats: 1,
  escalatorSettleMs: 0,
  firestoreProbes: 10,
};

export interface PathFigures {
  /** Sustained throughput of the bursts (median over rounds), per second. */
  throughput: number;
  throughputRounds: number[];
  latency: Summary;
}

export interface ClaimFigures {
  reviewers: number;
  cases: number;
  thinkMs: [number, number];
  claimMs: Summary;
  decideMs: Summary;
  attemptsPerClaim: number | null;
  doubleClaims: number;
  doubleDecisions: number;
  /** Cases the API said it decided whose `decision.made` never reached arbiter-decisions within a minute. */
  notOnWire: number;
  failures: number;
  failureCodes: Record<string, number>;
  decided: number;
  elapsedMs: number;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; memoryMb: number; node: string; loadAverageBefore: number[]; loadAverageAfter: number[]; busyNeighbours: string[] };
  options: Omit<BenchOptions, 'repoRoot' | 'logDir' | 'log' | 'profileDir'>;
  hops: { topics: number; processingHops: number; firestoreTransactionsPerHop: number };
  firestore: Record<'read' | 'write' | 'transaction' | 'compareAndSet' | 'queueQuery', Summary>;
  baseline: PathFigures;
  automatic: PathFigures & { ratios: { throughput: number | null; p50: number | null; p95: number | null; p99: number | null } };
  latencyRate: number;
  audit: { expectedRows: number; rows: number; lagMs: Summary; burstLagMs: Summary; steadyLagMs: Summary; steadyLagFirstThirdP50: number | null; steadyLagLastThirdP50: number | null; keepsUp: boolean };
  /** At the reviewers' pace (`reviewerThinkMs`): the claim target. */
  claims: ClaimFigures;
  /** The same with no pause between decision and next claim: capacity, not what a reviewer sees. */
  claimsSaturated: ClaimFigures;
  escalator: { sizes: Array<{ openItems: number; due: number; tickMs: number[]; medianMs: number; read: number; bareDueQueryMs: number; itemScanQueryMs: number }>; ratio: number | null };
  /** CPU seconds per 1000 messages of the throughput bursts, by process (emulators with their child processes). */
  cpu: { baseline: Record<string, number>; automatic: Record<string, number> };
  /** Deliveries by subscription after the automatic phases (`cases` predictions published so far). */
  deliveries: { cases: number; bySubscription: Record<string, { handled: number; ignored: number; retried: number; deadLettered: number }> };
  memory: Record<string, { idleMb: number; loadMb: number }>;
  targets: Array<{ target: string; measured: string; met: boolean | null }>;
}

const TICK_SECRET = 'bench-tick-secret-0123456789';
/** Review-queue trusts this key for reviewer tokens (local identity); the bench signs its reviewers' tokens with it. */
let identityKey: Awaited<ReturnType<typeof newLocalIdentityKey>> | undefined;
const SOURCE = '//bench/upstream';
const QUEUE = 'cleanliness-review';
const BENCH_TOPICS = ['bench-relay-1', 'bench-relay-2', 'bench-relay-3'] as const;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(everyMs);
  }
  throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
}

function prediction(run: string, index: number, confidence: number): PredictionSubmitted {
  const booking = `bk-bench-${run}-${index}`;
  return {
    useCase: 'vehicle-cleanliness',
    subject: { type: 'booking', id: booking },
    model: { name: 'cleanliness-vit', version: '2.3.0' },
    prediction: { label: 'dirty', confidence, scores: { dirty: confidence, clean: Math.round((1 - confidence) * 1000) / 1000 }, regions: [{ x: 0.1, y: 0.2, width: 0.3, height: 0.2, label: 'stain', score: 0.81 }] },
    evidence: [
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/baseline-1.jpg`, role: 'baseline', mediaType: 'image/jpeg' },
      { uri: `gs://arbiter-demo-evidence/vehicle-cleanliness/${booking}/return-1.jpg`, role: 'return', mediaType: 'image/jpeg' },
    ],
    category: 'operational',
    context: { nextBookingAt: new Date(Date.now() + 3_600_000).toISOString(), amount: { value: 25, currency: 'EUR' }, customerId: `cus-bench-${index}` },
  };
}

function predictionMessage(data: PredictionSubmitted, id: string): { data: Buffer; attributes: Record<string, string> } {
  const event = createEvent({ type: EventTypes.predictionSubmitted, source: SOURCE, id, data });
  if (!event.ok) throw new Error(`bench: invalid prediction: ${event.error.message}`);
  return toPubSubMessage(event.value);
}

/** Arrival times at the end of a path, by the prediction's ce-id. */
class Sink {
  readonly arrivals = new Map<string, number>();
  readonly decisions: Array<{ data: DecisionMade; ceId: string; at: number }> = [];
  private subscription?: ReturnType<PubSub['subscription']>;

  constructor(
    private readonly client: PubSub,
    private readonly topic: string,
    private readonly keyOf: (message: Message) => string | undefined,
    private readonly keepDecisions = false,
  ) {}

  async start(): Promise<this> {
    const name = `bench.sink-${this.topic}-${randomUUID().slice(0, 6)}`;
    await this.client.topic(this.topic).createSubscription(name, { ackDeadlineSeconds: 60 });
    this.subscription = this.client.subscription(name, { flowControl: { maxMessages: 2_000, allowExcessMessages: true } });
    this.subscription.on('message', (message: Message) => {
      const at = Date.now();
      message.ack();
      const key = this.keyOf(message);
      if (key !== undefined && !this.arrivals.has(key)) this.arrivals.set(key, at);
      if (this.keepDecisions && message.attributes?.['ce-type'] === EventTypes.decisionMade) {
        this.decisions.push({ data: JSON.parse(message.data.toString('utf8')) as DecisionMade, ceId: message.attributes['ce-id'] ?? '', at });
      }
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.subscription?.delete().catch(() => undefined);
  }
}

interface RelayProcess {
  name: string;
  pid: number;
  child: ChildProcess;
}

/** The environment that makes a process write a CPU profile into `<profileDir>/<name>/` on exit (see cpu-profile.ts). */
const profileEnv = (profileDir: string | undefined, name: string): Record<string, string> =>
  profileDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'cpu-profile.js')}`.trim(), BENCH_CPU_PROFILE_DIR: join(profileDir, name) } : {};

function startRelay(repoRoot: string, endpoints: StackEndpoints, name: string, subscription: string, topic: string, profileDir?: string): Promise<RelayProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bench', 'dist', 'relay.js')], {
      cwd: repoRoot,
      env: { ...process.env, ...stackEnv(endpoints), RELAY_NAME: name, RELAY_SUBSCRIPTION: subscription, RELAY_TOPIC: topic, ...profileEnv(profileDir, `relay-${name}`) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    const timer = setTimeout(() => reject(new Error(`relay ${name} not ready in 30 s: ${stderr}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`relay ${name} exited with ${code}: ${stderr}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"ready":true')) {
        clearTimeout(timer);
        resolve({ name, pid: child.pid as number, child });
      }
    });
  });
}

/** CPU time (s) of every process whose process group is one of `groups`, plus single pids; from /proc (Linux). */
function cpuSeconds(groups: ReadonlyMap<string, number>, pids: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const byGroup = new Map([...groups].map(([name, pgid]) => [pgid, name]));
  const byPid = new Map([...pids].map(([name, pid]) => [pid, name]));
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return out;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(fields[2]);
      const ticks = Number(fields[11]) + Number(fields[12]);
      const name = byPid.get(Number(entry)) ?? byGroup.get(pgrp);
      if (name !== undefined) out.set(name, (out.get(name) ?? 0) + ticks / 100);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Other busy processes on the machine before this run started anything (jest, tsc, emulators of other runs). */
export function busyNeighbours(): string[] {
  try {
    const out = execFileSync('ps', ['-eo', 'pid,pcpu,comm,args', '--sort=-pcpu'], { encoding: 'utf8' });
    return out
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [pid, cpu, comm, ...args] = line.split(/\s+/);
        return { pid: Number(pid), cpu: Number(cpu), comm: comm ?? '', args: args.join(' ') };
      })
      .filter((p) => p.cpu >= 5 && p.pid !== process.pid && p.comm !== 'ps')
      .slice(0, 5)
      .map((p) => `${p.comm} ${p.cpu}% (${p.args.slice(0, 60)})`);
  } catch {
    return [];
  }
}

async function timeOps(n: number, op: (i: number) => Promise<unknown>): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    await op(i);
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

/** Round trips to the bare Firestore emulator, sequential: what every operation of ours is made of. */
async function probeFirestore(firestore: Firestore, n: number): Promise<BenchResults['firestore']> {
  const probes = firestore.collection('benchProbes');
  const ref = (i: number): DocumentReference => probes.doc(`p-${i}`);
  await probes.doc('warm').set({ at: Date.now() });
  const write = await timeOps(n, (i) => ref(i).set({ at: Date.now(), i, pad: 'x'.repeat(512) }));
  const read = await timeOps(n, (i) => ref(i).get());
  const transaction = await timeOps(n, (i) =>
    firestore.runTransaction(async (tx) => {
      const snapshot = await tx.get(probes.doc(`t-${i}`));
      if (!snapshot.exists) tx.create(probes.doc(`t-${i}`), { at: Date.now() });
    }),
  );
  const compareAndSet = await timeOps(n, async (i) => {
    const snapshot = await ref(i).get();
    const batch = firestore.batch();
    batch.update(ref(i), { cas: Date.now() }, { lastUpdateTime: snapshot.updateTime as NonNullable<typeof snapshot.updateTime> });
    await batch.commit();
  });
  const queueQuery = await timeOps(n, () => probes.where('i', '>=', 0).orderBy('i').limit(21).get());
  return { read, write, transaction, compareAndSet, queueQuery };
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const { log } = options;
  const startedAt = new Date();
  const loadBefore = loadavg();
  const neighboursBefore = busyNeighbours();
  const run = randomUUID().slice(0, 6);
  mkdirSync(options.logDir, { recursive: true });
  // The bench runs on a stack of its own: emulator variables inherited from a shell or a test run
  // would send some clients (the BigQuery one prefers the variable) to someone else's emulators.
  for (const name of ['PUBSUB_EMULATOR_HOST', 'FIRESTORE_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT', 'ARBITER_PROJECT_ID']) delete process.env[name];
  log(`bench ${run}: starting the emulators (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')})`);
  let stack: Stack | undefined;
  let services: Services | undefined;
  const relays: RelayProcess[] = [];
  let client: PubSub | undefined;
  let firestore: Firestore | undefined;
  const sinks: Sink[] = [];
  try {
    stack = await startStack({ ports: 'free', logDir: options.logDir });
    const endpoints = stack.endpoints;
    // The bench's own clients talk to the emulators through the standard variables, like the services.
    Object.assign(process.env, stackEnv(endpoints));
    client = pubSubClient(endpoints.projectId, endpoints.pubsubEmulatorHost);
    firestore = new Firestore({ projectId: endpoints.projectId, ignoreUndefinedProperties: true });

    for (const topic of BENCH_TOPICS) await client.createTopic(topic);
    await client.topic('bench-relay-1').createSubscription('bench-hop-1', { ackDeadlineSeconds: 60 });
    await client.topic('bench-relay-2').createSubscription('bench-hop-2', { ackDeadlineSeconds: 60 });

    log('starting the baseline relay and the five services');
    relays.push(await startRelay(options.repoRoot, endpoints, 'hop-1', 'bench-hop-1', 'bench-relay-2', options.profileDir));
    relays.push(await startRelay(options.repoRoot, endpoints, 'hop-2', 'bench-hop-2', 'bench-relay-3', options.profileDir));
    services = await startServices({
      endpoints,
      ports: 'free',
      logDir: options.logDir,
      env: { ...localIdentityEnv((identityKey ??= await newLocalIdentityKey())), ARBITER_TICK_EVERY: 'off', ARBITER_TICK_SECRET: TICK_SECRET, ARBITER_UNDO_WINDOW: 'PT0S', LOG_LEVEL: 'info' },
      envFor: Object.fromEntries(ServiceNames.map((name) => [name, profileEnv(options.profileDir, name)])),
    });
    const running = services;
    const pids = new Map<string, number>([...running.services.map((s) => [s.name, s.pid] as [string, number]), ...relays.map((r) => [`relay ${r.name}`, r.pid] as [string, number])]);

    const baselineSink = await new Sink(client, 'bench-relay-3', (m) => m.attributes?.['ce-id']).start();
    const decisionSink = await new Sink(
      client,
      Topics.decisions,
      (m) => {
        if (m.attributes?.['ce-type'] !== EventTypes.decisionMade) return undefined;
        return (JSON.parse(m.data.toString('utf8')) as DecisionMade).sourceEventId;
      },
      true,
    ).start();
    sinks.push(baselineSink, decisionSink);

    const burstTopic = (name: string): Topic => (client as PubSub).topic(name, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
    const steadyTopic = (name: string): Topic => (client as PubSub).topic(name, { batching: { maxMessages: 1, maxMilliseconds: 1 } });
    const paths = {
      baseline: { burst: burstTopic('bench-relay-1'), steady: steadyTopic('bench-relay-1'), sink: baselineSink },
      automatic: { burst: burstTopic(Topics.predictions), steady: steadyTopic(Topics.predictions), sink: decisionSink },
    };
    let index = 0;
    const nextPrediction = (confidence: number): { id: string; message: { data: Buffer; attributes: Record<string, string> } } => {
      const id = `bench-${run}-${index}`;
      const message = predictionMessage(prediction(run, index, confidence), id);
      index += 1;
      return { id, message };
    };

    /** A burst of `n` high-confidence predictions; sustained throughput at the end of the path. */
    const burst = async (path: keyof typeof paths, n: number): Promise<{ rate: number; ids: string[] }> => {
      const { burst: topic, sink } = paths[path];
      const items = Array.from({ length: n }, () => nextPrediction(0.97));
      await Promise.all(items.map((item) => topic.publishMessage(item.message)));
      await waitFor(`${n} ${path} arrivals`, () => items.every((item) => sink.arrivals.has(item.id)), 300_000, 50);
      return { rate: sustainedRate(items.map((item) => sink.arrivals.get(item.id) as number)), ids: items.map((item) => item.id) };
    };

    /** `seconds` of open-loop load at `rate`; per-message latency from publish to the end of the path. */
    const steady = async (path: keyof typeof paths, rate: number, seconds: number): Promise<{ latencies: number[]; ids: string[] }> => {
      const { steady: topic, sink } = paths[path];
      const count = Math.max(1, Math.round(rate * seconds));
      const sent = new Map<string, number>();
      const t0 = Date.now();
      const publishes: Promise<unknown>[] = [];
      for (let i = 0; i < count; i += 1) {
        const wait = t0 + (i * 1000) / rate - Date.now();
        if (wait > 0) await sleep(wait);
        const item = nextPrediction(0.97);
        sent.set(item.id, Date.now());
        publishes.push(topic.publishMessage(item.message));
      }
      await Promise.all(publishes);
      await waitFor(`${count} ${path} arrivals at a steady rate`, () => [...sent.keys()].every((id) => sink.arrivals.has(id)), 120_000, 50);
      return { latencies: [...sent].map(([id, at]) => (sink.arrivals.get(id) as number) - at), ids: [...sent.keys()] };
    };

    // Idle memory, after start-up has settled.
    await sleep(3_000);
    const memory: BenchResults['memory'] = {};
    for (const [name, pid] of pids) memory[name] = { idleMb: rssMb(pid), loadMb: rssMb(pid) };
    const sampler = setInterval(() => {
      for (const [name, pid] of pids) {
        const entry = memory[name] as { idleMb: number; loadMb: number };
        const now = rssMb(pid);
        if (Number.isFinite(now) && !(now <= entry.loadMb)) entry.loadMb = now;
      }
    }, 250);

    try {
      log('bare Firestore round trips');
      const firestoreFigures = await probeFirestore(firestore, options.firestoreProbes);

      log('warming up both paths');
      await burst('baseline', Math.min(50, options.burst));
      await burst('automatic', Math.min(50, options.burst));

      const groups = new Map((stack as Stack).emulators.map((e) => [`${e.name} emulator`, e.pid]));
      const processes = new Map([...pids, ['bench', process.pid]]);
      const cpu: BenchResults['cpu'] = { baseline: {}, automatic: {} };
      const measureCpu = async <T>(into: Record<string, number>, messages: number, work: () => Promise<T>): Promise<T> => {
        const before = cpuSeconds(groups, processes);
        const result = await work();
        const after = cpuSeconds(groups, processes);
        for (const [name, seconds] of after) into[name] = (into[name] ?? 0) + ((seconds - (before.get(name) ?? 0)) * 1000) / messages / options.rounds;
        return result;
      };
      const baselineRounds: number[] = [];
      const automaticRounds: number[] = [];
      const burstIds: string[] = [];
      for (let r = 0; r < options.rounds; r += 1) {
        log(`throughput round ${r + 1}/${options.rounds}: baseline burst of ${options.burst}`);
        baselineRounds.push((await measureCpu(cpu.baseline, options.burst, () => burst('baseline', options.burst))).rate);
        log(`throughput round ${r + 1}/${options.rounds}: automatic burst of ${options.burst}`);
        const auto = await measureCpu(cpu.automatic, options.burst, () => burst('automatic', options.burst));
        automaticRounds.push(auto.rate);
        burstIds.push(...auto.ids);
      }
      const baselineThroughput = median(baselineRounds);
      const automaticThroughput = median(automaticRounds);
      const latencyRate = options.latencyRate ?? Math.max(2, Math.min(40, Math.round(Math.min(baselineThroughput, automaticThroughput) / 3)));
      log(`latency at a steady ${latencyRate}/s for ${options.latencySeconds} s: baseline, then automatic`);
      const baselineSteady = await steady('baseline', latencyRate, options.latencySeconds);
      const automaticSteady = await steady('automatic', latencyRate, options.latencySeconds);

      log('audit export: waiting for the decision rows in BigQuery');
      const audit = await auditFigures(endpoints, run, burstIds, automaticSteady.ids, decisionSink);

      log(`claims: ${options.claimCases} cases to ${QUEUE}, ${options.reviewers} reviewers looking ${options.reviewerThinkMs.join('–')} ms at each`);
      const claims = await claimRun(options, options.reviewerThinkMs, running, client, firestore, decisionSink, () => nextPrediction(0.78));
      log(`claims, saturated: ${options.claimCases} more cases, ${options.reviewers} reviewers deciding without a pause`);
      const claimsSaturated = await claimRun(options, [0, 0], running, client, firestore, decisionSink, () => nextPrediction(0.78));

      // Deliveries per subscription, every prediction of the run: what a case costs in messages.
      const deliveries: BenchResults['deliveries'] = { cases: 0, bySubscription: {} };
      for (const service of running.services) {
        const metrics = (await (await fetch(`${service.url}/metrics`)).json()) as { deliveries?: Record<string, Record<string, unknown>> };
        for (const [subscription, counters] of Object.entries(metrics.deliveries ?? {})) {
          const { handled = 0, ignored = 0, retried = 0, deadLettered = 0 } = counters as Record<string, number>;
          if (handled + ignored + retried + deadLettered > 0) deliveries.bySubscription[subscription] = { handled, ignored, retried, deadLettered };
        }
      }
      deliveries.cases = deliveries.bySubscription['confidence-assessor.assess-on-prediction-submitted']?.handled ?? 0;
      clearInterval(sampler);
      log('escalator ticks');
      const escalator = await escalatorRun(options, running, firestore, run);

      const ratio = (a: number, b: number): number | null => round(a / b, 2);
      const automatic: BenchResults['automatic'] = {
        throughput: round(automaticThroughput, 1) as number,
        throughputRounds: automaticRounds.map((v) => round(v, 1) as number),
        latency: summarize(automaticSteady.latencies),
        ratios: { throughput: null, p50: null, p95: null, p99: null },
      };
      const baseline: PathFigures = { throughput: round(baselineThroughput, 1) as number, throughputRounds: baselineRounds.map((v) => round(v, 1) as number), latency: summarize(baselineSteady.latencies) };
      // Rounds interleave baseline and automatic bursts; the ratio is the median of each round's ratio,
      // so a neighbour's load that comes and goes between rounds cancels out.
      const roundRatios = automaticRounds.map((rate, r) => rate / (baselineRounds[r] as number));
      automatic.ratios = {
        throughput: round(median(roundRatios), 2),
        p50: ratio(automatic.latency.p50, baseline.latency.p50),
        p95: ratio(automatic.latency.p95, baseline.latency.p95),
        p99: ratio(automatic.latency.p99, baseline.latency.p99),
      };
      for (const entry of Object.values(memory)) {
        entry.idleMb = round(entry.idleMb, 1) as number;
        entry.loadMb = round(entry.loadMb, 1) as number;
      }
      const serviceMemory = Object.entries(memory).filter(([name]) => !name.startsWith('relay'));
      const targets: BenchResults['targets'] = [
        { target: 'automatic throughput ≥ 0.7× baseline', measured: `${automatic.ratios.throughput ?? 'n/a'}×`, met: automatic.ratios.throughput === null ? null : automatic.ratios.throughput >= 0.7 },
        { target: 'automatic p99 ≤ 1.5× baseline p99', measured: `${automatic.ratios.p99 ?? 'n/a'}×`, met: automatic.ratios.p99 === null ? null : automatic.ratios.p99 <= 1.5 },
        { target: `claim p99 ≤ 200 ms (${claims.reviewers} reviewers, ${claims.thinkMs.join('–')} ms on each case)`, measured: `${round(claims.claimMs.p99, 0)} ms`, met: Number.isFinite(claims.claimMs.p99) ? claims.claimMs.p99 <= 200 : null },
        {
          target: '0 double claims, 0 double decisions, every decision published (both claim runs)',
          measured: `${claims.doubleClaims + claimsSaturated.doubleClaims} / ${claims.doubleDecisions + claimsSaturated.doubleDecisions} / ${claims.notOnWire + claimsSaturated.notOnWire} unpublished`,
          met: claims.doubleClaims + claimsSaturated.doubleClaims === 0 && claims.doubleDecisions + claimsSaturated.doubleDecisions === 0 && claims.notOnWire + claimsSaturated.notOnWire === 0,
        },
        { target: 'escalator tick at 100k ≤ 1.5× at 1k', measured: `${escalator.ratio ?? 'n/a'}×`, met: escalator.ratio === null ? null : escalator.ratio <= 1.5 },
        { target: 'idle RSS ≤ 150 MB per service', measured: `max ${round(Math.max(...serviceMemory.map(([, m]) => m.idleMb)), 0)} MB`, met: serviceMemory.every(([, m]) => m.idleMb <= 150) },
        { target: 'audit export keeps up', measured: `steady lag p95 ${round(audit.steadyLagMs.p95, 0)} ms`, met: audit.keepsUp },
      ];
      return {
        version: 1,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryMb: Math.round(totalmem() / 1_048_576), node: process.version, loadAverageBefore: loadBefore.map((l) => round(l, 2) as number), loadAverageAfter: loadavg().map((l) => round(l, 2) as number), busyNeighbours: neighboursBefore },
        options: { burst: options.burst, rounds: options.rounds, latencySeconds: options.latencySeconds, ...(options.latencyRate ? { latencyRate: options.latencyRate } : {}), claimCases: options.claimCases, reviewers: options.reviewers, reviewerThinkMs: options.reviewerThinkMs, escalatorSizes: options.escalatorSizes, escalatorDue: options.escalatorDue, escalatorRepeats: options.escalatorRepeats, escalatorSettleMs: options.escalatorSettleMs, firestoreProbes: options.firestoreProbes },
        hops: { topics: 3, processingHops: 2, firestoreTransactionsPerHop: 1 },
        firestore: firestoreFigures,
        baseline,
        automatic,
        latencyRate,
        audit,
        claims,
        claimsSaturated,
        escalator,
        cpu: { baseline: roundAll(cpu.baseline), automatic: roundAll(cpu.automatic) },
        deliveries,
        memory,
        targets,
      };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    log('stopping the services, the relay and the emulators');
    await Promise.allSettled(sinks.map((sink) => sink.stop()));
    await services?.stop().catch(() => undefined);
    await Promise.allSettled(relays.map((relay) => terminate(relay.child, 10_000)));
    await client?.close().catch(() => undefined);
    await firestore?.terminate().catch(() => undefined);
    await stack?.stop();
  }
}

const roundAll = (values: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(values).filter(([, v]) => v > 0).map(([k, v]) => [k, round(v, 2) as number]));

/** BigQuery `jobs.query` on the emulator, rows as objects of strings. */
async function bigQuery(endpoints: StackEndpoints, sql: string): Promise<Array<Record<string, string | null>>> {
  const base = endpoints.bigqueryEmulatorHost.replace(/\/$/, '');
  const response = await fetch(`${base}/bigquery/v2/projects/${endpoints.projectId}/queries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: sql, useLegacySql: false, timeoutMs: 30_000 }),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await response.json()) as { rows?: Array<{ f: Array<{ v: string | null }> }>; schema?: { fields?: Array<{ name: string }> }; error?: unknown };
  if (!response.ok) throw new Error(`BigQuery query failed: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  const fields = body.schema?.fields ?? [];
  return (body.rows ?? []).map((row) => Object.fromEntries(fields.map((field, i) => [field.name, row.f[i]?.v ?? null])));
}

/**
 * Lag from decision (the event's time) to its row (`ingested_at`, when the exporter wrote it), for the
 * automatic decisions of this run: during the bursts and during the steady load. It keeps up when the
 * rows all arrive and the steady-load lag does not grow from the first third to the last.
 */
async function auditFigures(endpoints: StackEndpoints, run: string, burstIds: readonly string[], steadyIds: readonly string[], sink: Sink): Promise<BenchResults['audit']> {
  const caseOf = (id: string): string => idFromEventIdentity('case', SOURCE, id);
  const expected = burstIds.length + steadyIds.length;
  const sql = `SELECT case_id, UNIX_MILLIS(event_time) AS decided_ms, UNIX_MILLIS(ingested_at) AS ingested_ms FROM \`${endpoints.projectId}.arbiter_audit.audit_events\` WHERE state = 'decided' AND subject_id LIKE 'bk-bench-${run}-%'`;
  const wanted = new Set([...burstIds, ...steadyIds].map(caseOf));
  let rows: Array<Record<string, string | null>> = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    rows = (await bigQuery(endpoints, sql)).filter((row) => wanted.has(row.case_id as string));
    if (rows.length >= expected) break;
    await sleep(1_000);
  }
  const lagByCase = new Map(rows.map((row) => [row.case_id as string, Number(row.ingested_ms) - Number(row.decided_ms)]));
  const lagsOf = (ids: readonly string[]): number[] => ids.map((id) => lagByCase.get(caseOf(id))).filter((lag): lag is number => lag !== undefined);
  const steadyInOrder = [...steadyIds].sort((a, b) => (sink.arrivals.get(a) ?? 0) - (sink.arrivals.get(b) ?? 0));
  const third = Math.max(1, Math.floor(steadyInOrder.length / 3));
  const firstThird = median(lagsOf(steadyInOrder.slice(0, third)));
  const lastThird = median(lagsOf(steadyInOrder.slice(-third)));
  const steadyLag = summarize(lagsOf(steadyIds));
  return {
    expectedRows: expected,
    rows: rows.length,
    lagMs: summarize([...lagByCase.values()]),
    burstLagMs: summarize(lagsOf(burstIds)),
    steadyLagMs: steadyLag,
    steadyLagFirstThirdP50: round(firstThird, 0),
    steadyLagLastThirdP50: round(lastThird, 0),
    // Keeps up: every row arrived, and under the steady load the lag stays flat (within a batch window).
    keepsUp: rows.length >= expected && Number.isFinite(lastThird) && lastThird <= Math.max(2 * firstThird, firstThird + 2_000),
  };
}

async function reviewerToken(sub: string, roles: string[]): Promise<string> {
  if (!identityKey) throw new Error('bench: the services were not started with a local identity key');
  return signReviewerToken(identityKey, sub, roles, { ttlSeconds: 7200 });
}

async function api(baseUrl: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    // A refused or reset connection counts as a failed call (reported), not as the end of the run.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, body: { error: { code: cause?.code ?? 'FETCH_FAILED', message: cause?.message ?? String(error) } } };
  }
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
}

/**
 * Medium-confidence cases through the whole pipeline into one queue, then `reviewers` claiming and
 * deciding at once through the API, each looking `thinkMs` at a case between claim and decision.
 */
async function claimRun(
  options: BenchOptions,
  thinkMs: [number, number],
  services: Services,
  client: PubSub,
  firestore: Firestore,
  decisions: Sink,
  next: () => { id: string; message: { data: Buffer; attributes: Record<string, string> } },
): Promise<ClaimFigures> {
  const items = Array.from({ length: options.claimCases }, next);
  const topic = client.topic(Topics.predictions);
  await Promise.all(items.map((item) => topic.publishMessage(item.message)));
  const caseIds = new Set(items.map((item) => idFromEventIdentity('case', SOURCE, item.id)));
  const queued = firestore.collection(Collections.queueItems).where('queue', '==', QUEUE).where('status', '==', 'open');
  await waitFor(`${options.claimCases} items in ${QUEUE}`, async () => (await queued.select().get()).docs.filter((d) => caseIds.has(d.id.split('~')[0] as string)).length >= options.claimCases, 180_000, 500);

  const apiUrl = services.urlOf('review-queue');
  const tokens = await Promise.all(Array.from({ length: options.reviewers }, (_, r) => reviewerToken(`bench-reviewer-${r}`, ['reviewer', 'cleanliness-reviewer'])));
  const claimsOf = new Map<string, string[]>();
  const decidedBy = new Map<string, string[]>();
  const claimMs: number[] = [];
  const decideMs: number[] = [];
  const attempts: number[] = [];
  let failures = 0;
  const failureCodes: Record<string, number> = {};
  const failed = (what: string, response: { status: number; body: Record<string, any> }): void => {
    failures += 1;
    const key = `${what} ${response.status} ${String(response.body.error?.code ?? '')}`.trim();
    failureCodes[key] = (failureCodes[key] ?? 0) + 1;
  };
  const started = Date.now();
  await Promise.all(
    tokens.map(async (token, r) => {
      const id = `bench-reviewer-${r}`;
      const draw = mulberry32(0x5eed + r);
      const [least, most] = thinkMs;
      // People do not all press "next" in the same millisecond: at a reviewer's pace each starts
      // somewhere within one look (the saturated run starts them all at once).
      if (most > 0) await sleep(draw() * most);
      for (let guard = 0; guard < options.claimCases * 4; guard += 1) {
        const t0 = performance.now();
        const claimed = await api(apiUrl, token, 'POST', `/queues/${QUEUE}/next`);
        const took = performance.now() - t0;
        if (claimed.status !== 200) {
          failed('next', claimed);
          await sleep(50);
          continue;
        }
        const item = claimed.body.item as { caseId: string; itemId: string; purpose?: string } | null;
        if (!item) return;
        claimMs.push(took);
        if (typeof claimed.body.attempts === 'number') attempts.push(claimed.body.attempts);
        claimsOf.set(item.itemId, [...(claimsOf.get(item.itemId) ?? []), id]);
        if (most > 0) await sleep(least + draw() * (most - least));
        const t1 = performance.now();
        const decided = await api(apiUrl, token, 'POST', `/cases/${item.caseId}/decision`, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' });
        decideMs.push(performance.now() - t1);
        if (decided.status === 200 && decided.body.decided !== false) decidedBy.set(item.caseId, [...(decidedBy.get(item.caseId) ?? []), id]);
        else if (decided.status !== 200) failed('decide', decided);
      }
    }),
  );
  const elapsedMs = Date.now() - started;
  // Decisions on the wire: one ce-id per case by construction, so also count distinct deciders per case.
  // A decision missing after the wait is not an error of the wait: it is counted (notOnWire) and fails the target.
  const onWire = (caseId: string): boolean => decisions.decisions.some((d) => d.data.caseId === caseId);
  await waitFor('the human decisions on arbiter-decisions', () => [...decidedBy.keys()].every(onWire), 60_000, 200).catch(() => undefined);
  const notOnWire = [...decidedBy.keys()].filter((caseId) => !onWire(caseId)).length;
  const wire = new Map<string, Set<string>>();
  for (const d of decisions.decisions) if (caseIds.has(d.data.caseId)) wire.set(d.data.caseId, (wire.get(d.data.caseId) ?? new Set()).add(`${d.data.decidedBy.kind}:${d.data.decidedBy.id}:${d.data.decidedAt}`));
  const doubleDecisions = new Set([...[...decidedBy].filter(([, who]) => who.length > 1).map(([c]) => c), ...[...wire].filter(([, deciders]) => deciders.size > 1).map(([c]) => c)]).size;
  return {
    reviewers: options.reviewers,
    cases: options.claimCases,
    thinkMs,
    claimMs: summarize(claimMs),
    decideMs: summarize(decideMs),
    attemptsPerClaim: attempts.length ? round(attempts.reduce((a, b) => a + b, 0) / attempts.length, 2) : null,
    doubleClaims: [...claimsOf.values()].filter((who) => who.length > 1).length,
    doubleDecisions,
    notOnWire,
    failures,
    failureCodes,
    decided: decidedBy.size,
    elapsedMs,
  };
}

/** Queue items in the shape of @arbiter/case-store, written in bulk; `due` of them (with their cases) due now. */
async function seedQueueItems(firestore: Firestore, run: string, from: number, count: number, due: number): Promise<void> {
  const now = Date.now();
  const writer = firestore.bulkWriter();
  writer.onWriteError((error) => error.failedAttempts < 5);
  for (let i = from; i < from + count; i += 1) {
    const isDue = i - from < due;
    const caseId = `case_bench${createHash('sha256').update(`${run}-${i}`).digest('hex').slice(0, 24)}`;
    const subject = { type: 'booking', id: `bk-bench-esc-${run}-${i}` };
    const model = { name: 'cleanliness-vit', version: '2.3.0' };
    // Opened through the core's rulebook, as review-queue opens a routed case's item.
    const opened = openItem(
      {
        itemId: queueItemId(caseId, 'decision'),
        caseId,
        useCase: 'vehicle-cleanliness',
        queue: QUEUE,
        purpose: 'decision',
        priority: { score: i % 100, reasons: [] },
        // Due in five minutes: both reminders (30 and 10 minutes before) are due for the due ones.
        dueAt: isDue ? now + 5 * 60_000 : now + 2 * 3_600_000,
        nextCheckAt: isDue ? now - 1_000 : now + 3_600_000,
      },
      { label: 'dirty', confidence: 0.78, band: 'medium', model, subject },
      now - 115 * 60_000,
    );
    if (!opened.ok) throw new Error(opened.error.message);
    const item: QueueItemDoc = opened.value;
    writer.set(firestore.collection(Collections.queueItems).doc(item.itemId), item);
    // With its escalator timer, as review-queue enqueues it.
    if (item.sla.nextCheckAt !== null) setTimer(writer, firestore, 'sla', item.itemId, item.sla.nextCheckAt, now);
    if (isDue) {
      const caseDoc: CaseDoc = {
        caseId,
        useCase: 'vehicle-cleanliness',
        policy: { id: 'vehicle-cleanliness', version: '1' },
        subject,
        model,
        prediction: prediction(`esc-${run}`, i, 0.78),
        confidence: 0.78,
        confidenceSource: 'prediction',
        band: 'medium',
        thresholds: { high: 0.9, low: 0.6 },
        sourceEvent: { id: `bench-esc-${run}-${i}`, source: SOURCE },
        status: 'in-review',
        openedAt: now - 115 * 60_000,
      };
      writer.set(firestore.collection(Collections.cases).doc(caseId), caseDoc);
    }
  }
  await writer.close();
}

async function escalatorRun(options: BenchOptions, services: Services, firestore: Firestore, run: string): Promise<BenchResults['escalator']> {
  const url = services.urlOf('sla-escalator');
  const tick = async (): Promise<{ durationMs: number; read: { due: number } }> => {
    const response = await fetch(`${url}/tick`, { method: 'POST', headers: { 'x-arbiter-tick-secret': TICK_SECRET } });
    if (response.status !== 200) throw new Error(`bench: POST /tick answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { durationMs: number; read: { due: number } };
  };
  // Whatever is due from the earlier phases goes first, so each measured tick sees only its own due items.
  for (let i = 0; i < 5 && (await tick()).read.due > 0; i += 1);
  const sizes: BenchResults['escalator']['sizes'] = [];
  let seeded = 0;
  for (const size of options.escalatorSizes) {
    const t0 = Date.now();
    await seedQueueItems(firestore, run, seeded, size - seeded, 0);
    seeded = size;
    options.log(`  ${size} open queue items seeded in ${Date.now() - t0} ms`);
    // Measure the tick, not the emulator digesting the bulk write (the first tick after it ran 2–5×
    // slower at either size).
    await sleep(options.escalatorSettleMs);
    const ticks: number[] = [];
    let read = 0;
    for (let r = 0; r < options.escalatorRepeats; r += 1) {
      await seedQueueItems(firestore, run, 10_000_000 + sizes.length * 1_000_000 + r * options.escalatorDue, options.escalatorDue, options.escalatorDue);
      const report = await tick();
      ticks.push(report.durationMs);
      read = report.read.due;
    }
    // The tick's question of one minute bucket, bare, from here; next to it the query on the queue
    // items the tick used to ask, which the emulator (no indexes) answers by scanning the collection.
    const nowMs = Date.now();
    const bucketQuery = timerBucketRef(firestore, timerBucketOf(nowMs)).where('at', '<=', nowMs).orderBy('at').limit(101);
    const queryMs = await timeOps(3, () => bucketQuery.get());
    const scanQuery = firestore.collection(Collections.queueItems).where('sla.nextCheckAt', '<=', nowMs).orderBy('sla.nextCheckAt').select('sla.nextCheckAt').limit(100);
    const scanMs = await timeOps(3, () => scanQuery.get());
    sizes.push({ openItems: size, due: options.escalatorDue, tickMs: ticks, medianMs: median(ticks), read, bareDueQueryMs: round(queryMs.p50, 1) as number, itemScanQueryMs: round(scanMs.p50, 1) as number });
    options.log(`  tick with ${size} open, ${options.escalatorDue} due: ${ticks.join(', ')} ms`);
  }
  const [small, large] = sizes;
  return { sizes, ratio: small && large ? round(large.medianMs / small.medianMs, 2) : null };
}

