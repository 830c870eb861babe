/**
 * The Terraform in infra/terraform/, checked without the google provider (which cannot be downloaded
 * here, so `terraform validate` cannot run): the generated data file is current, the HCL parses
 * (HashiCorp's own parser, compiled to WebAssembly, in @cdktf/hcl2json) and says what deployment must
 * say about the topology — every subscription pushes with an OIDC token and has a dead-letter policy,
 * every service runs as its own account with only the roles its code needs, nothing is public.
 * `terraform fmt -check` runs here, so it is part of `pnpm test`'s unit tests.
 */
import { parse } from '@cdktf/hcl2json';
import { ExpiryField, RetainedCollections } from '@arbiter/case-store';
import { EventTypes, ProducedEventTypes, RedrivenEventTypes, ServiceNames, Subscriptions, Topics, deadLetterInspectionOf, deadLetterTopicOf, topicOf } from '@arbiter/contract';
import { loadPolicies } from '@arbiter/policy';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, loadTableDefinitions } from '@arbiter/local-stack';
import { terraformDataFile, terraformDataText } from './terraform-data';
import { readConfig, type EnvReader } from '@arbiter/platform';
// Each service's own configuration reader (what its main.ts validates at start-up), to check the
// Cloud Run environment against what the code reads.
import { readAuditExporterConfig } from '../../services/audit-exporter/src/config';
import { describeConfig as describeAssessorConfig } from '../../services/confidence-assessor/src/config';
import { describeReviewQueueConfig } from '../../services/review-queue/src/config';
import { describeConfig as describeRouterConfig } from '../../services/router/src/config';
import { readSlaEscalatorConfig } from '../../services/sla-escalator/src/config';

const root = repoRoot();
const terraformDir = join(root, 'infra', 'terraform');
const moduleDir = join(terraformDir, 'modules', 'arbiter');
const exampleDir = join(terraformDir, 'environments', 'example');

type Block = Record<string, unknown>;
interface Hcl {
  resource: Record<string, Record<string, Block[]>>;
  locals: Block[];
  variable: Record<string, Block[]>;
  terraform: Block[];
  module?: Record<string, Block[]>;
}

/** Every .tf file of a folder, parsed and merged (resources by type and name, each name once). */
const parseFolder = async (dir: string): Promise<Hcl> => {
  const merged: Hcl = { resource: {}, locals: [], variable: {}, terraform: [] };
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.tf')).sort()) {
    const parsed = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Partial<Hcl> & Record<string, unknown>;
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) {
      merged.resource[type] ??= {};
      for (const [name, blocks] of Object.entries(byName)) {
        if (merged.resource[type][name]) throw new Error(`${type}.${name} is declared twice`);
        merged.resource[type][name] = blocks;
      }
    }
    merged.locals.push(...(parsed.locals ?? []));
    Object.assign(merged.variable, parsed.variable ?? {});
    merged.terraform.push(...(parsed.terraform ?? []));
    if (parsed.module) merged.module = { ...merged.module, ...parsed.module };
  }
  return merged;
};

/** The one block of a resource. */
const resource = (hcl: Hcl, type: string, name: string): Block => {
  const blocks = hcl.resource[type]?.[name];
  if (!blocks || blocks.length !== 1) throw new Error(`expected one resource ${type}.${name}`);
  return blocks[0] as Block;
};

/** The one nested block `name` of a block (hcl2json writes nested blocks as lists). */
const block = (parent: Block, name: string): Block => {
  const blocks = parent[name];
  if (!Array.isArray(blocks) || blocks.length !== 1) throw new Error(`expected one "${name}" block, got ${JSON.stringify(blocks)}`);
  return blocks[0] as Block;
};

const allResources = (hcl: Hcl): Array<{ type: string; name: string; body: Block }> =>
  Object.entries(hcl.resource).flatMap(([type, byName]) => Object.entries(byName).map(([name, blocks]) => ({ type, name, body: blocks[0] as Block })));

