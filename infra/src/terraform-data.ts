/**
 * The data file the Terraform module iterates over (`infra/terraform/modules/arbiter/arbiter.gen.json`),
 * generated from the code that owns each fact, never written by hand:
 *
 * - topics, subscriptions (with their dead-letter topics, retry policy, filter, ack deadline) and what
 *   each service publishes: `@arbiter/contract` (topology.ts) through the same `desiredSubscriptions`
 *   the local provisioning uses;
 * - Firestore composite indexes: each service's `firestore.indexes.json`; TTL fields: `@arbiter/case-store`;
 * - BigQuery tables and views: `schemas/bigquery/`;
 * - retention: every policy's `privacy.retention`.
 *
 *   pnpm terraform:data            rewrite the file
 *   pnpm terraform:data --check    exit 1 when the file is stale (a unit test checks the same)
 */
import {
  BigQueryDataset,
  ProducedEventTypes,
  ServiceNames,
  Subscriptions,
  deadLetterInspectionOf,
  deadLetterTopicOf,
  topicOf,
  type ServiceName,
} from '@arbiter/contract';
import { ExpiryField, RetainedCollections } from '@arbiter/case-store';
import { loadPolicies } from '@arbiter/policy';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bigQuerySchemaDir, repoRoot, contractTopology, desiredSubscriptions, desiredTopics, loadTableDefinitions } from '@arbiter/local-stack';

export const terraformDataFile = (root: string = repoRoot()): string => join(root, 'infra', 'terraform', 'modules', 'arbiter', 'arbiter.gen.json');

/** How many levels of views reading views the module has resources for (view_level_0 .. view_level_2). */
export const MaxViewLevels = 3;

const DAY_MS = 86_400_000;

interface IndexFile {
  indexes: Array<{ collectionGroup: string; queryScope: string; fields: Array<{ fieldPath: string; order?: string; arrayConfig?: string }> }>;
  fieldOverrides?: unknown[];
}

const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort();

const servicesData = (root: string): Record<string, unknown> =>
  Object.fromEntries(
    ServiceNames.map((service: ServiceName) => {
      const subscriptions = Subscriptions.filter((spec) => spec.service === service);
      return [
        service,
        {
          publishes_to: sortedUnique(ProducedEventTypes[service].map((type) => topicOf[type])),
          dead_letter_topics: sortedUnique(subscriptions.map((spec) => deadLetterTopicOf(spec.name))),
          subscriptions: subscriptions.map((spec) => spec.name).sort(),
          firestore_index_file: existsSync(join(root, 'services', service, 'firestore.indexes.json')) ? `services/${service}/firestore.indexes.json` : null,
        },
      ];
    }),
  );

const subscriptionsData = (): unknown[] =>
  Subscriptions.map((spec) => {
    const main = desiredSubscriptions(spec).find((desired) => desired.name === spec.name);
    if (!main?.deadLetter || !main.retry) throw new Error(`subscription ${spec.name} has no dead-letter or retry policy`);
    return {
      name: spec.name,
      topic: spec.topic,
      service: spec.service,
      push_path: `/pubsub/push/${spec.name}`,
      ack_deadline_seconds: spec.ackDeadlineSeconds,
      filter: main.filter ?? '',
      dead_letter_topic: main.deadLetter.topic,
      max_delivery_attempts: main.deadLetter.maxDeliveryAttempts,
      retry_minimum_backoff: `${main.retry.minimumSeconds}s`,
      retry_maximum_backoff: `${main.retry.maximumSeconds}s`,
    };
  });

const deadLetterInspectionsData = (): unknown[] =>
  Subscriptions.map((spec) => ({ name: deadLetterInspectionOf(spec.name), topic: deadLetterTopicOf(spec.name), ack_deadline_seconds: spec.ackDeadlineSeconds }));

const firestoreIndexesData = (root: string): unknown[] => {
  const indexes: Array<{ id: string; source: string; collection: string; query_scope: string; fields: unknown[] }> = [];
  for (const service of ServiceNames) {
    const file = join(root, 'services', service, 'firestore.indexes.json');
    if (!existsSync(file)) continue;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as IndexFile;
    for (const index of parsed.indexes) {
      const fields = index.fields.map((field) => ({
        field_path: field.fieldPath,
        order: field.order ?? null,
        array_config: field.arrayConfig ?? null,
      }));
      const id = `${index.collectionGroup}:${index.fields.map((field) => `${field.fieldPath}:${field.order ?? field.arrayConfig}`).join(',')}`;
      indexes.push({ id, source: `services/${service}/firestore.indexes.json`, collection: index.collectionGroup, query_scope: index.queryScope, fields });
    }
  }
  const ids = indexes.map((index) => index.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length > 0) throw new Error(`a Firestore index is declared twice: ${twice.join('; ')}`);
  return indexes;
};

