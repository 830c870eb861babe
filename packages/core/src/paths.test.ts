import { deepCopy, getPath, redact } from './paths';
import { aPrediction } from './builders.test-support';

describe('getPath', () => {
  const data = { a: { b: { c: 42 } }, list: [{ uri: 'x' }, { uri: 'y' }], zero: 0, nil: null };

  it('follows dotted paths into objects and arrays', () => {
    expect(getPath(data, 'a.b.c')).toBe(42);
    expect(getPath(data, 'a.b')).toEqual({ c: 42 });
    expect(getPath(data, 'list.1.uri')).toBe('y');
  });

  it('returns falsy values as they are', () => {
    expect(getPath(data, 'zero')).toBe(0);
    expect(getPath(data, 'nil')).toBeNull();
  });

  it('returns undefined for anything missing', () => {
    expect(getPath(data, 'a.x.c')).toBeUndefined();
    expect(getPath(data, 'list.2.uri')).toBeUndefined();
    expect(getPath(data, 'list.01')).toBeUndefined();
    expect(getPath(data, 'a.b.c.d')).toBeUndefined();
    expect(getPath(data, 'nil.x')).toBeUndefined();
    expect(getPath(undefined, 'a')).toBeUndefined();
  });

  it('never follows the prototype chain', () => {
    expect(getPath(data, 'constructor')).toBeUndefined();
    expect(getPath(data, '__proto__')).toBeUndefined();
    expect(getPath(data, 'a.toString')).toBeUndefined();
    expect(getPath(data, 'list.length')).toBeUndefined();
  });

  it('treats the empty path as the value itself', () => {
    expect(getPath(data, '')).toBe(data);
  });
});

describe('redact', () => {
  it('replaces the values at the given paths in a copy', () => {
    const prediction = aPrediction();
    const out = redact(prediction, ['context.customerId', 'context.amount.value']);
    expect(out.context?.customerId).toBe('[REDACTED]');
    expect(getPath(out, 'context.amount.value')).toBe('[REDACTED]');
    expect(getPath(out, 'context.amount.currency')).toBe('EUR');
    expect(out.subject).toEqual(prediction.subject);
  });

  it('never mutates its input, and shares no objects with it', () => {
    const prediction = aPrediction();
    const before = JSON.parse(JSON.stringify(prediction)) as unknown;
    const out = redact(prediction, ['context.customerId', 'evidence.*.uri']);
    expect(prediction).toEqual(before);
    expect(out.context).not.toBe(prediction.context);
    expect(out.evidence).not.toBe(prediction.evidence);
    expect(out.subject).not.toBe(prediction.subject);
  });

  it('does not create absent paths', () => {
    const out = redact({ a: { b: 1 } }, ['a.c', 'x.y', 'a.b.c']);
    expect(out).toEqual({ a: { b: 1 } });
  });

  it('supports * over arrays and objects, and array indexes', () => {
    const value = { evidence: [{ uri: 'u1', role: 'r' }, { uri: 'u2' }], notes: { a: 'x', b: 'y' } };
    expect(redact(value, ['evidence.*.uri', 'notes.*'], '***')).toEqual({
      evidence: [{ uri: '***', role: 'r' }, { uri: '***' }],
      notes: { a: '***', b: '***' },
    });
    expect(redact(value, ['evidence.1.uri'])).toEqual({
      evidence: [{ uri: 'u1', role: 'r' }, { uri: '[REDACTED]' }],
      notes: { a: 'x', b: 'y' },
    });
  });

  it('redacts whole subtrees and null values', () => {
    expect(redact({ a: { b: { c: 1 } }, n: null }, ['a.b', 'n'])).toEqual({ a: { b: '[REDACTED]' }, n: '[REDACTED]' });
  });

  it('ignores the empty path', () => {
    expect(redact({ a: 1 }, [''])).toEqual({ a: 1 });
  });
});

describe('deepCopy', () => {
  it('copies plain objects and arrays deeply', () => {
    const value = { a: [{ b: 1 }] };
    const copy = deepCopy(value);
    expect(copy).toEqual(value);
    expect(copy.a).not.toBe(value.a);
    expect(copy.a[0]).not.toBe(value.a[0]);
  });
});