interface GeneratedData {
  services: Record<string, { publishes_to: string[]; dead_letter_topics: string[]; subscriptions: string[] }>;
  topics: string[];
  dead_letter_topics: string[];
  subscriptions: Array<{ name: string; topic: string; service: string; push_path: string; dead_letter_topic: string; max_delivery_attempts: number; ack_deadline_seconds: number; filter: string }>;
  dead_letter_inspections: Array<{ name: string; topic: string }>;
  firestore: { indexes: Array<{ collection: string; fields: Array<{ field_path: string }> }>; ttl: Array<{ collection: string; field: string }> };
  bigquery: { tables: Array<{ table_id: string; partition_expiration_ms: string | null; clustering: string[] }>; views: Array<{ view_id: string; level: number }> };
  retention: { audit_days_max: number; evidence_days_max: number; case_days_max: number; use_cases: Record<string, { case_days: number; audit_days: number; evidence_days: number }> };
}

const generated = JSON.parse(readFileSync(terraformDataFile(root), 'utf8')) as GeneratedData;

let moduleHcl: Hcl;
let exampleHcl: Hcl;
beforeAll(async () => {
  moduleHcl = await parseFolder(moduleDir);
  exampleHcl = await parseFolder(exampleDir);
});

describe('generated data file (arbiter.gen.json)', () => {
  it('is what `pnpm terraform:data` writes from the code today', () => {
    const current = readFileSync(terraformDataFile(root), 'utf8');
    // On failure: run `pnpm terraform:data` and commit the file.
    expect(current === terraformDataText(root) ? 'current' : 'stale: run pnpm terraform:data').toBe('current');
  });

  it('holds every subscription of the topology, each with its own dead-letter topic and inspection', () => {
    expect(generated.subscriptions.map((s) => s.name)).toEqual(Subscriptions.map((s) => s.name));
    for (const spec of Subscriptions) {
      const sub = generated.subscriptions.find((s) => s.name === spec.name);
      expect(sub).toMatchObject({ topic: spec.topic, service: spec.service, dead_letter_topic: deadLetterTopicOf(spec.name), max_delivery_attempts: spec.maxDeliveryAttempts, ack_deadline_seconds: spec.ackDeadlineSeconds, push_path: `/pubsub/push/${spec.name}` });
      expect(generated.dead_letter_topics).toContain(deadLetterTopicOf(spec.name));
      expect(generated.dead_letter_inspections).toContainEqual({ name: deadLetterInspectionOf(spec.name), topic: deadLetterTopicOf(spec.name), ack_deadline_seconds: spec.ackDeadlineSeconds });
    }
    expect([...generated.topics].sort()).toEqual(Object.values(Topics).sort());
  });

  it('lets each service publish only to the topics of the events it produces and its own dead-letter topics', () => {
    expect(Object.keys(generated.services).sort()).toEqual([...ServiceNames].sort());
    for (const service of ServiceNames) {
      const expected = [...new Set(ProducedEventTypes[service].map((type) => topicOf[type]))].sort();
      expect(generated.services[service]?.publishes_to).toEqual(expected);
      expect(generated.services[service]?.dead_letter_topics).toEqual(Subscriptions.filter((s) => s.service === service).map((s) => deadLetterTopicOf(s.name)).sort());
    }
    // The topics other teams publish to have no producer inside Arbiter.
    const produced = new Set(Object.values(generated.services).flatMap((s) => s.publishes_to));
    expect(produced.has(Topics.predictions)).toBe(false);
    expect(produced.has(Topics.evidence)).toBe(false);
  });

  it('declares as produced exactly the event types each service’s code stages (publish rights follow from it)', () => {
    const sourcesOf = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sourcesOf(join(dir, entry.name)) : entry.name.endsWith('.ts') && !/\.test(-support)?\.ts$/.test(entry.name) ? [readFileSync(join(dir, entry.name), 'utf8')] : [],
      );
    for (const service of ServiceNames) {
      const code = sourcesOf(join(root, 'services', service, 'src')).join('\n');
      const staged = new Set([...code.matchAll(/\b(?:producedEvent|event)\(\s*EventTypes\.(\w+)/g)].map((m) => EventTypes[m[1] as keyof typeof EventTypes]));
      // A service that decides through the one-decision rule (@arbiter/case-store) stages decision.made there, v1 and v2, and case.decided.
      if (code.includes('decideInTransaction(')) for (const type of [EventTypes.decisionMade, EventTypes.decisionMadeV2, EventTypes.caseDecided]) staged.add(type);
      // The reconciler publishes again the stored events of the types it may re-drive, and only those.
      if (code.includes('RedrivenEventTypes.includes(')) for (const type of RedrivenEventTypes) staged.add(type);
      expect(`${service}: ${[...staged].sort().join(', ')}`).toBe(`${service}: ${[...ProducedEventTypes[service]].sort().join(', ')}`);
    }
  });

  it('has every composite index of every firestore.indexes.json, and a TTL field per retained collection', () => {
    const declared = ServiceNames.flatMap((service) => {
      try {
        return (JSON.parse(readFileSync(join(root, 'services', service, 'firestore.indexes.json'), 'utf8')) as { indexes: Array<{ collectionGroup: string; fields: Array<{ fieldPath: string }> }> }).indexes;
      } catch {
        return [];
      }
    });
    expect(declared.length).toBeGreaterThan(0);
    expect(generated.firestore.indexes.map((i) => [i.collection, i.fields.map((f) => f.field_path)])).toEqual(declared.map((i) => [i.collectionGroup, i.fields.map((f) => f.fieldPath)]));
    expect(generated.firestore.ttl).toEqual(RetainedCollections.map((collection) => ({ collection, field: ExpiryField })));
  });

  it('takes retention from the policies: partitions expire after the longest auditDays, evidence after the longest evidenceDays', () => {
    const loaded = loadPolicies(join(root, 'policies'));
    if (!loaded.ok) throw new Error('policies do not load');
    const policies = loaded.value.list();
    const auditDays = Math.max(...policies.map((p) => p.privacy.retention.auditDays));
    const evidenceDays = Math.max(...policies.map((p) => p.privacy.retention.evidenceDays));
    expect(generated.retention.audit_days_max).toBe(auditDays);
    expect(generated.retention.evidence_days_max).toBe(evidenceDays);
    for (const policy of policies) expect(generated.retention.use_cases[policy.id]).toEqual({ case_days: policy.privacy.retention.caseDays, audit_days: policy.privacy.retention.auditDays, evidence_days: policy.privacy.retention.evidenceDays });
    const tables = loadTableDefinitions();
    expect(generated.bigquery.tables.map((t) => t.table_id)).toEqual(tables.map((t) => t.tableReference.tableId));
    for (const table of generated.bigquery.tables) expect(table.partition_expiration_ms).toBe(String(auditDays * 86_400_000));
  });
});

