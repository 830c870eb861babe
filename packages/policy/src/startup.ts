import { loadPolicies, policiesDirFrom, type PolicyRegistry } from './load-policies';
import { formatPolicyErrors } from './policy-error';

/** The little a start-up needs of a logger (pino's `fatal`). */
export interface FatalLogger {
  fatal(fields: Record<string, unknown>, message: string): void;
}

/**
 * For a service's `main.ts`: the policies from `policiesDir` (ARBITER_POLICIES_DIR) or `<repo>/policies`,
 * or — when any policy is invalid — every error on stderr and in the log, and exit code 78 (EX_CONFIG).
 */
export function loadPoliciesOrExit(service: string, logger: FatalLogger, policiesDir: string | undefined, repoRoot: string): PolicyRegistry {
  const policies = loadPolicies(policiesDirFrom(policiesDir ? { ARBITER_POLICIES_DIR: policiesDir } : {}, repoRoot));
  if (policies.ok) return policies.value;
  const detail = formatPolicyErrors(policies.error.errors);
  logger.fatal({ code: policies.error.code, problems: policies.error.errors.length }, `${policies.error.message}:\n${detail}`);
  process.stderr.write(`${service}: ${policies.error.message}:\n${detail}\n`);
  process.exit(78);
}
