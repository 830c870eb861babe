import { compiledPolicySchemaId, describeValue, pathOf, validateEventData, validatePolicyDocument } from './schema-validation';
import { minimalSamples } from './event-samples.test-support';

const prediction = minimalSamples['arbiter.prediction.submitted.v1'];

function messageOf(type: string, data: unknown): string {
  const result = validateEventData(type, data);
  return result.ok ? 'valid' : result.error.message;
}

describe('validateEventData', () => {
  it('returns the data, typed, when it is valid', () => {
    const result = validateEventData('arbiter.prediction.submitted.v1', prediction);
    expect(result).toEqual({ ok: true, value: prediction });
  });

  it('says what to fix, for every problem at once, with their paths', () => {
    const result = validateEventData('arbiter.prediction.submitted.v1', {
      ...prediction,
      subject: { type: 'booking' },
      model: { name: 'm', version: '1', foo: 'x' },
      prediction: { confidence: 1.5 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'EVENT.SCHEMA_VIOLATION', permanent: true });
    expect(result.error.message).toBe(
      'subject.id is required; unexpected field "foo" at model (only name, version are allowed); prediction.confidence must be <= 1 (got 1.5)',
    );
    expect(result.error.issues).toEqual([
      { path: 'subject', keyword: 'required', message: 'subject.id is required' },
      { path: 'model', keyword: 'additionalProperties', message: 'unexpected field "foo" at model (only name, version are allowed)' },
      { path: 'prediction.confidence', keyword: 'maximum', message: 'prediction.confidence must be <= 1 (got 1.5)' },
    ]);
  });

  it('reports the either/or rule as one sentence, not as its branches', () => {
    const { prediction: _none, ...withoutPrediction } = prediction;
    expect(messageOf('arbiter.prediction.submitted.v1', withoutPrediction)).toBe('either prediction.confidence or factors is required');
  });

  it('accepts factors instead of a confidence, and both together', () => {
    const { prediction: _none, ...withoutPrediction } = prediction;
    expect(messageOf('arbiter.prediction.submitted.v1', { ...withoutPrediction, factors: { pattern_similarity: 0.9 } })).toBe('valid');
    expect(messageOf('arbiter.prediction.submitted.v1', { ...prediction, factors: { pattern_similarity: 0.9 } })).toBe('valid');
  });

  it('keeps unknown fields under context and nowhere else', () => {
    expect(messageOf('arbiter.prediction.submitted.v1', { ...prediction, context: { anything: { nested: [1, 2] } } })).toBe('valid');
    expect(messageOf('arbiter.prediction.submitted.v1', { ...prediction, prediction: { confidence: 0.5, extra: 1 } })).toContain(
      'unexpected field "extra" at prediction (only label, confidence, scores, regions are allowed)',
    );
  });

  it('names array items, odd keys and factor names in paths', () => {
    const data = { ...prediction, evidence: [{ uri: 'gs://e/1.jpg' }, { role: 'return' }], factors: { 'Risk Score': 0.5 } };
    const message = messageOf('arbiter.prediction.submitted.v1', data);
    expect(message).toContain('evidence[1].uri is required');
    expect(message).toContain('field name "Risk Score" at factors must match ^[a-z][a-z0-9_]*$');
  });

  it('explains type, enum, format and conditional errors', () => {
    expect(messageOf('arbiter.sla.escalated.v1', { ...minimalSamples['arbiter.sla.escalated.v1'], level: 'panic', dueAt: 1700000000 })).toBe(
      'level must be one of "reminder", "escalated", "on-call" (got "panic"); dueAt must be a string (got 1700000000)',
    );
    expect(messageOf('arbiter.case.claimed.v1', { ...minimalSamples['arbiter.case.claimed.v1'], leaseUntil: '2026-11-21T12:15:00' })).toBe(
      'leaseUntil must be an RFC 3339 date-time with a time zone, e.g. 2026-11-21T12:03:11Z (got "2026-11-21T12:15:00")',
    );
    expect(messageOf('arbiter.case.routed.v1', { ...minimalSamples['arbiter.case.routed.v1'], route: 'review' })).toBe('queue is required; dueAt is required');
    expect(messageOf('arbiter.case.claimed.v1', [])).toBe('data must be an object (got an array of 0)');
  });

  it('fails with EVENT.UNKNOWN_TYPE for a type it does not know, listing the known ones', () => {
    const result = validateEventData('arbiter.case.exploded.v1', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: 'EVENT.UNKNOWN_TYPE', permanent: true });
    expect(result.error.message).toContain('unknown event type "arbiter.case.exploded.v1" (known: arbiter.prediction.submitted.v1');
  });
});

describe('validatePolicyDocument', () => {
  it('validates against schemas/policy.schema.json when it was compiled, and says so when it was not', () => {
    const result = validatePolicyDocument({ id: 'vehicle-cleanliness' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    if (compiledPolicySchemaId === null) {
      expect(result.error.code).toBe('POLICY.SCHEMA_UNAVAILABLE');
    } else {
      expect(result.error.code).toBe('POLICY.SCHEMA_VIOLATION');
      expect(result.error.message).toContain('version is required');
    }
  });
});

describe('message helpers', () => {
  it.each([
    ['', ''],
    ['/prediction/confidence', 'prediction.confidence'],
    ['/evidence/0/uri', 'evidence[0].uri'],
    ['/context/next booking', 'context["next booking"]'],
    ['/scores/a~1b', 'scores["a/b"]'],
  ])('pathOf(%j) = %j', (pointer, path) => {
    expect(pathOf(pointer)).toBe(path);
  });

  it('renders values briefly and never dumps objects', () => {
    expect(describeValue('x'.repeat(100))).toHaveLength(62);
    expect(describeValue({ customerId: 'cus-881' })).toBe('an object');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('nothing');
  });
});