describe('Terraform module (infra/terraform/modules/arbiter)', () => {
  it('pins the google provider to one version, in the module and the example environment', () => {
    for (const hcl of [moduleHcl, exampleHcl]) {
      const providers = block(hcl.terraform[0] as Block, 'required_providers');
      expect(providers.google).toEqual({ source: 'hashicorp/google', version: '6.50.0' });
    }
    expect(Object.keys(exampleHcl.module ?? {})).toEqual(['arbiter']);
  });

  it('reads topics, subscriptions, indexes, TTLs, tables and views from the generated file, never from a hand-written list', () => {
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    expect(locals.arbiter).toBe('${jsondecode(file("${path.module}/arbiter.gen.json"))}');
    expect(resource(moduleHcl, 'google_pubsub_topic', 'topic').for_each).toBe('${toset(local.arbiter.topics)}');
    expect(resource(moduleHcl, 'google_pubsub_topic', 'dead_letter').for_each).toBe('${toset(local.arbiter.dead_letter_topics)}');
    expect(locals.subscriptions).toBe('${{ for s in local.arbiter.subscriptions : s.name => s }}');
    expect(resource(moduleHcl, 'google_firestore_index', 'index').for_each).toContain('local.arbiter.firestore.indexes');
    expect(resource(moduleHcl, 'google_firestore_field', 'ttl').for_each).toContain('local.arbiter.firestore.ttl');
    expect(resource(moduleHcl, 'google_bigquery_table', 'table').for_each).toContain('local.arbiter.bigquery.tables');
    const levels = Math.max(...generated.bigquery.views.map((v) => v.level));
    for (let level = 0; level <= levels; level += 1) expect(resource(moduleHcl, 'google_bigquery_table', `view_level_${level}`).for_each).toContain(`view.level == ${level}`);
  });

  it('gives every service subscription a push config to its service with an OIDC token, a retry policy and a dead-letter policy', () => {
    const subscriptions = moduleHcl.resource.google_pubsub_subscription ?? {};
    expect(Object.keys(subscriptions).sort()).toEqual(['dead_letter_inspection', 'push']);
    const push = resource(moduleHcl, 'google_pubsub_subscription', 'push');
    expect(push.for_each).toBe('${local.subscriptions}');
    const pushConfig = block(push, 'push_config');
    expect(pushConfig.push_endpoint).toBe('${google_cloud_run_v2_service.service[each.value.service].uri}${each.value.push_path}');
    const oidc = block(pushConfig, 'oidc_token');
    expect(oidc.service_account_email).toBe('${google_service_account.push.email}');
    expect(oidc.audience).toBe('${local.push_audience}');
    expect(block(push, 'dead_letter_policy')).toEqual({ dead_letter_topic: '${google_pubsub_topic.dead_letter[each.value.dead_letter_topic].id}', max_delivery_attempts: '${each.value.max_delivery_attempts}' });
    expect(Object.keys(block(push, 'retry_policy')).sort()).toEqual(['maximum_backoff', 'minimum_backoff']);
    expect(push.ack_deadline_seconds).toBe('${each.value.ack_deadline_seconds}');
    expect(push.filter).toBe('${each.value.filter}');
    // The only pull subscriptions read dead-letter topics (for a person to inspect), never a service's topic.
    const inspection = resource(moduleHcl, 'google_pubsub_subscription', 'dead_letter_inspection');
    expect(inspection.topic).toBe('${google_pubsub_topic.dead_letter[each.value.topic].id}');
    expect(inspection.for_each).toBe('${local.inspections}');
  });

  it('lets the Pub/Sub service agent publish to every dead-letter topic and acknowledge on every subscription', () => {
    const publisher = resource(moduleHcl, 'google_pubsub_topic_iam_member', 'pubsub_agent_dead_letter_publisher');
    expect(publisher).toMatchObject({ for_each: '${toset(local.arbiter.dead_letter_topics)}', role: 'roles/pubsub.publisher', member: '${local.pubsub_agent}' });
    const subscriber = resource(moduleHcl, 'google_pubsub_subscription_iam_member', 'pubsub_agent_subscriber');
    expect(subscriber).toMatchObject({ for_each: '${local.subscriptions}', role: 'roles/pubsub.subscriber', member: '${local.pubsub_agent}' });
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    expect(locals.pubsub_agent).toBe('serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com');
  });

  it('runs every service as its own service account', () => {
    const accounts = resource(moduleHcl, 'google_service_account', 'service');
    expect(accounts.for_each).toBe('${toset(local.service_names)}');
    const run = resource(moduleHcl, 'google_cloud_run_v2_service', 'service');
    expect(run.for_each).toBe('${toset(local.service_names)}');
    expect(block(run, 'template').service_account).toBe('${google_service_account.service[each.key].email}');
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    expect(locals.service_names).toBe('${keys(local.arbiter.services)}');
    expect(Object.keys(generated.services).sort()).toEqual([...ServiceNames].sort());
    // Every service's environment is declared (a missing key would fail the plan, a misspelt one would be silent).
    expect(Object.keys(locals.service_env as Block).sort()).toEqual([...ServiceNames].sort());
    expect(locals.common_env).toMatchObject({ ARBITER_DELIVERY: 'push', HOST: '0.0.0.0', ARBITER_PUSH_AUDIENCE: '${local.push_audience}', ARBITER_PUSH_SERVICE_ACCOUNT: '${google_service_account.push.email}' });
    expect((locals.common_env as Block).PORT).toBeUndefined(); // Cloud Run sets PORT itself
  });

  it('grants only the roles the code needs, to the identities that need them', () => {
    const iam = allResources(moduleHcl).filter((r) => /_iam_(member|binding|policy)$/.test(r.type));
    expect(iam.filter((r) => /_iam_(binding|policy)$/.test(r.type))).toEqual([]); // members only: never take over a role
    const grants = iam.map((r) => `${r.type}.${r.name}: ${String(r.body.role)} -> ${String(r.body.member)}`).sort();
    expect(grants).toEqual(
      [
        'google_bigquery_dataset_iam_member.audit_reader: roles/bigquery.dataViewer -> ${each.key}',
        'google_bigquery_dataset_iam_member.exporter_data_editor: roles/bigquery.dataEditor -> ${google_service_account.service["audit-exporter"].member}',
        'google_bigquery_dataset_iam_member.review_queue_audit_reader: roles/bigquery.dataViewer -> ${google_service_account.service["review-queue"].member}',
        'google_project_iam_member.review_queue_bigquery_jobs: roles/bigquery.jobUser -> ${google_service_account.service["review-queue"].member}',
        'google_cloud_run_v2_service_iam_member.iap_invoker: roles/run.invoker -> ${local.iap_agent}',
        'google_cloud_run_v2_service_iam_member.push_invoker: roles/run.invoker -> ${google_service_account.push.member}',
        'google_cloud_run_v2_service_iam_member.scheduler_invoker: roles/run.invoker -> ${google_service_account.scheduler.member}',
        'google_iap_web_backend_service_iam_member.reviewer: roles/iap.httpsResourceAccessor -> ${each.key}',
        'google_project_iam_member.firestore_user: roles/datastore.user -> ${google_service_account.service[each.key].member}',
        'google_pubsub_subscription_iam_member.pubsub_agent_subscriber: roles/pubsub.subscriber -> ${local.pubsub_agent}',
        'google_pubsub_topic_iam_member.dead_letter_producer: roles/pubsub.publisher -> ${google_service_account.service[each.value.service].member}',
        'google_pubsub_topic_iam_member.external_publisher: roles/pubsub.publisher -> ${each.value.member}',
        'google_pubsub_topic_iam_member.external_subscriber: roles/pubsub.subscriber -> ${each.value.member}',
        'google_pubsub_topic_iam_member.producer: roles/pubsub.publisher -> ${google_service_account.service[each.value.service].member}',
        'google_pubsub_topic_iam_member.pubsub_agent_dead_letter_publisher: roles/pubsub.publisher -> ${local.pubsub_agent}',
        'google_secret_manager_secret_iam_member.env_reader: roles/secretmanager.secretAccessor -> ${google_service_account.service[each.value.service].member}',
        'google_service_account_iam_member.review_queue_signs_as_itself: roles/iam.serviceAccountTokenCreator -> ${google_service_account.service["review-queue"].member}',
        'google_storage_bucket_iam_member.review_queue_evidence_reader: roles/storage.objectViewer -> ${google_service_account.service["review-queue"].member}',
        'google_service_account_iam_member.pubsub_agent_token_creator: roles/iam.serviceAccountTokenCreator -> ${local.pubsub_agent}',
        'google_storage_bucket_iam_member.evidence_writer: roles/storage.objectCreator -> ${each.key}',
      ].sort(),
    );
    // Publishing: the services' own topics come from the generated producers list, on the topic resources.
    expect(resource(moduleHcl, 'google_pubsub_topic_iam_member', 'producer').topic).toBe('${google_pubsub_topic.topic[each.value.topic].name}');
    expect(resource(moduleHcl, 'google_pubsub_topic_iam_member', 'producer').for_each).toContain('spec.publishes_to');
    expect(resource(moduleHcl, 'google_pubsub_topic_iam_member', 'dead_letter_producer').for_each).toContain('spec.dead_letter_topics');
    // The scheduler may invoke the escalator only; the push identity only services with subscriptions.
    expect(resource(moduleHcl, 'google_cloud_run_v2_service_iam_member', 'scheduler_invoker').name).toBe('${google_cloud_run_v2_service.service["sla-escalator"].name}');
    expect(resource(moduleHcl, 'google_cloud_run_v2_service_iam_member', 'push_invoker').for_each).toBe('${toset(distinct([for s in local.arbiter.subscriptions : s.service]))}');
  });

  it('makes nothing public: no allUsers, internal ingress for the workers, review-queue only behind IAP, a private bucket', () => {
    for (const dir of [moduleDir, exampleDir]) {
      // variables.tf names the public members only to refuse them (checked below).
      for (const file of readdirSync(dir).filter((name) => name.endsWith('.tf') && name !== 'variables.tf')) {
        const text = readFileSync(join(dir, file), 'utf8').replace(/^\s*#.*$/gm, '');
        expect(`${file}: ${/allUsers|allAuthenticatedUsers/.test(text) ? 'public member' : 'ok'}`).toBe(`${file}: ok`);
        expect(`${file}: ${/invoker_iam_disabled\s*=\s*true/.test(text) ? 'invoker check off' : 'ok'}`).toBe(`${file}: ok`);
      }
    }
    const run = resource(moduleHcl, 'google_cloud_run_v2_service', 'service');
    expect(run.ingress).toBe('${each.key == "review-queue" ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY"}');
    const backend = resource(moduleHcl, 'google_compute_backend_service', 'review_queue');
    expect(block(backend, 'iap').enabled).toBe(true);
    expect(block(resource(moduleHcl, 'google_compute_region_network_endpoint_group', 'review_queue'), 'cloud_run').service).toBe('arbiter-review-queue');
    const bucket = resource(moduleHcl, 'google_storage_bucket', 'evidence');
    expect(bucket).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced' });
    // The reviewer list refuses the public members.
    expect(JSON.stringify(moduleHcl.variable.reviewer_members)).toContain('allUsers');
  });

  it('ticks the escalator (which runs the reconciler too) from Cloud Scheduler with an OIDC token', () => {
    expect(Object.keys(moduleHcl.resource.google_cloud_scheduler_job ?? {})).toEqual(['escalator_tick']);
    const target = block(resource(moduleHcl, 'google_cloud_scheduler_job', 'escalator_tick'), 'http_target');
    expect(target.http_method).toBe('POST');
    expect(target.uri).toBe('${google_cloud_run_v2_service.service["sla-escalator"].uri}/tick');
    expect(block(target, 'oidc_token').service_account_email).toBe('${google_service_account.scheduler.email}');
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    expect((locals.service_env as Record<string, Block>)['sla-escalator']).toMatchObject({ ARBITER_TICK_EVERY: 'off', ARBITER_TICK_AUTH: 'cloud-run-iam' });
    // The reconciler is part of the tick (ARBITER_RECONCILE_AFTER, services/sla-escalator); it has no route of its own.
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toMatch(/^# The reconciler \(run by each tick\)/m);
  });

  it('enforces retention: TTL on the expiry field, partition expiration, bucket lifecycle deletion', () => {
    const ttl = resource(moduleHcl, 'google_firestore_field', 'ttl');
    expect(ttl.ttl_config).toEqual([{}]);
    const table = resource(moduleHcl, 'google_bigquery_table', 'table');
    expect(JSON.stringify(table.dynamic)).toContain('tonumber(time_partitioning.value.partition_expiration_ms)');
    const rule = block(resource(moduleHcl, 'google_storage_bucket', 'evidence'), 'lifecycle_rule');
    expect(block(rule, 'condition').age).toBe('${local.retention.evidence_days_max}');
    expect(block(rule, 'action').type).toBe('Delete');
    expect(generated.retention.evidence_days_max).toBeGreaterThan(0);
  });

  it('keeps secrets in Secret Manager, never as plain environment values', () => {
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    expect(JSON.stringify([locals.common_env, locals.service_env])).not.toMatch(/SECRET[^_]|_SECRET"|_KEY"/);
    const run = resource(moduleHcl, 'google_cloud_run_v2_service', 'service');
    const containers = block(block(run, 'template'), 'containers');
    const dynamic = containers.dynamic as { env?: Block[] } | Array<{ env?: Block[] }>;
    const envBlocks = (Array.isArray(dynamic) ? dynamic : [dynamic]).flatMap((d) => d.env ?? []);
    const fromSecrets = envBlocks.find((env) => JSON.stringify(env).includes('secret_key_ref'));
    expect(fromSecrets?.for_each).toContain('local.secret_env');
    expect(resource(moduleHcl, 'google_secret_manager_secret_iam_member', 'env_reader')).toMatchObject({ for_each: '${local.secret_env}', member: '${google_service_account.service[each.value.service].member}' });
    expect(hclHasNoSecretVersion()).toBe(true);
  });

  it('passes review-queue what its identity and evidence settings need: IAP audience of its backend, Cloud Storage signing', () => {
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    expect((locals.service_env as Record<string, Block>)['review-queue']).toMatchObject({
      ARBITER_IDENTITY: 'iap',
      ARBITER_IAP_AUDIENCE: '/projects/${data.google_project.project.number}/global/backendServices/${google_compute_backend_service.review_queue.generated_id}',
      ARBITER_EVIDENCE_SIGNER: 'gcs',
    });
    const env = readFileSync(join(root, '.env.example'), 'utf8');
    for (const name of ['ARBITER_IDENTITY', 'ARBITER_IAP_AUDIENCE', 'ARBITER_EVIDENCE_SIGNER', 'ARBITER_PUSH_AUDIENCE', 'ARBITER_PUSH_SERVICE_ACCOUNT', 'ARBITER_TICK_AUTH', 'ARBITER_DELIVERY']) expect(env).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('sets on Cloud Run every variable each service’s configuration needs: it reads without an error, traces on', () => {
    const locals = Object.assign({}, ...moduleHcl.locals) as Block;
    const serviceEnv = locals.service_env as Record<string, Record<string, string>>;
    expect(locals.telemetry_env).toBe('${var.otlp_endpoint == "" ? {} : local.otlp_env}');
    // What Terraform cannot know before apply, as GCP would fill it in; variables take their defaults.
    const known: Record<string, string> = {
      'var.environment': 'prod',
      'var.project_id': 'acme-arbiter',
      'var.reviewer_domain': 'arbiter.acme.example',
      'var.otlp_endpoint': 'http://127.0.0.1:4318',
      'local.push_audience': 'https://arbiter-push.acme-arbiter',
      'google_service_account.push.email': 'arbiter-push@acme-arbiter.iam.gserviceaccount.com',
      'data.google_project.project.number': '123456789012',
      'google_compute_backend_service.review_queue.generated_id': '4567890123456',
      'local.arbiter.bigquery.dataset_id': (generated as unknown as { bigquery: { dataset_id: string } }).bigquery.dataset_id,
    };
    const resolve = (value: string): string =>
      value.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
        if (known[expression] !== undefined) return known[expression] as string;
        const variable = /^var\.(\w+)$/.exec(expression)?.[1];
        const fallback = variable ? (moduleHcl.variable[variable]?.[0] as Block | undefined)?.default : undefined;
        if (typeof fallback === 'string') return fallback;
        throw new Error(`the test cannot resolve \${${expression}} in a Cloud Run variable: add it to \`known\``);
      });
    const readers: Record<string, (read: EnvReader) => object> = {
      'confidence-assessor': describeAssessorConfig,
      router: describeRouterConfig,
      'review-queue': describeReviewQueueConfig,
      'sla-escalator': readSlaEscalatorConfig,
      'audit-exporter': readAuditExporterConfig,
    };
    expect(Object.keys(readers).sort()).toEqual([...ServiceNames].sort());
    const unsetButRead: Record<string, string[]> = {};
    for (const service of ServiceNames) {
      const set = Object.fromEntries(Object.entries({ ...(locals.common_env as Block), ...(locals.otlp_env as Block), ...serviceEnv[service] }).map(([k, v]) => [k, resolve(String(v))]));
      const read = new Set<string>();
      const env = new Proxy(set, { get: (target, name: string) => (read.add(name), target[name]) });
      const config = readConfig(env, readers[service] as (read: EnvReader) => object);
      expect({ service, errors: config.ok ? [] : config.errors }).toEqual({ service, errors: [] });
      if (!config.ok) continue;
      expect({ service, traces: (config.value as { telemetry: { traces: boolean } }).telemetry.traces }).toEqual({ service, traces: true });
      unsetButRead[service] = [...read].filter((name) => !(name in set)).sort();
    }
    const rq = readConfig(Object.fromEntries(Object.entries({ ...(locals.common_env as Block), ...serviceEnv['review-queue'] }).map(([k, v]) => [k, resolve(String(v))])), describeReviewQueueConfig);
    expect(rq.ok && { dataset: rq.value.auditDataset, project: rq.value.bigqueryProjectId, traces: rq.value.telemetry.traces }).toEqual({ dataset: known['local.arbiter.bigquery.dataset_id'], project: 'acme-arbiter', traces: false });
    // Read by the code, not set by Terraform: each one's default is what GCP needs (or it is local-only,
    // or for the team's extra_env / secret_env). A new variable fails here until it is set in run.tf or added.
    const everywhere = Object.values(unsetButRead).reduce((a, b) => a.filter((name) => b.includes(name)));
    const own = Object.fromEntries(Object.entries(unsetButRead).map(([service, names]) => [service, names.filter((name) => !everywhere.includes(name))]));
    expect({ everywhere, ...own }).toEqual(UNSET_ON_CLOUD_RUN);
  });

  it('is formatted (terraform fmt -check)', () => {
    const result = spawnSync('terraform', ['fmt', '-check', '-recursive', terraformDir], { encoding: 'utf8' });
    if (result.error) throw new Error(`terraform is not installed (${result.error.message}); install Terraform >= 1.6`);
    expect(`${result.status} ${result.stdout}`).toBe('0 ');
  });
});

/**
 * What each service reads that its Cloud Run definition leaves to the default — reviewed one by one:
 * the default is right on GCP (batch sizes, leases, intervals, the OTLP details beside the endpoint,
 * PORT which Cloud Run sets), or the variable is for emulators / local only (…_EMULATOR_HOST, push
 * and identity keys, evidence dir, tick secret: Cloud Run's IAM checks the Scheduler), or a team sets
 * it through extra_env / secret_env. `everywhere`: read by all five.
 */
const UNSET_ON_CLOUD_RUN: Record<string, string[]> = {
  everywhere: [
    'ARBITER_OTEL_PUBSUB_CLIENT_SPANS',
    'ARBITER_POLICIES_DIR',
    'ARBITER_PUSH_AUTH',
    'ARBITER_PUSH_ISSUER',
    'ARBITER_PUSH_JWKS_URL',
    'FIRESTORE_EMULATOR_HOST',
    'GOOGLE_CLOUD_PROJECT',
    'OTEL_BSP_SCHEDULE_DELAY',
    'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'OTEL_METRICS_EXPORTER',
    'OTEL_METRIC_EXPORT_INTERVAL',
    'OTEL_SDK_DISABLED',
    'OTEL_TRACES_EXPORTER',
    'PORT',
    'PUBSUB_EMULATOR_HOST',
  ],
  'audit-exporter': ['ARBITER_AUDIT_BATCH_IDLE_MS', 'ARBITER_AUDIT_BATCH_ROWS', 'ARBITER_AUDIT_BATCH_WAIT_MS', 'ARBITER_AUDIT_INSERT_ATTEMPTS', 'ARBITER_AUDIT_RETRY_MAX_MS', 'ARBITER_AUDIT_RETRY_START_MS', 'BIGQUERY_EMULATOR_HOST'],
  'confidence-assessor': ['ASSESSOR_OUTBOX_SWEEP_MS'],
  'review-queue': [
    'ARBITER_AHEAD_LEASE',
    'ARBITER_CLAIM_LEASE',
    'ARBITER_CLAIM_SPREAD',
    'ARBITER_CONSOLE_DIR',
    'ARBITER_EVIDENCE_DIR',
    'ARBITER_EVIDENCE_SIGNING_KEY',
    'ARBITER_EVIDENCE_URL_TTL',
    'ARBITER_IDENTITY_JWKS_URL',
    'ARBITER_LOCAL_IDENTITY_KEY',
    'ARBITER_METRICS_REFRESH',
    'ARBITER_UNDO_WINDOW',
    'BIGQUERY_EMULATOR_HOST',
  ],
  router: ['ROUTER_FAST_TRACK_PATTERN_LIMIT', 'ROUTER_OUTBOX_SWEEP_MS'],
  'sla-escalator': ['ARBITER_RECONCILE_AFTER', 'ARBITER_RECONCILE_MAX', 'ARBITER_TICK_CONCURRENCY', 'ARBITER_TICK_MAX_ITEMS', 'ARBITER_TICK_PAGE_SIZE', 'ARBITER_TICK_SECRET'],
};

/** The secret's value is added by hand (docs/deploy.md), so it never lands in the Terraform state. */
function hclHasNoSecretVersion(): boolean {
  return !allResources(moduleHcl).some((r) => r.type === 'google_secret_manager_secret_version');
}
