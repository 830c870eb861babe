import type { ErrorObject } from 'ajv';
import { ok, type Policy } from '@arbiter/core';
import { contractFailure, type ContractErrorCode, type ContractResult, type SchemaIssue } from './contract-error';
import { schemaIdOf, type EventDataMap } from './event-map';
import { EventTypes, isEventType, type EventType } from './topology';

/** An ajv standalone validator, as `scripts/generate-validators.cjs` writes it (verbose errors). */
type GeneratedValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

interface GeneratedModule {
  manifest: { events: string[]; policy: string | null };
  [schemaId: string]: unknown;
}

function loadGenerated(): GeneratedModule {
  let loaded: unknown;
  try {
    // Generated, gitignored, and copied to dist by tsc (allowJs). Loaded with require so a missing
    // file gives this message rather than a type error.
    loaded = require('./generated/validators.js');
  } catch (error) {
    throw new Error(
      `@arbiter/contract: the precompiled validators are missing (${(error as Error).message}). ` +
        'Run `pnpm --filter @arbiter/contract run generate` (the root `pnpm build` does).',
    );
  }
  return loaded as GeneratedModule;
}

const generated = loadGenerated();

function validatorFor(schemaId: string): GeneratedValidator | undefined {
  const candidate = generated[schemaId];
  return typeof candidate === 'function' ? (candidate as GeneratedValidator) : undefined;
}

/** Event types whose schema was compiled in: the contract test checks it is every type. */
export const compiledEventTypes: readonly string[] = generated.manifest.events;

/** The policy schema's `$id`, or null when `schemas/policy.schema.json` did not exist at generation time. */
export const compiledPolicySchemaId: string | null = generated.manifest.policy;

/**
 * Validates an event's data against its type's schema. The error message says what to fix
 * (`prediction.confidence must be <= 1 (got 1.5)`); `issues` lists every problem found.
 */
export function validateEventData<T extends EventType>(type: T, data: unknown): ContractResult<EventDataMap[T]>;
export function validateEventData(type: string, data: unknown): ContractResult<EventDataMap[EventType]>;
export function validateEventData(type: string, data: unknown): ContractResult<EventDataMap[EventType]> {
  if (!isEventType(type)) {
    return contractFailure('EVENT.UNKNOWN_TYPE', unknownTypeMessage(type));
  }
  const validate = validatorFor(schemaIdOf(type));
  if (!validate) {
    throw new Error(`@arbiter/contract: no compiled validator for ${type}; regenerate the validators`);
  }
  return runValidator(validate, data, 'EVENT.SCHEMA_VIOLATION');
}

/** Validates a parsed policy document against `schemas/policy.schema.json`. */
export function validatePolicyDocument(document: unknown): ContractResult<Policy> {
  const validate = compiledPolicySchemaId ? validatorFor(compiledPolicySchemaId) : undefined;
  if (!validate) {
    return contractFailure(
      'POLICY.SCHEMA_UNAVAILABLE',
      'schemas/policy.schema.json was not compiled: add it and run `pnpm --filter @arbiter/contract run generate`',
    );
  }
  return runValidator<Policy>(validate, document, 'POLICY.SCHEMA_VIOLATION');
}

export function unknownTypeMessage(type: string): string {
  return `unknown event type "${type}" (known: ${Object.values(EventTypes).join(', ')})`;
}

function runValidator<T>(validate: GeneratedValidator, data: unknown, code: ContractErrorCode): ContractResult<T> {
  if (validate(data)) return ok(data as T);
  const issues = describeErrors(validate.errors ?? []);
  const message = issues.length > 0 ? [...new Set(issues.map((issue) => issue.message))].join('; ') : 'does not match its schema';
  return contractFailure(code, message, issues);
}

/** Turns ajv's errors into messages that say what to fix. Exported for tests. */
export function describeErrors(errors: readonly ErrorObject[]): SchemaIssue[] {
  // Branch errors of a failed anyOf/oneOf are noise once the anyOf itself is reported.
  const failedAlternatives = errors
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .map((error) => ({ instancePath: error.instancePath, schemaPath: `${error.schemaPath}/` }));
  const issues: SchemaIssue[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'propertyNames') continue; // the inner errors say it
    const insideAlternative = failedAlternatives.some(
      (alternative) => error.schemaPath.startsWith(alternative.schemaPath) && error.instancePath.startsWith(alternative.instancePath),
    );
    if (insideAlternative) continue;
    issues.push({ path: pathOf(error.instancePath), keyword: error.keyword, message: messageOf(error) });
  }
  return issues;
}

