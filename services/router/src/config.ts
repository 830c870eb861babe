import type { ServiceName } from '@arbiter/contract';
import { readCommonServiceConfig, readConfig as readEnvConfig, type CommonServiceConfig, type ConfigResult, type EnvReader } from '@arbiter/platform';

export const SERVICE = 'router' satisfies ServiceName;
export const DEFAULT_PORT = 8102;

export interface RouterConfig extends CommonServiceConfig {
  /** How often the outbox relay looks for events staged but not yet published (after a crash or a failed publish). */
  outboxSweepMs: number;
  /** How many of a use case's most recent approved patterns fast-track compares a case with. */
  fastTrackPatternLimit: number;
}

/** The router's variables: the common ones, plus its own. */
export function describeConfig(read: EnvReader): RouterConfig {
  return {
    ...readCommonServiceConfig(read, DEFAULT_PORT),
    outboxSweepMs: read.int('ROUTER_OUTBOX_SWEEP_MS', 30_000, { min: 100, max: 600_000 }),
    fastTrackPatternLimit: read.int('ROUTER_FAST_TRACK_PATTERN_LIMIT', 300, { min: 1, max: 5_000 }),
  };
}

/** Reads and validates the whole configuration once; every bad variable is reported at once. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult<RouterConfig> {
  return readEnvConfig(env, describeConfig);
}
