import type { Failure } from '@arbiter/core';

/** One problem in one policy file. */
export interface PolicyError {
  /** The file, as found in the policies directory (absolute when the directory was). */
  file: string;
  /** JSONPath of the offending value in the file (`$.queues[0].sla.target`); `$` for the whole file. */
  path: string;
  /** `POLICY.SCHEMA`, `POLICY.UNKNOWN_QUEUE`, `CALENDAR.INVALID_ZONE`, … */
  code: string;
  /** What is wrong and what to do about it. */
  message: string;
}

/** Loading failed: every problem found in every file, not just the first. */
export interface PolicyLoadFailure extends Failure {
  code: 'POLICY.INVALID';
  errors: PolicyError[];
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['queues', 0, 'sla', 'target']` → `$.queues[0].sla.target`. */
export function jsonPath(segments: readonly PathSegment[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** An ajv instancePath (`/queues/0/sla/target`) as path segments. */
export function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(?:0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/**
 * The start-up message: every error, grouped by file, one line each, in a stable order.
 *
 *     Policy configuration is invalid: 2 errors in 1 file.
 *       /srv/policies/vehicle-damage.yaml
 *         $.queues[0].sla.target  must be an ISO-8601 duration … (got "1h")  [POLICY.SCHEMA]
 */
export function formatPolicyErrors(errors: readonly PolicyError[]): string {
  if (errors.length === 0) return 'Policy configuration is valid.';
  const byFile = new Map<string, PolicyError[]>();
  for (const e of errors) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const files = [...byFile.keys()].sort();
  const lines = [
    `Policy configuration is invalid: ${errors.length} error${errors.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}.`,
  ];
  for (const file of files) {
    lines.push(`  ${file}`);
    for (const e of byFile.get(file) ?? []) lines.push(`    ${e.path}  ${e.message}  [${e.code}]`);
  }
  return lines.join('\n');
}
