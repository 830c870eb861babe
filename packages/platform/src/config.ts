import { readTelemetryConfig, type TelemetryConfig } from './telemetry-config';

/**
 * Reads a service's configuration from the environment once, reporting every bad variable at once.
 * Each service's `config.ts` describes its variables with an `EnvReader`; `main.ts` calls
 * `loadConfigOrExit` and passes the frozen result on.
 */
import { readPushAuthSettings, type PushAuthSettings } from './push-auth';

export class EnvReader {
  readonly errors: string[] = [];

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.errors.push(`${name} is required`);
    return '';
  }

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value)) {
      this.errors.push(`${name} must be a whole number (got "${raw}")`);
      return fallback;
    }
    if (range.min !== undefined && value < range.min) this.errors.push(`${name} must be at least ${range.min} (got ${value})`);
    if (range.max !== undefined && value > range.max) this.errors.push(`${name} must be at most ${range.max} (got ${value})`);
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.errors.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.errors.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  /** A `host:port`; when `loopbackOnly`, the host must be 127.0.0.0/8, localhost or ::1. */
  hostPort(name: string, options: { loopbackOnly?: boolean } = {}): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const match = /^(\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/i.exec(raw.replace(/^https?:\/\//, ''));
    if (!match) {
      this.errors.push(`${name} must be host:port (got "${raw}")`);
      return undefined;
    }
    if (options.loopbackOnly && !isLoopbackHost(match[1] ?? '')) this.errors.push(`${name} must point at this machine (127.0.0.1, localhost or [::1]); got "${raw}"`);
    return raw;
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

export type ConfigResult<T> = { ok: true; value: Readonly<T> } | { ok: false; errors: string[] };

export function readConfig<T extends object>(env: Readonly<Record<string, string | undefined>>, describe: (read: EnvReader) => T): ConfigResult<T> {
  const reader = new EnvReader(env);
  const value = describe(reader);
  return reader.errors.length ? { ok: false, errors: reader.errors } : { ok: true, value: Object.freeze(value) };
}

/** For `main.ts`: the config, or a message naming every bad variable and exit code 78 (EX_CONFIG). */
export function loadConfigOrExit<T extends object>(service: string, describe: (read: EnvReader) => T): Readonly<T> {
  const result = readConfig(process.env, describe);
  if (result.ok) return result.value;
  process.stderr.write(`${service}: invalid configuration:\n${result.errors.map((error) => `  - ${error}`).join('\n')}\n`);
  process.exit(78);
}

/** What every service reads; a service's own `config.ts` adds its variables beside these. */
export interface CommonServiceConfig {
  /** `local` permits the local-only conveniences (documented defaults, ARBITER_PUSH_AUTH=off); anything else requires real settings. */
  env: 'local' | 'dev' | 'staging' | 'prod';
  projectId: string;
  port: number;
  host: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** `pull`: streaming pull (local, long-running instances); `push`: only the push endpoints (Cloud Run). */
  delivery: 'pull' | 'push';
  /** Hold a nack for a backoff: on against the emulator, which ignores subscription retry policies. */
  backoffBeforeNack: boolean;
  policiesDir?: string;
  /** Who may post to the event routes (`push-auth.ts`). */
  pushAuth: PushAuthSettings;
  /** OpenTelemetry (OTEL_*): off unless an OTLP endpoint is set. */
  telemetry: TelemetryConfig;
}

export function readCommonServiceConfig(read: EnvReader, defaultPort: number, options: { publicOrigin?: boolean } = {}): CommonServiceConfig {
  const env = read.oneOf('ARBITER_ENV', ['local', 'dev', 'staging', 'prod'] as const, 'local');
  const emulated = read.hostPort('PUBSUB_EMULATOR_HOST') !== undefined;
  read.hostPort('FIRESTORE_EMULATOR_HOST');
  const policiesDir = read.optional('ARBITER_POLICIES_DIR');
  return {
    env,
    projectId: read.string('ARBITER_PROJECT_ID', read.optional('GOOGLE_CLOUD_PROJECT') ?? 'arbiter-local'),
    port: read.int('PORT', defaultPort, { min: 0, max: 65535 }),
    host: read.string('HOST', '127.0.0.1'),
    logLevel: read.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error'] as const, 'info'),
    delivery: read.oneOf('ARBITER_DELIVERY', ['pull', 'push'] as const, 'pull'),
    backoffBeforeNack: read.bool('ARBITER_BACKOFF_BEFORE_NACK', emulated),
    ...(policiesDir ? { policiesDir } : {}),
    pushAuth: readPushAuthSettings(read, env, options),
    telemetry: readTelemetryConfig(read),
  };
}
