/**
 * The contract test: every event type has a schema, valid examples and invalid cases under
 * `schemas/events/`; every example passes and every invalid case fails with the error it documents.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compiledEventTypes, validateEventData } from './schema-validation';
import { schemaIdOf } from './event-map';
import { minimalSamples } from './event-samples.test-support';
import { CaseTopics, ContractEventTypes, EventTypes, Subscriptions, Topics, topicOf, type EventType } from './topology';

const eventsDir = resolve(__dirname, '../../../schemas/events');
const allTypes = Object.values(EventTypes) as EventType[];

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8')) as unknown;
const jsonFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')).sort() : []);

interface InvalidCase {
  description: string;
  expectedError: string;
  data: unknown;
}

const isInvalidCase = (value: unknown): value is InvalidCase =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as InvalidCase).description === 'string' &&
  (value as InvalidCase).description !== '' &&
  typeof (value as InvalidCase).expectedError === 'string' &&
  (value as InvalidCase).expectedError !== '' &&
  'data' in value;

const examples = allTypes.flatMap((type) => jsonFiles(join(eventsDir, 'examples', type)).map((file) => ({ type, file })));
const invalids = allTypes.flatMap((type) => jsonFiles(join(eventsDir, 'invalid', type)).map((file) => ({ type, file })));

describe('schemas/events', () => {
  it.each(allTypes)('%s has a schema with its $id, compiled into the validators', (type) => {
    const file = join(eventsDir, `${type}.schema.json`);
    expect(existsSync(file)).toBe(true);
    const schema = readJson(file) as { $id: string; $schema: string };
    expect(schema.$id).toBe(schemaIdOf(type));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(compiledEventTypes).toContain(type);
  });

  it.each(allTypes)('%s has at least one valid example and two invalid cases', (type) => {
    expect(jsonFiles(join(eventsDir, 'examples', type)).length).toBeGreaterThanOrEqual(1);
    expect(jsonFiles(join(eventsDir, 'invalid', type)).length).toBeGreaterThanOrEqual(2);
  });

  it('has no schema, example folder or invalid folder for a type Arbiter does not know', () => {
    const known = new Set<string>(allTypes);
    const schemaTypes = readdirSync(eventsDir)
      .filter((name) => name.endsWith('.schema.json'))
      .map((name) => name.replace(/\.schema\.json$/, ''));
    const folders = ['examples', 'invalid'].flatMap((kind) => readdirSync(join(eventsDir, kind)));
    expect([...schemaTypes, ...folders].filter((name) => !known.has(name))).toEqual([]);
    expect([...compiledEventTypes].sort()).toEqual([...allTypes].sort());
  });

  it('example coverage spans both seeds: vehicle use cases and HITL-OPT use cases', () => {
    const useCases = new Set(
      examples.map(({ type, file }) => (readJson(join(eventsDir, 'examples', type, file)) as { useCase?: string }).useCase).filter(Boolean),
    );
    for (const useCase of ['vehicle-cleanliness', 'vehicle-damage', 'journey-logic-architecture', 'api-endpoint-batch', 'code-implementation']) {
      expect(useCases).toContain(useCase);
    }
  });

  describe('valid examples pass', () => {
    it.each(examples)('$type/$file', ({ type, file }) => {
      const result = validateEventData(type, readJson(join(eventsDir, 'examples', type, file)));
      if (!result.ok) throw new Error(`${type}/${file}: ${result.error.message}`);
      expect(result.ok).toBe(true);
    });
  });

  describe('invalid cases fail with the error they document', () => {
    it.each(invalids)('$type/$file', ({ type, file }) => {
      const invalid = readJson(join(eventsDir, 'invalid', type, file));
      expect(isInvalidCase(invalid)).toBe(true);
      const { expectedError, data } = invalid as InvalidCase;
      const result = validateEventData(type, data);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('EVENT.SCHEMA_VIOLATION');
      expect(result.error.permanent).toBe(true);
      expect(result.error.message).toContain(expectedError);
    });
  });

  describe('the TypeScript types and the schemas agree', () => {
    it.each(allTypes)('a %s with only the fields its type requires is valid', (type) => {
      const result = validateEventData(type, minimalSamples[type]);
      if (!result.ok) throw new Error(`${type}: ${result.error.message}`);
      expect(result.ok).toBe(true);
    });

    it.each(allTypes)('every field a %s schema requires is required by its type too (dropping one fails)', (type) => {
      const schema = readJson(join(eventsDir, `${type}.schema.json`)) as { required: string[] };
      const sample = minimalSamples[type] as unknown as Record<string, unknown>;
      expect(Object.keys(sample)).toEqual(expect.arrayContaining(schema.required));
      for (const field of schema.required) {
        const { [field]: _dropped, ...rest } = sample;
        const result = validateEventData(type, rest);
        expect(result.ok ? 'valid' : result.error.message).toContain(`${field} is required`);
      }
    });
  });
});

describe('topology', () => {
  it('puts the contract types on the topics CONTRACT.md names', () => {
    expect(topicOf['arbiter.prediction.submitted.v1']).toBe('arbiter-predictions');
    expect(topicOf['arbiter.evidence.submitted.v1']).toBe('arbiter-evidence');
    expect(topicOf['arbiter.decision.made.v1']).toBe('arbiter-decisions');
    expect(topicOf['arbiter.evidence.requested.v1']).toBe('arbiter-evidence-requests');
    expect(topicOf['arbiter.sla.escalated.v1']).toBe('arbiter-escalations');
  });

  it('puts case.opened, case.routed and case.redriven on topics of their own, labelled feedback on arbiter-feedback, every other internal type on arbiter-cases', () => {
    const own: Record<string, string> = {
      'arbiter.case.opened.v1': 'arbiter-case-opened',
      'arbiter.case.routed.v1': 'arbiter-case-routed',
      'arbiter.case.redriven.v1': 'arbiter-case-redriven',
      'arbiter.feedback.labelled.v1': 'arbiter-feedback',
    };
    for (const type of allTypes.filter((t) => !ContractEventTypes.includes(t))) {
      expect([type, topicOf[type]]).toEqual([type, own[type] ?? Topics.cases]);
    }
  });

  it('delivers to each subscription only the types it handles (the emulator ignores filters), and audits every case topic', () => {
    for (const spec of Subscriptions.filter((s) => s.eventTypes)) {
      const carried = allTypes.filter((t) => topicOf[t] === spec.topic);
      expect([spec.name, carried.filter((t) => !spec.eventTypes?.includes(t))]).toEqual([spec.name, []]);
    }
    const audited = Subscriptions.filter((s) => s.service === 'audit-exporter').map((s) => s.topic);
    for (const topic of CaseTopics) expect(audited).toContain(topic);
  });

  it('names every type arbiter.<noun>.<verb>.v<N>', () => {
    for (const type of allTypes) expect(type).toMatch(/^arbiter\.[a-z]+\.[a-z]+\.v\d+$/);
  });
});

describe('generate-validators', () => {
  it('left the generated validators up to date with /schemas (run `pnpm --filter @arbiter/contract run generate`)', () => {
    const script = resolve(__dirname, '../scripts/generate-validators.cjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
