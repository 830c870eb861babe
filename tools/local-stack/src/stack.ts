import { DefaultProjectId } from '@arbiter/contract';
import { ensureBigQueryEmulator, requireBigQueryEmulator } from './bigquery-emulator-binary';
import type { StackEndpoints } from './clients';
import {
  DefaultPorts,
  startBigQueryEmulator,
  startFirestoreEmulator,
  startPubSubEmulator,
  type EmulatorHandle,
} from './emulators';
import { assertLoopbackHost } from './loopback';
import { defaultLogDir } from './paths';
import { freePorts } from './ports';
import { provisionStack, type ProvisionReport } from './provision';

export interface StackPorts {
  pubsub: number;
  firestore: number;
  bigquery: number;
  bigqueryGrpc: number;
}

export interface StackOptions {
  /** Default `arbiter-local`. */
  projectId?: string;
  /** A loopback address; anything else is refused. Default 127.0.0.1. */
  host?: string;
  /** Fixed ports (default: 8085, 8086, 9050, 9060), or `'free'` for ports the OS picks (tests). */
  ports?: Partial<StackPorts> | 'free';
  /** Where `<emulator>.log` go. Default `.arbiter/logs`. */
  logDir?: string;
  /** Build the BigQuery emulator if it is missing (slow the first time). Default true. */
  install?: boolean;
  /** Run the provisioning once the emulators answer. Default true. */
  provision?: boolean;
  readyTimeoutMs?: number;
}

export interface Stack {
  endpoints: StackEndpoints;
  emulators: readonly EmulatorHandle[];
  /** Present when `provision` was not turned off. */
  provisioned?: ProvisionReport;
  /** Stops exactly the processes this stack started. Safe to call more than once. */
  stop(): Promise<void>;
}

const resolvePorts = async (ports: StackOptions['ports'], host: string): Promise<StackPorts> => {
  if (ports === 'free') {
    const [pubsub, firestore, bigquery, bigqueryGrpc] = await freePorts(4, host);
    if (pubsub === undefined || firestore === undefined || bigquery === undefined || bigqueryGrpc === undefined) {
      throw new Error('Could not allocate four free ports');
    }
    return { pubsub, firestore, bigquery, bigqueryGrpc };
  }
  return { ...DefaultPorts, ...ports };
};

/**
 * Starts the Pub/Sub, Firestore and BigQuery emulators as local processes and provisions them.
 * `pnpm start` (through the `up` command) and the Jest global setup both use it.
 */
export const startStack = async (options: StackOptions = {}): Promise<Stack> => {
  const projectId = options.projectId ?? DefaultProjectId;
  const host = options.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const logDir = options.logDir ?? defaultLogDir();
  const binary = options.install === false ? await requireBigQueryEmulator() : await ensureBigQueryEmulator();
  const ports = await resolvePorts(options.ports, host);
  const common = { host, projectId, logDir, ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }) };

  const started = await Promise.allSettled([
    startPubSubEmulator({ ...common, port: ports.pubsub }),
    startFirestoreEmulator({ ...common, port: ports.firestore }),
    startBigQueryEmulator({ ...common, port: ports.bigquery, grpcPort: ports.bigqueryGrpc, binary }),
  ]);
  const emulators = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.all(emulators.map((emulator) => emulator.stop())).then(() => undefined);
    return stopping;
  };
  const failures = started.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) {
    await stop();
    throw new Error(failures.map((failure) => (failure instanceof Error ? failure.message : String(failure))).join('\n\n'));
  }
  const byName = (name: EmulatorHandle['name']): EmulatorHandle => {
    const found = emulators.find((emulator) => emulator.name === name);
    if (found === undefined) throw new Error(`The ${name} emulator did not start`);
    return found;
  };
  const endpoints: StackEndpoints = {
    projectId,
    pubsubEmulatorHost: byName('pubsub').endpoint,
    firestoreEmulatorHost: byName('firestore').endpoint,
    bigqueryEmulatorHost: byName('bigquery').endpoint,
  };
  if (options.provision === false) return { endpoints, emulators, stop };
  try {
    const provisioned = await provisionStack(endpoints);
    return { endpoints, emulators, provisioned, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
