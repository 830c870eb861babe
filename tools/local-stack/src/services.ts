import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEndpoints } from './clients';
import { pubSubClient, stackEnv } from './clients';
import { logTail } from './emulators';
import { assertLoopbackHost } from './loopback';
import { defaultLogDir, repoRoot } from './paths';
import { freePorts } from './ports';
import { pushAuthEnvOf, startPushSigner, type PushSigner } from './push-signer';
import { pullSubscriptionsOnEmulator, pushSubscriptionsTo } from './push';
import { ServiceNames, Subscriptions, type ServiceName } from '@arbiter/contract';

export { ServiceNames, type ServiceName };

/** The five services (the contract's `ServiceNames`) in start order: consumers downstream first, so nothing waits on a missing one. */
export const ServiceStartOrder = ['audit-exporter', 'sla-escalator', 'review-queue', 'router', 'confidence-assessor'] as const satisfies readonly ServiceName[];

export const DefaultServicePorts: Record<ServiceName, number> = {
  'confidence-assessor': 8101,
  router: 8102,
  'review-queue': 8080,
  'sla-escalator': 8104,
  'audit-exporter': 8105,
};

export interface RunningService {
  name: ServiceName;
  pid: number;
  url: string;
  logFile: string;
  process: ChildProcess;
}

export interface ServicesOptions {
  endpoints: StackEndpoints;
  /** Fixed default ports, or ports the OS picks (tests). */
  ports?: 'default' | 'free';
  host?: string;
  logDir?: string;
  /** Extra environment for every service (e.g. a test policy folder, a short tick). */
  env?: Record<string, string>;
  /** Per-service extra environment. */
  envFor?: Partial<Record<ServiceName, Record<string, string>>>;
  readyTimeoutMs?: number;
  /** Which services to start (default: all five). */
  only?: readonly ServiceName[];
  /**
   * The folder each service runs from, laid out like the repository (`services/<name>/dist/main.js`
   * beside `policies/`): default the workspace; the image-contents test passes what an image holds.
   */
  rootOf?: (name: ServiceName) => string;
  /**
   * `pull` (default): each service streams from its subscriptions. `push`: as on Cloud Run — the
   * services run with `ARBITER_DELIVERY=push` and, once all answer, their subscriptions are made push
   * subscriptions pointing at them through the push signer (`pushEndpointOf` of
   * `pushSigner.endpointBaseOf(service)`), which finds a restarted service by name.
   */
  delivery?: 'pull' | 'push';
}

export interface Services {
  services: readonly RunningService[];
  /**
   * The local push signer the services trust for their event routes (`push-signer.ts`): post events
   * to `<pushSigner.endpointBaseOf(service)>/pubsub/push/<subscription>` as Pub/Sub push would.
   */
  pushSigner: PushSigner;
  delivery: 'pull' | 'push';
  urlOf(name: ServiceName): string;
  /** SIGTERM each (they drain), SIGKILL after the grace period. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** Stop one service abruptly (SIGKILL), as a crash would. */
  kill(name: ServiceName): Promise<void>;
  /** Start one service again with the same port and environment. */
  restart(name: ServiceName): Promise<void>;
  /** Freeze one service (SIGSTOP): it holds its connections and messages but does nothing, as a stalled VM would. */
  pause(name: ServiceName): void;
  /** Let a paused service go on (SIGCONT). */
  resume(name: ServiceName): void;
}

/**
 * Runs the services as separate processes, the way `pnpm start` does and the end-to-end tests need:
 * `node services/<name>/dist/main.js`, each with the emulator variables, its own port, and its output
 * in `<logDir>/<name>.log`. Resolves once every `/healthz` answers 200.
 */
