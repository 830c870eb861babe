import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Policy } from '@arbiter/core';
import { formatPolicyErrors, loadPolicies, parsePolicyFiles, policiesDirFrom, type PolicyError } from './index';

const repoRoot = path.resolve(__dirname, '../../..');
const shippedDir = path.join(repoRoot, 'policies');

/** A mutable copy of a shipped policy, to break on purpose. */
const shipped = (id: string): Policy => parse(readFileSync(path.join(shippedDir, `${id}.yaml`), 'utf8')) as Policy;

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'arbiter-policies-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const write = (name: string, content: string | Policy): void => {
  writeFileSync(path.join(tmp, name), typeof content === 'string' ? content : stringify(content));
};

const errorsOf = (dir: string): PolicyError[] => {
  const result = loadPolicies(dir);
  if (result.ok) throw new Error(`expected ${dir} to fail, it loaded ${result.value.list().map((p) => p.id).join(', ')}`);
  expect(result.error.code).toBe('POLICY.INVALID');
  return result.error.errors;
};

const find = (errors: PolicyError[], file: string, code: string, pathPrefix?: string): PolicyError[] =>
  errors.filter((e) => path.basename(e.file) === file && e.code === code && (pathPrefix === undefined || e.path.startsWith(pathPrefix)));

describe('loadPolicies', () => {
  it('loads every shipped policy into a registry', () => {
    const result = loadPolicies(shippedDir);
    if (!result.ok) throw new Error(formatPolicyErrors(result.error.errors));
    expect(result.value.list().map((p) => p.id)).toEqual([
      'api-endpoint-batch',
      'code-implementation',
      'database-schema-batch',
      'journey-logic-architecture',
      'performance-optimization',
      'personalization-algorithm',
      'scarcity-trigger',
      'vehicle-cleanliness',
      'vehicle-damage',
    ]);
    const damage = result.value.get('vehicle-damage');
    expect(damage.ok && damage.value.queues[0]?.sla.target).toBe('PT1H');
  });

  it('answers an unknown use case with POLICY.UNKNOWN_USE_CASE and serves frozen policies', () => {
    write('vehicle-damage.yaml', shipped('vehicle-damage'));
    const result = loadPolicies(tmp);
    if (!result.ok) throw new Error(formatPolicyErrors(result.error.errors));
    const unknown = result.value.get('vehicle-paint');
    expect(unknown).toEqual({ ok: false, error: expect.objectContaining({ code: 'POLICY.UNKNOWN_USE_CASE' }) });
    const known = result.value.get('vehicle-damage');
    if (!known.ok) throw new Error(known.error.message);
    expect(Object.isFrozen(known.value.queues[0]?.sla)).toBe(true);
  });

  it('reports every error of every broken file at once, with file, JSON path and a fix', () => {
    // 1. Broken references and semantics, schema-valid.
    const refs = shipped('vehicle-cleanliness');
    refs.id = 'vehicle-cleanliness';
    refs.actions.medium = { route: 'review', queue: 'cleanliness-reveiw' };
    refs.actions.low = { route: 'default', outcome: 'fee_applied', enrichment: true };
    const approve = refs.decisionOptions[0];
    const reject = refs.decisionOptions[1];
    if (approve === undefined || reject === undefined) throw new Error('fixture');
    approve.outcome = 'fee_charged';
    reject.shortcut = approve.shortcut;
    const model = refs.bands.models?.[0];
    if (model === undefined) throw new Error('fixture');
    model.low = 0.95;
    const queue = refs.queues[0];
    if (queue === undefined) throw new Error('fixture');
    queue.calendar.timeZone = 'Europe/Berln';
    queue.sla.expiry = { after: 'PT22H', outcome: 'fee_applied', reasonCode: 'TOO_LATE' };
    queue.sla.offHours = 'on-call';
    write('broken-refs.yaml', refs);

    // 2. Schema violations.
    const schema = shipped('vehicle-damage') as unknown as Record<string, unknown> & Policy;
    delete (schema as Partial<Policy>).title;
    (schema as unknown as Record<string, unknown>).colour = 'blue';
    const damageQueue = schema.queues[0];
    if (damageQueue === undefined) throw new Error('fixture');
    damageQueue.sla.target = '1h';
    (damageQueue.calendar.weekly as Record<string, unknown>).monday = [['08:00', '18:00']];
    (schema.actions as unknown as Record<string, unknown>).high = { route: 'robot' };
    write('vehicle-damage.yaml', schema);

    // 3. Not YAML, and a file that would be silently skipped.
    write('syntax.yaml', 'id: syntax\nqueues: [unclosed\n');
    write('old.yml', 'id: old\n');

    const errors = errorsOf(tmp);

    expect(find(errors, 'broken-refs.yaml', 'POLICY.ID_MISMATCH', '$.id')).toHaveLength(1);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.UNKNOWN_QUEUE', '$.actions.medium.queue')[0]?.message).toMatch(/cleanliness-reveiw.*cleanliness-review/);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.UNKNOWN_OUTCOME', '$.decisionOptions[0].outcome')[0]?.message).toMatch(/fee_charged.*fee_applied, fee_waived, no_fee/);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.NOT_CUSTOMER_FAVORABLE', '$.actions.low.outcome')[0]?.message).toMatch(/fee_waived, no_fee/);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.NOT_CUSTOMER_FAVORABLE', '$.queues[0].sla.expiry.outcome')).toHaveLength(1);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.UNKNOWN_REASON_CODE', '$.queues[0].sla.expiry.reasonCode')[0]?.message).toMatch(/TOO_LATE/);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.THRESHOLDS_INVERTED', '$.bands.models[0]')[0]?.message).toMatch(/low 0.95 is above high 0.9/);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.DUPLICATE_SHORTCUT', '$.decisionOptions[1].shortcut')[0]?.message).toMatch(/"a".*"approve"/);
    expect(find(errors, 'broken-refs.yaml', 'CALENDAR.INVALID_ZONE', '$.queues[0].calendar.timeZone')[0]?.message).toMatch(/Europe\/Berln/);
    expect(find(errors, 'broken-refs.yaml', 'POLICY.ON_CALL_TARGET_MISSING', '$.queues[0].sla.onCallTarget')).toHaveLength(1);

    const schemaErrors = find(errors, 'vehicle-damage.yaml', 'POLICY.SCHEMA');
    const byPath = new Map(schemaErrors.map((e) => [e.path, e.message]));
    expect(byPath.get('$.title')).toMatch(/required/);
    expect(byPath.get('$.colour')).toMatch(/not a known property.*remove it/);
    expect(byPath.get('$.queues[0].sla.target')).toMatch(/ISO-8601 duration.*PT2H.*got "1h"/);
    expect(byPath.get('$.queues[0].calendar.weekly.monday')).toMatch(/known: mon, tue, wed, thu, fri, sat, sun/);
    expect(byPath.get('$.actions.high.route')).toMatch(/one of auto, review, default \(got "robot"\)/);

    expect(find(errors, 'syntax.yaml', 'POLICY.YAML_SYNTAX')[0]?.message).toMatch(/line \d+, column \d+/);
    expect(find(errors, 'old.yml', 'POLICY.WRONG_EXTENSION')[0]?.message).toMatch(/rename/);

    const text = formatPolicyErrors(errors);
    expect(text).toMatch(new RegExp(`^Policy configuration is invalid: ${errors.length} errors in 4 files\\.`));
    expect(text).toContain(`${path.join(tmp, 'broken-refs.yaml')}\n`);
    expect(text).toContain('$.queues[0].sla.target  must be an ISO-8601 duration');
  });

  it('checks templates, batching, reason-code scopes and boundary overlaps', () => {
    const p = shipped('api-endpoint-batch');
    p.bands.boundaries = { high: 'at-or-above', low: 'at-or-below' };
    p.bands.default = { high: 0.8, low: 0.8 };
    const batchQueue = p.queues.find((q) => q.id === 'api-batch');
    if (batchQueue === undefined) throw new Error('fixture');
    delete batchQueue.batch;
    p.templates = (p.templates ?? []).filter((t) => t.kind !== 'post-action-report');
    const fastTrack = p.templates.find((t) => t.kind === 'fast-track');
    if (fastTrack === undefined) throw new Error('fixture');
    fastTrack.markdown += '\n{{confidencePercnt}} {{batch.size}} {{#context.open}}';
    const code = p.reasonCodes[0];
    if (code === undefined) throw new Error('fixture');
    code.appliesTo = ['approve-everything'];
    p.reasonCodes = p.reasonCodes.filter((r) => !(r.appliesTo ?? []).includes('reject'));
    const fastTrackSpec = p.fastTrack;
    if (fastTrackSpec === undefined) throw new Error('fixture');
    fastTrackSpec.requireFactors = { risk: { gte: 0.8 } };
    write('api-endpoint-batch.yaml', p);

    const errors = errorsOf(tmp);
    const codes = errors.map((e) => `${e.code} ${e.path}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'POLICY.THRESHOLDS_OVERLAP $.bands.default',
        'POLICY.BATCH_NOT_ENABLED $.actions.medium.batch',
        'POLICY.TEMPLATE_MISSING $.actions.high.report',
        'POLICY.TEMPLATE_SYNTAX $.templates[1].markdown',
        'POLICY.UNKNOWN_OPTION $.reasonCodes[0].appliesTo[0]',
        'POLICY.NO_REASON_CODE $.decisionOptions[2].requiresReason',
        'POLICY.UNKNOWN_FACTOR $.fastTrack.requireFactors.risk',
      ]),
    );

    // Names are checked on a template that parses.
    fastTrack.markdown = fastTrack.markdown.replace('{{#context.open}}', '');
    write('api-endpoint-batch.yaml', p);
    const names = errorsOf(tmp).filter((e) => e.code === 'POLICY.TEMPLATE_UNKNOWN_NAME').map((e) => e.message);
    expect(names).toEqual([expect.stringMatching(/\{\{confidencePercnt\}\} is not case data/), expect.stringMatching(/\{\{batch.size\}\} is only set in batch-approval/)]);
  });

  it('says so when the directory is missing or empty', () => {
    expect(errorsOf(path.join(tmp, 'nope'))[0]).toMatchObject({ code: 'POLICY.DIR_UNREADABLE', message: expect.stringMatching(/ARBITER_POLICIES_DIR/) });
    expect(errorsOf(tmp)[0]).toMatchObject({ code: 'POLICY.NONE_FOUND' });
  });

  it('rejects duplicate keys and a second policy for the same use case', () => {
    const duplicated = parsePolicyFiles([
      { file: 'a/vehicle-damage.yaml', text: stringify(shipped('vehicle-damage')) },
      { file: 'b/vehicle-damage.yaml', text: stringify(shipped('vehicle-damage')) },
      { file: 'c/keys.yaml', text: 'id: keys\nid: again\n' },
    ]);
    expect(duplicated.ok).toBe(false);
    if (duplicated.ok) return;
    expect(duplicated.error.errors.map((e) => `${e.file} ${e.code}`)).toEqual(['c/keys.yaml POLICY.YAML_SYNTAX', 'b/vehicle-damage.yaml POLICY.DUPLICATE_USE_CASE']);
  });
});

describe('policiesDirFrom', () => {
  it('uses <repo>/policies by default', () => {
    expect(policiesDirFrom({}, '/srv/arbiter')).toBe(path.join('/srv/arbiter', 'policies'));
    expect(policiesDirFrom({ ARBITER_POLICIES_DIR: '  ' }, '/srv/arbiter')).toBe(path.join('/srv/arbiter', 'policies'));
  });

  it('honours ARBITER_POLICIES_DIR, absolute or relative to the repository', () => {
    expect(policiesDirFrom({ ARBITER_POLICIES_DIR: '/etc/arbiter/policies' }, '/srv/arbiter')).toBe('/etc/arbiter/policies');
    expect(policiesDirFrom({ ARBITER_POLICIES_DIR: 'config/policies' }, '/srv/arbiter')).toBe(path.join('/srv/arbiter', 'config/policies'));
  });

  it('loads the policies of the directory ARBITER_POLICIES_DIR names, not the shipped ones', () => {
    const dir = path.join(tmp, 'only-damage');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'vehicle-damage.yaml'), stringify(shipped('vehicle-damage')));
    const result = loadPolicies(policiesDirFrom({ ARBITER_POLICIES_DIR: dir }, repoRoot));
    if (!result.ok) throw new Error(formatPolicyErrors(result.error.errors));
    expect(result.value.list().map((p) => p.id)).toEqual(['vehicle-damage']);
  });
});