/** The level of each view: 0 reads only tables, n reads views of level n-1 at most. */
export const viewLevels = (views: ReadonlyArray<{ id: string; query: string }>): Map<string, number> => {
  const ids = new Set(views.map((view) => view.id));
  const reads = new Map(views.map((view) => [view.id, [...view.query.matchAll(/\{\{dataset\}\}\.([A-Za-z0-9_]+)/g)].map((m) => m[1] as string).filter((id) => ids.has(id) && id !== view.id)]));
  const levels = new Map<string, number>();
  const levelOf = (id: string, trail: readonly string[]): number => {
    const known = levels.get(id);
    if (known !== undefined) return known;
    if (trail.includes(id)) throw new Error(`views read each other in a cycle: ${[...trail, id].join(' → ')}`);
    const level = Math.max(-1, ...(reads.get(id) ?? []).map((dep) => levelOf(dep, [...trail, id]))) + 1;
    levels.set(id, level);
    return level;
  };
  for (const view of views) levelOf(view.id, []);
  return levels;
};

const bigQueryData = (root: string, auditDays: number): Record<string, unknown> => {
  const dir = bigQuerySchemaDir(root);
  const tables = loadTableDefinitions(dir).map((table) => ({
    table_id: table.tableReference.tableId,
    description: table.description ?? '',
    schema: JSON.stringify(table.schema.fields),
    partitioning_type: table.timePartitioning?.type ?? null,
    partitioning_field: table.timePartitioning?.field ?? null,
    partition_expiration_ms: table.timePartitioning ? String(auditDays * DAY_MS) : null,
    clustering: table.clustering?.fields ?? [],
  }));
  const viewsDir = join(dir, 'views');
  const views = readdirSync(viewsDir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ id: file.replace(/\.sql$/, ''), query: readFileSync(join(viewsDir, file), 'utf8') }));
  const levels = viewLevels(views);
  const deepest = Math.max(0, ...levels.values());
  if (deepest >= MaxViewLevels) throw new Error(`views are nested ${deepest + 1} levels deep; the Terraform module has resources for ${MaxViewLevels}`);
  return {
    dataset_id: BigQueryDataset.id,
    location: BigQueryDataset.location,
    tables,
    views: views.map((view) => ({ view_id: view.id, level: levels.get(view.id) ?? 0, query_template: view.query })),
  };
};

/** Retention by use case, and the longest of each kind: what a table or bucket shared by every use case must keep. */
const retentionData = (root: string): { use_cases: Record<string, unknown>; case_days_max: number; audit_days_max: number; evidence_days_max: number } => {
  const loaded = loadPolicies(join(root, 'policies'));
  if (!loaded.ok) throw new Error(`the policies do not load: ${JSON.stringify(loaded.error)}`);
  const policies = loaded.value.list();
  if (policies.length === 0) throw new Error('no policies: retention cannot be derived');
  const useCases = Object.fromEntries(
    [...policies]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((policy) => [policy.id, { case_days: policy.privacy.retention.caseDays, audit_days: policy.privacy.retention.auditDays, evidence_days: policy.privacy.retention.evidenceDays }]),
  );
  return {
    use_cases: useCases,
    case_days_max: Math.max(...policies.map((p) => p.privacy.retention.caseDays)),
    audit_days_max: Math.max(...policies.map((p) => p.privacy.retention.auditDays)),
    evidence_days_max: Math.max(...policies.map((p) => p.privacy.retention.evidenceDays)),
  };
};

/** The whole data file, as the text written to disk (stable: sorted where order carries no meaning). */
export const terraformDataText = (root: string = repoRoot()): string => {
  const retention = retentionData(root);
  const data = {
    generated_by: 'pnpm terraform:data (infra/src/terraform-data.ts) from packages/contract/src/topology.ts, services/*/firestore.indexes.json, packages/case-store (TTL fields), schemas/bigquery/ and policies/. Do not edit.',
    services: servicesData(root),
    topics: desiredTopics(contractTopology).filter((topic) => !topic.endsWith('.dlq')).sort(),
    dead_letter_topics: desiredTopics(contractTopology).filter((topic) => topic.endsWith('.dlq')).sort(),
    subscriptions: subscriptionsData(),
    dead_letter_inspections: deadLetterInspectionsData(),
    firestore: {
      indexes: firestoreIndexesData(root),
      ttl: RetainedCollections.map((collection) => ({ collection, field: ExpiryField })),
    },
    bigquery: bigQueryData(root, retention.audit_days_max),
    retention,
  };
  return `${JSON.stringify(data, null, 2)}\n`;
};

/** Writes the file, or with `check` only says whether it is current. */
export const writeTerraformData = (options: { check: boolean; root?: string }): { file: string; current: boolean } => {
  const root = options.root ?? repoRoot();
  const file = terraformDataFile(root);
  const text = terraformDataText(root);
  const current = existsSync(file) && readFileSync(file, 'utf8') === text;
  if (!options.check && !current) writeFileSync(file, text);
  return { file, current };
};

if (require.main === module) {
  const check = process.argv.includes('--check');
  const { file, current } = writeTerraformData({ check });
  if (check && !current) {
    process.stderr.write(`${file} is stale: run pnpm terraform:data\n`);
    process.exit(1);
  }
  process.stdout.write(`${file} ${current ? 'is current' : 'written'}\n`);
}
