/**
 * Dotted paths into plain JSON-like data, and redaction by path.
 *
 * A path is a list of segments joined by `.`: `context.amount.value`. A segment names an own
 * property of an object or, on an array, an index (`evidence.0.uri`). In `redact`, a segment `*`
 * matches every property or element at that level (`evidence.*.uri`).
 *
 * Only own properties are followed, never the prototype chain, so `constructor` or `__proto__`
 * never resolve to something the data did not contain.
 */

type PlainObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is PlainObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

const splitPath = (path: string): string[] => (path === '' ? [] : path.split('.'));

const arrayIndex = (segment: string, length: number): number | undefined => {
  if (!/^(0|[1-9]\d*)$/.test(segment)) return undefined;
  const index = Number(segment);
  return index < length ? index : undefined;
};

const step = (value: unknown, segment: string): unknown => {
  if (Array.isArray(value)) {
    const index = arrayIndex(segment, value.length);
    return index === undefined ? undefined : (value as unknown[])[index];
  }
  if (isPlainObject(value) && hasOwn(value, segment)) return value[segment];
  return undefined;
};

/** The value at `path` in `obj`, or `undefined` when any segment is missing. The empty path is `obj`. */
export function getPath(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const segment of splitPath(path)) {
    current = step(current, segment);
    if (current === undefined) return undefined;
  }
  return current;
}

/** A deep copy of plain objects and arrays; other values (primitives, class instances) are shared. */
export function deepCopy<T>(value: T): T {
  return copyUnknown(value) as T;
}

function copyUnknown(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyUnknown);
  if (isPlainObject(value)) {
    const out: PlainObject = {};
    for (const key of Object.keys(value)) out[key] = copyUnknown(value[key]);
    return out;
  }
  return value;
}

export const DEFAULT_REDACTION_MARKER = '[REDACTED]';

/**
 * A redacted deep copy of `value`: every value found at one of `paths` is replaced with `marker`.
 * Paths that are absent are not created. The input is never mutated.
 *
 * The static type is kept for convenience; redacted leaves hold `marker` whatever their declared type.
 */
export function redact<T>(value: T, paths: readonly string[], marker: string = DEFAULT_REDACTION_MARKER): T {
  const copy = copyUnknown(value);
  for (const path of paths) {
    const segments = splitPath(path);
    if (segments.length === 0) continue;
    redactInPlace(copy, segments, marker);
  }
  return copy as T;
}

/** Mutates `target`, which is always our own fresh copy. */
function redactInPlace(target: unknown, segments: readonly string[], marker: string): void {
  const [head, ...rest] = segments;
  if (head === undefined) return;
  const keys = childKeys(target, head);
  for (const key of keys) {
    if (rest.length === 0) {
      setChild(target, key, marker);
    } else {
      redactInPlace(step(target, key), rest, marker);
    }
  }
}

function childKeys(target: unknown, segment: string): string[] {
  if (Array.isArray(target)) {
    if (segment === '*') return target.map((_, i) => String(i));
    return arrayIndex(segment, target.length) === undefined ? [] : [segment];
  }
  if (isPlainObject(target)) {
    if (segment === '*') return Object.keys(target);
    return hasOwn(target, segment) ? [segment] : [];
  }
  return [];
}

function setChild(target: unknown, key: string, marker: string): void {
  if (Array.isArray(target)) (target as unknown[])[Number(key)] = marker;
  else if (isPlainObject(target)) target[key] = marker;
}
