/**
 * One redaction list for the logs: the static secrets and free text of `REDACTED_LOG_PATHS`, plus
 * every loaded policy's `privacy.redact` fields (`context.customerEmail`, `context.requestedBy`, …).
 * A policy field is censored by its last segment wherever it appears, at any depth up to
 * `MAX_DEPTH` — in the event data, the prediction a case.opened carries, an error's details — since a
 * logger cannot know which use case an arbitrary object belongs to. pino's `redact` does the censoring.
 */
import type { Logger } from 'pino';
import { REDACTED_LOG_PATHS } from './logger';

/** `customerEmail` is censored as a key at depth 1 to MAX_DEPTH of a log line's object. */
const MAX_DEPTH = 6;
const CENSOR = '[REDACTED]';
const KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The key names a list of policy paths (`context.customerEmail`, `prediction.context.x`) redacts. */
export function redactedKeysOf(policyPaths: Iterable<string>): string[] {
  const keys = new Set<string>();
  for (const path of policyPaths) {
    const last = path.split('.').pop() ?? '';
    if (KEY.test(last) && last !== '*') keys.add(last);
  }
  return [...keys].sort();
}

/** pino redact paths for the static list plus the policies' PII fields: the one list every service logs through. */
export function logRedactionPaths(policyPaths: Iterable<string>): string[] {
  const paths = new Set<string>(REDACTED_LOG_PATHS);
  for (const key of redactedKeysOf(policyPaths)) {
    const plain = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key);
    for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
      // `*.*.customerEmail`; a key that is not an identifier in bracket form: `*.*["license-plate"]`.
      if (plain) paths.add(`${'*.'.repeat(depth)}${key}`);
      else paths.add(`${depth === 0 ? '' : `${'*.'.repeat(depth - 1)}*`}["${key}"]`);
    }
  }
  return [...paths];
}

/** A logger that redacts the one list, the policies' fields included. Use it for everything after the policies load. */
export function withPolicyRedaction(logger: Logger, policyPaths: Iterable<string>): Logger {
  return logger.child({}, { redact: { paths: logRedactionPaths(policyPaths), censor: CENSOR } });
}

/** Every `privacy.redact` path of the loaded policies. */
export function policyRedactPaths(policies: Iterable<{ privacy: { redact: readonly string[] } }>): string[] {
  return [...new Set([...policies].flatMap((policy) => policy.privacy.redact))];
}
