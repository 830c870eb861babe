import type { ServiceName } from '@arbiter/contract';
import { readCommonServiceConfig, readConfig as readEnvConfig, type CommonServiceConfig, type ConfigResult, type EnvReader } from '@arbiter/platform';

export const SERVICE = 'confidence-assessor' satisfies ServiceName;
export const DEFAULT_PORT = 8101;

export interface AssessorConfig extends CommonServiceConfig {
  /** How often the outbox relay looks for events staged but not yet published (after a crash or a failed publish). */
  outboxSweepMs: number;
}

/** The assessor's variables: the common ones, plus its own. */
export function describeConfig(read: EnvReader): AssessorConfig {
  return {
    ...readCommonServiceConfig(read, DEFAULT_PORT),
    outboxSweepMs: read.int('ASSESSOR_OUTBOX_SWEEP_MS', 30_000, { min: 100, max: 600_000 }),
  };
}

/** Reads and validates the whole configuration once; every bad variable is reported at once. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult<AssessorConfig> {
  return readEnvConfig(env, describeConfig);
}
