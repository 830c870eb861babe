/**
 * Validation of a parsed policy document against `schemas/policy.schema.json` (JSON Schema 2020-12),
 * with ajv errors turned into messages that say what to write instead.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { jsonPath, pointerSegments, type PathSegment } from './policy-error';

/** Where the schema lives: the `@arbiter/schemas` workspace package. */
export function policySchemaPath(): string {
  return require.resolve('@arbiter/schemas/policy.schema.json');
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const schema = JSON.parse(readFileSync(policySchemaPath(), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true, verbose: true });
    addFormats(ajv, ['date']);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export interface SchemaProblem {
  path: string;
  message: string;
}

/** Every schema violation of one document; empty when it is valid. */
export function schemaProblems(doc: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(doc)) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = describe(error);
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const descriptionOf = (schema: unknown): string | undefined => {
  if (typeof schema === 'object' && schema !== null && 'description' in schema) {
    const d = (schema as { description: unknown }).description;
    return typeof d === 'string' ? d : undefined;
  }
  return undefined;
};

const propertyNamesOf = (schema: unknown): string[] => {
  if (typeof schema === 'object' && schema !== null && 'properties' in schema) {
    const p = (schema as { properties: unknown }).properties;
    if (typeof p === 'object' && p !== null) return Object.keys(p);
  }
  return [];
};

function describe(error: ErrorObject): SchemaProblem {
  const at: PathSegment[] = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const hint = descriptionOf(error.parentSchema);
  const got = ` (got ${show(error.data)})`;
  switch (error.keyword) {
    case 'required':
      return { path: jsonPath([...at, String(params.missingProperty)]), message: 'is required but missing' };
    case 'additionalProperties': {
      const allowed = propertyNamesOf(error.parentSchema);
      return {
        path: jsonPath([...at, String(params.additionalProperty)]),
        message: `is not a known property here; remove it or fix its spelling${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`,
      };
    }
    case 'enum':
      return { path: jsonPath(at), message: `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}${got}` };
    case 'const':
      return { path: jsonPath(at), message: `must be ${show(params.allowedValue)}${got}` };
    case 'discriminator':
      return params.error === 'mapping'
        ? { path: jsonPath([...at, String(params.tag)]), message: `must be one of auto, review, default (got ${show(params.tagValue)})` }
        : { path: jsonPath([...at, String(params.tag)]), message: 'is required (one of auto, review, default)' };
    case 'pattern':
    case 'format':
      return { path: jsonPath(at), message: `must be ${hint ?? `a string matching ${String(params.pattern ?? params.format)}`}${got}` };
    case 'propertyNames':
      return { path: jsonPath([...at, String(params.propertyName)]), message: 'is not a valid name here (lower-case letters, digits and _)' };
    case 'type':
      return { path: jsonPath(at), message: `must be ${hint ?? `of type ${String(params.type)}`}${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: jsonPath(at), message: `${hint ? `must be ${hint}: ` : ''}${error.message ?? error.keyword}${got}` };
    case 'uniqueItems':
      return { path: jsonPath(at), message: `must not repeat an entry (items ${String(params.j)} and ${String(params.i)} are equal)` };
    default:
      return { path: jsonPath(at), message: `${error.message ?? `fails ${error.keyword}`}${hint ? ` (expected ${hint})` : ''}` };
  }
}