export async function startServices(options: ServicesOptions): Promise<Services> {
  const host = options.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const root = repoRoot();
  const logDir = options.logDir ?? defaultLogDir(root);
  mkdirSync(logDir, { recursive: true });
  const names = options.only ?? ServiceStartOrder;
  const delivery = options.delivery ?? 'pull';
  const free = options.ports === 'free' ? await freePorts(names.length, host) : [];
  const ports = new Map<ServiceName, number>(names.map((name, index) => [name, options.ports === 'free' ? (free[index] as number) : DefaultServicePorts[name]]));

  // Event routes verify a push OIDC token as on Cloud Run; locally the push signer mints it.
  const running = new Map<ServiceName, RunningService>();
  const pushSigner = await startPushSigner({ host, targetOf: (service) => running.get(service as ServiceName)?.url });
  const pushEnv = pushAuthEnvOf(pushSigner);

  const spawnOne = async (name: ServiceName): Promise<RunningService> => {
    const port = ports.get(name) as number;
    const logFile = join(logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const serviceRoot = options.rootOf?.(name) ?? root;
    const child = spawn(process.execPath, [join(serviceRoot, 'services', name, 'dist', 'main.js')], {
      cwd: serviceRoot,
      env: {
        // review-queue's metrics refresh job reads every metric view: off unless asked for (`pnpm start`
        // and the metrics page's browser test ask), so test stacks leave the shared BigQuery emulator alone.
        ARBITER_METRICS_REFRESH: 'off',
        ...process.env,
        ...stackEnv(options.endpoints),
        ARBITER_ENV: 'local',
        ...pushEnv,
        ARBITER_DELIVERY: delivery,
        PORT: String(port),
        HOST: host,
        ...options.env,
        ...options.envFor?.[name],
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const url = `http://${host}:${port}`;
    await waitHealthy(name, url, child, logFile, options.readyTimeoutMs ?? 60_000);
    return { name, pid: child.pid as number, url, logFile, process: child };
  };

  try {
    if (delivery === 'pull') {
      // Before any service subscribes: the emulator loses redeliveries on subscriptions with a retry or dead-letter policy.
      const pubsub = pubSubClient(options.endpoints.projectId, options.endpoints.pubsubEmulatorHost);
      try {
        await pullSubscriptionsOnEmulator(pubsub, Subscriptions.filter((spec) => (names as readonly string[]).includes(spec.service)));
      } finally {
        await pubsub.close();
      }
    }
    for (const name of names) running.set(name, await spawnOne(name));
    if (delivery === 'push') {
      const pubsub = pubSubClient(options.endpoints.projectId, options.endpoints.pubsubEmulatorHost);
      try {
        // Through the push signer, which adds the OIDC token Pub/Sub push would (and finds a restarted service).
        await pushSubscriptionsTo(pubsub, (service) => (running.has(service) ? pushSigner.endpointBaseOf(service) : undefined));
      } finally {
        await pubsub.close();
      }
    }
  } catch (error) {
    await Promise.all([...running.values()].map((service) => terminate(service.process, 5_000)));
    await pushSigner.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    get services() {
      return [...running.values()];
    },
    pushSigner,
    delivery,
    urlOf: (name) => {
      const service = running.get(name);
      if (!service) throw new Error(`${name} is not running`);
      return service.url;
    },
    stop: (graceMs = 10_000) => {
      stopping ??= Promise.all([...running.values()].map((service) => terminate(service.process, graceMs))).then(() => pushSigner.close());
      return stopping;
    },
    kill: async (name) => {
      const service = running.get(name);
      if (service) await terminate(service.process, 0);
    },
    pause: (name) => {
      running.get(name)?.process.kill('SIGSTOP');
    },
    resume: (name) => {
      running.get(name)?.process.kill('SIGCONT');
    },
    restart: async (name) => {
      const service = running.get(name);
      if (service) await terminate(service.process, 10_000);
      running.set(name, await spawnOne(name));
    },
  };
}

async function waitHealthy(name: string, url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} ${exited} before it was ready:\n${logTail(logFile)}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await terminate(child, 2_000);
  throw new Error(`${name} was not healthy within ${timeoutMs} ms:\n${logTail(logFile)}`);
}

/** SIGTERM, then SIGKILL after `graceMs` (at once when 0); resolves when the process has exited. */
export function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
  });
}