function messageOf(error: ErrorObject): string {
  const path = pathOf(error.instancePath);
  const subject = path === '' ? 'data' : path;
  const params = error.params as Record<string, unknown>;
  const limit = params['limit'];
  const propertyName = error.propertyName;
  if (typeof propertyName === 'string') {
    return `field name "${propertyName}" at ${path === '' ? 'the top level' : path} ${fieldNameRule(error)}`;
  }
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      return `${join(path, missing)} is required`;
    }
    case 'additionalProperties': {
      const allowed = Object.keys(propertiesOf(error.parentSchema));
      const where = path === '' ? 'the top level' : path;
      return `unexpected field "${String(params['additionalProperty'])}" at ${where} (only ${allowed.join(', ')} ${allowed.length === 1 ? 'is' : 'are'} allowed)`;
    }
    case 'type':
      return `${subject} must be ${withArticle(String(params['type']))} (got ${describeValue(error.data)})`;
    case 'maximum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'exclusiveMinimum':
      return `${subject} must be ${String(params['comparison'])} ${String(limit)} (got ${describeValue(error.data)})`;
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ');
      return `${subject} must be one of ${allowed} (got ${describeValue(error.data)})`;
    }
    case 'const':
      return `${subject} must be ${JSON.stringify(params['allowedValue'])} (got ${describeValue(error.data)})`;
    case 'format':
      return `${subject} must be ${formatHint(String(params['format']))} (got ${describeValue(error.data)})`;
    case 'pattern':
      return `${subject} must match ${String(params['pattern'])} (got ${describeValue(error.data)})`;
    case 'minLength':
      return limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${String(limit)} characters long`;
    case 'maxLength':
      return `${subject} must be at most ${String(limit)} characters long (got ${typeof error.data === 'string' ? error.data.length : '?'})`;
    case 'minItems':
      return `${subject} must have at least ${String(limit)} item${limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `${subject} must have at most ${String(limit)} item${limit === 1 ? '' : 's'}`;
    case 'minProperties':
      return `${subject} must have at least ${String(limit)} field${limit === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `${subject} must not repeat items (items ${String(params['j'])} and ${String(params['i'])} are equal)`;
    case 'anyOf':
    case 'oneOf': {
      const custom = error.parentSchema?.['x-message'];
      if (typeof custom === 'string') return custom;
      return `${subject} must match exactly one of the allowed shapes`;
    }
    default:
      return `${subject} ${error.message ?? `fails ${error.keyword}`}`;
  }
}

function fieldNameRule(error: ErrorObject): string {
  switch (error.keyword) {
    case 'pattern':
      return `must match ${String((error.params as Record<string, unknown>)['pattern'])}`;
    case 'minLength':
      return 'must not be empty';
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  if (schema && typeof schema === 'object' && 'properties' in schema) {
    const properties = (schema as { properties?: unknown }).properties;
    if (properties && typeof properties === 'object') return properties as Record<string, unknown>;
  }
  return {};
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `/prediction/confidence` → `prediction.confidence`; `/evidence/0/uri` → `evidence[0].uri`. */
export function pathOf(instancePath: string): string {
  if (instancePath === '') return '';
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => {
      if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
      if (IDENTIFIER.test(segment)) return path === '' ? segment : `${path}.${segment}`;
      return `${path}[${JSON.stringify(segment)}]`;
    }, '');
}

function join(path: string, property: string): string {
  const segment = IDENTIFIER.test(property) ? property : `[${JSON.stringify(property)}]`;
  if (path === '') return segment;
  return segment.startsWith('[') ? `${path}${segment}` : `${path}.${segment}`;
}

function withArticle(type: string): string {
  const names = type.split(',');
  return names.map((name) => (/^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`)).join(' or ');
}

function formatHint(format: string): string {
  switch (format) {
    case 'date-time':
      return 'an RFC 3339 date-time with a time zone, e.g. 2026-11-21T12:03:11Z';
    case 'uri':
      return 'an absolute URI, e.g. gs://evidence/bk-1/after-1.jpg';
    default:
      return `a valid ${format}`;
  }
}

/** A short, safe rendering of a value for a message (never a whole payload). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return typeof value;
  }
}
