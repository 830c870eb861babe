/**
 * Policies as data: every `policies/<use-case>.yaml`, parsed, validated against the JSON Schema,
 * cross-checked, and served from a registry. Loading either yields every policy or every problem of
 * every file at once; it never logs and never exits (the service's main decides what to do).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { fail, ok, type Failure, type Policy, type Result } from '@arbiter/core';
import type { PolicyError, PolicyLoadFailure } from './policy-error';
import { schemaProblems } from './policy-schema';
import { semanticProblems } from './policy-semantics';

export const POLICIES_DIR_VARIABLE = 'ARBITER_POLICIES_DIR';

export interface PolicyRegistry {
  /** The policy of a use case, or `POLICY.UNKNOWN_USE_CASE`. */
  get(useCase: string): Result<Policy>;
  /** Every loaded policy, by id. */
  list(): readonly Policy[];
}

/** One policy file's text, as read (or as written by a test). */
export interface PolicyFile {
  /** The path reported in errors; its base name (without `.yaml`) must equal the policy id. */
  file: string;
  text: string;
}

/**
 * The policies directory: `ARBITER_POLICIES_DIR` when set (relative to `repoRoot` if relative), else
 * `<repoRoot>/policies`.
 */
export function policiesDirFrom(env: Readonly<Record<string, string | undefined>>, repoRoot: string): string {
  const configured = env[POLICIES_DIR_VARIABLE]?.trim();
  return configured ? path.resolve(repoRoot, configured) : path.join(repoRoot, 'policies');
}

/** Reads and validates every `*.yaml` in `dir` (synchronously: it runs once, at start-up). */
export function loadPolicies(dir: string): Result<PolicyRegistry, PolicyLoadFailure> {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (e) {
    return invalid([{ file: dir, path: '$', code: 'POLICY.DIR_UNREADABLE', message: `cannot read the policies directory (${errorText(e)}); set ${POLICIES_DIR_VARIABLE} to a directory of <use-case>.yaml files` }]);
  }
  const errors: PolicyError[] = [];
  for (const name of names.filter((n) => n.endsWith('.yml'))) {
    errors.push({ file: path.join(dir, name), path: '$', code: 'POLICY.WRONG_EXTENSION', message: 'policy files end in .yaml; rename it (it was not loaded)' });
  }
  const files: PolicyFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.yaml'))) {
    const file = path.join(dir, name);
    try {
      files.push({ file, text: readFileSync(file, 'utf8') });
    } catch (e) {
      errors.push({ file, path: '$', code: 'POLICY.FILE_UNREADABLE', message: `cannot read the file (${errorText(e)})` });
    }
  }
  if (files.length === 0 && errors.length === 0) {
    return invalid([{ file: dir, path: '$', code: 'POLICY.NONE_FOUND', message: `no *.yaml policies in this directory; add one per use case or point ${POLICIES_DIR_VARIABLE} elsewhere` }]);
  }
  const parsed = parsePolicyFiles(files);
  if (!parsed.ok) errors.push(...parsed.error.errors);
  return errors.length > 0 || !parsed.ok ? invalid(errors) : parsed;
}

/** Parses, validates and cross-checks policy texts; pure apart from reading the schema once. */
export function parsePolicyFiles(files: readonly PolicyFile[]): Result<PolicyRegistry, PolicyLoadFailure> {
  const errors: PolicyError[] = [];
  const loaded: Array<{ file: string; policy: Policy }> = [];
  for (const { file, text } of files) {
    const result = validatePolicyText(file, text);
    errors.push(...result.errors);
    if (result.policy !== undefined) loaded.push({ file, policy: result.policy });
  }
  const seen = new Map<string, string>();
  for (const { file, policy } of loaded) {
    const other = seen.get(policy.id);
    if (other !== undefined) errors.push({ file, path: '$.id', code: 'POLICY.DUPLICATE_USE_CASE', message: `use case "${policy.id}" is already defined in ${other}` });
    else seen.set(policy.id, file);
  }
  if (errors.length > 0) return invalid(errors);
  return ok(createPolicyRegistry(loaded.map((l) => l.policy)));
}

/** Every problem of one policy text (YAML, schema, semantics), and the policy when there is none. */
export function validatePolicyText(file: string, text: string): { policy?: Policy; errors: PolicyError[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    return {
      errors: doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { file, path: '$', code: 'POLICY.YAML_SYNTAX', message: `YAML syntax error at line ${at.line}, column ${at.col}: ${e.message}` };
      }),
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { errors: [{ file, path: '$', code: 'POLICY.NOT_A_MAPPING', message: 'a policy file is one YAML mapping (id: …, version: …, …)' }] };
  }
  const schema = schemaProblems(data);
  if (schema.length > 0) return { errors: schema.map((p) => ({ file, path: p.path, code: 'POLICY.SCHEMA', message: p.message })) };
  // The schema mirrors the Policy type exactly, so a valid document is a Policy.
  const policy = data as Policy;
  const fileId = path.basename(file).replace(/\.yaml$/, '');
  const semantic = semanticProblems(policy, fileId);
  if (semantic.length > 0) return { errors: semantic.map((p) => ({ file, ...p })) };
  return { policy: deepFreeze(policy), errors: [] };
}

export function createPolicyRegistry(policies: readonly Policy[]): PolicyRegistry {
  const byId = new Map(policies.map((p) => [p.id, p]));
  const all = Object.freeze([...policies].sort((a, b) => a.id.localeCompare(b.id)));
  return {
    get(useCase: string): Result<Policy> {
      const policy = byId.get(useCase);
      if (policy !== undefined) return ok(policy);
      const failure: Failure = { code: 'POLICY.UNKNOWN_USE_CASE', message: `no policy for use case ${JSON.stringify(useCase)} (known: ${[...byId.keys()].sort().join(', ') || 'none'})` };
      return fail(failure);
    },
    list: () => all,
  };
}

function invalid(errors: PolicyError[]): { ok: false; error: PolicyLoadFailure } {
  return fail({ code: 'POLICY.INVALID', message: `${errors.length} problem${errors.length === 1 ? '' : 's'} in the policies`, errors });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
