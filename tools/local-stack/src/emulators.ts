import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { assertLoopbackHost, hostPort } from './loopback';
import { repoRoot } from './paths';
import { freePort } from './ports';

/**
 * The three local emulators as child processes. Each runs in its own process group (detached), so
 * stopping one signals the whole group (the gcloud wrapper and the Java server it starts) and
 * nothing else: we only ever signal the process groups we created, by their id.
 */
export type EmulatorName = 'pubsub' | 'firestore' | 'bigquery';

export const DefaultPorts = { pubsub: 8085, firestore: 8086, bigquery: 9050, bigqueryGrpc: 9060 } as const;

export interface EmulatorHandle {
  readonly name: EmulatorName;
  readonly host: string;
  readonly port: number;
  /** The process-group id (= pid of the process we spawned). */
  readonly pid: number;
  readonly logFile: string;
  /** The value of the standard variable (`PUBSUB_EMULATOR_HOST`, …) that reaches this emulator. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  host?: string;
  port: number;
  projectId: string;
  logDir: string;
  /** How long to wait for the readiness probe. Default 90 s (the JVM emulators are slow on 2 cores). */
  readyTimeoutMs?: number;
}

export interface BigQueryEmulatorOptions extends EmulatorOptions {
  grpcPort: number;
  /** Path of the goccy/bigquery-emulator binary. */
  binary: string;
}

interface Spec {
  name: EmulatorName;
  command: string;
  args: string[];
  host: string;
  port: number;
  endpoint: string;
  probeUrl: string;
}

/** Process groups started by this process and not yet stopped: killed if this process exits first. */
const running = new Map<number, EmulatorName>();
let exitHookInstalled = false;
const installExitHook = (): void => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of running.keys()) signalGroup(pgid, 'SIGKILL');
  });
};

const signalGroup = (pgid: number, signal: NodeJS.Signals | 0): boolean => {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

const groupAlive = (pgid: number): boolean => signalGroup(pgid, 0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM the group, wait up to `graceMs` for every member to exit, then SIGKILL what is left. */
export const stopProcessGroup = async (pgid: number, graceMs = 10_000): Promise<void> => {
  if (!signalGroup(pgid, 'SIGTERM')) {
    running.delete(pgid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pgid)) {
    signalGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid)) await sleep(50);
  }
  running.delete(pgid);
};

/** Stops every emulator this process started and has not stopped yet (signal handlers use it). */
export const stopAllEmulators = async (): Promise<void> => {
  await Promise.all([...running.keys()].map((pgid) => stopProcessGroup(pgid)));
};

/**
 * On SIGINT/SIGTERM/SIGHUP, kill the emulators this process started, then die of the same signal.
 * For hosts (like Jest's parent process) whose own signal handling would otherwise leave them running.
 */
let signalHookInstalled = false;
export const killEmulatorsOnSignal = (): void => {
  if (signalHookInstalled) return;
  signalHookInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const pgid of running.keys()) signalGroup(pgid, 'SIGKILL');
      running.clear();
      process.kill(process.pid, signal);
    });
  }
};

export const logTail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

const probe = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
};

/** Fails when something already listens on the port: the readiness probe would otherwise pass against a stranger. */
export const assertPortFree = (host: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`Port ${hostPort({ host, port })} is not free (${error.code ?? error.message}): is another stack running?`)),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });

const start = async (spec: Spec, options: EmulatorOptions, extraPorts: number[] = []): Promise<EmulatorHandle> => {
  assertLoopbackHost(spec.host);
  for (const port of [spec.port, ...extraPorts]) await assertPortFree(spec.host, port);
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${spec.name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(spec.command, spec.args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  closeSync(fd);
  // detached: the child leads a new process group whose id is its pid.
  const pgid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () =>
      child.pid !== undefined && child.pid > 1 ? resolve(child.pid) : reject(new Error(`The ${spec.name} emulator has no pid`)),
    );
    child.once('error', (error) => reject(new Error(`Could not start the ${spec.name} emulator (${spec.command}): ${error.message}`)));
  });
  running.set(pgid, spec.name);
  installExitHook();
  child.unref();
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${String(code)}`}`;
  });

  const stop = (): Promise<void> => stopProcessGroup(pgid);
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe(spec.probeUrl)) break;
    if (exited !== undefined || Date.now() > deadline) {
      await stop();
      const why = exited ?? `not ready after ${timeoutMs} ms (probe ${spec.probeUrl})`;
      throw new Error(`The ${spec.name} emulator ${why}. Last lines of ${logFile}:\n${logTail(logFile)}`);
    }
    await sleep(250);
  }
  return { name: spec.name, host: spec.host, port: spec.port, pid: pgid, logFile, endpoint: spec.endpoint, stop };
};

export const startPubSubEmulator = (options: EmulatorOptions): Promise<EmulatorHandle> => {
  const host = options.host ?? '127.0.0.1';
  const address = hostPort({ host, port: options.port });
  return start(
    {
      name: 'pubsub',
      command: 'gcloud',
      args: ['--quiet', 'beta', 'emulators', 'pubsub', 'start', `--host-port=${address}`, `--project=${options.projectId}`],
      host,
      port: options.port,
      endpoint: address,
      probeUrl: `http://${address}/`,
    },
    options,
  );
};

export const startFirestoreEmulator = (options: EmulatorOptions): Promise<EmulatorHandle> => {
  const host = options.host ?? '127.0.0.1';
  const address = hostPort({ host, port: options.port });
  return start(
    {
      name: 'firestore',
      command: 'gcloud',
      args: ['--quiet', 'emulators', 'firestore', 'start', `--host-port=${address}`],
      host,
      port: options.port,
      endpoint: address,
      probeUrl: `http://${address}/`,
    },
    options,
  );
};

/**
 * goccy/bigquery-emulator, behind the request shield (bigquery-shield.ts): the emulator listens on a
 * free loopback port of its own and the shield on `port`, so no client's hang-up ever reaches it.
 * `BIGQUERY_EMULATOR_HOST` is a URL (`http://host:port`): the Node and Python clients use the
 * variable as their base URL, so it needs the scheme. The gRPC (Storage API) port is the emulator's
 * own; nothing of ours uses it.
 */
export const startBigQueryEmulator = async (options: BigQueryEmulatorOptions): Promise<EmulatorHandle> => {
  const host = options.host ?? '127.0.0.1';
  const address = hostPort({ host, port: options.port });
  const shield = shieldScript();
  const upstreamPort = await freePort('127.0.0.1');
  return start(
    {
      name: 'bigquery',
      command: process.execPath,
      args: [
        shield,
        '--listen',
        address,
        '--upstream',
        String(upstreamPort),
        '--',
        options.binary,
        `--project=${options.projectId}`,
        '--host=127.0.0.1',
        `--port=${upstreamPort}`,
        `--grpc-port=${options.grpcPort}`,
        '--log-level=info',
      ],
      host,
      port: options.port,
      endpoint: `http://${address}`,
      probeUrl: `http://${address}/bigquery/v2/projects/${encodeURIComponent(options.projectId)}/datasets`,
    },
    options,
    [options.grpcPort],
  );
};

/** The compiled shield beside this file (dist/), or the workspace build of it when run from src/. */
const shieldScript = (): string => {
  const candidates = [join(__dirname, 'bigquery-shield.js'), join(repoRoot(), 'tools', 'local-stack', 'dist', 'bigquery-shield.js')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error(`The BigQuery shield is not built (${candidates.join(', ')}): run pnpm build`);
  return found;
};
