import type { BigQuery, TableMetadata, TableSchema } from '@google-cloud/bigquery';
import type { GetSubscriptionMetadataResponse, PubSub, SubscriptionMetadata } from '@google-cloud/pubsub';
import {
  BigQueryDataset,
  Subscriptions,
  Topics,
  deadLetterInspectionOf,
  deadLetterTopicOf,
  type SubscriptionSpec,
} from '@arbiter/contract';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bigQueryClient, pubSubClient, type StackEndpoints } from './clients';
import { bigQuerySchemaDir } from './paths';

/**
 * Idempotent provisioning of the Pub/Sub topology and the BigQuery audit dataset, from the one list
 * in @arbiter/contract (topology.ts) and the table files in schemas/bigquery/. `up`, `provision`,
 * the Jest global setup and the integration tests all run this same code.
 */

/** Exponential backoff between redeliveries of a nacked or expired message. */
export const RetryBackoff = { minimumSeconds: 1, maximumSeconds: 60 } as const;
/** Subscriptions never expire for inactivity (GCP's default expires them after 31 idle days). */
const NeverExpire = { ttl: null };

/** The configuration a subscription should have: plain data, compared field by field with what exists. */
export interface DesiredSubscription {
  name: string;
  topic: string;
  ackDeadlineSeconds: number;
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  retry?: { minimumSeconds: number; maximumSeconds: number };
  filter?: string;
}

/** The part of a contract `SubscriptionSpec` provisioning reads (tests provision their own names with it). */
export type TopologySubscription = Pick<SubscriptionSpec, 'name' | 'ackDeadlineSeconds' | 'maxDeliveryAttempts'> & {
  topic: string;
  eventTypes?: readonly string[];
};

export interface Topology {
  topics: readonly string[];
  subscriptions: readonly TopologySubscription[];
}

export const contractTopology: Topology = { topics: Object.values(Topics), subscriptions: Subscriptions };

/** The Pub/Sub filter that delivers only the given CloudEvent types (binary mode: the `ce-type` attribute). */
export const ceTypeFilter = (eventTypes: readonly string[]): string =>
  eventTypes.map((type) => `attributes."ce-type" = ${JSON.stringify(type)}`).join(' OR ');

/** Every subscription to create for one spec: its dead-letter inspection subscription, then itself. */
export const desiredSubscriptions = (spec: TopologySubscription): DesiredSubscription[] => {
  const deadLetterTopic = deadLetterTopicOf(spec.name);
  const main: DesiredSubscription = {
    name: spec.name,
    topic: spec.topic,
    ackDeadlineSeconds: spec.ackDeadlineSeconds,
    deadLetter: { topic: deadLetterTopic, maxDeliveryAttempts: spec.maxDeliveryAttempts },
    retry: { minimumSeconds: RetryBackoff.minimumSeconds, maximumSeconds: RetryBackoff.maximumSeconds },
  };
  if (spec.eventTypes !== undefined && spec.eventTypes.length > 0) main.filter = ceTypeFilter(spec.eventTypes);
  const inspection: DesiredSubscription = {
    name: deadLetterInspectionOf(spec.name),
    topic: deadLetterTopic,
    ackDeadlineSeconds: spec.ackDeadlineSeconds,
  };
  return [inspection, main];
};

/** All topics to create: the contract's topics, then one dead-letter topic per subscription. */
export const desiredTopics = (topology: Topology): string[] => [
  ...new Set([...topology.topics, ...topology.subscriptions.map((spec) => deadLetterTopicOf(spec.name))]),
];

/** Optional subscription features, in the order they are given up when a server rejects them. */
export type SubscriptionFeature = 'filter' | 'retryPolicy' | 'deadLetterPolicy';

export interface PubSubProvisionOptions {
  topology?: Topology;
  /**
   * Against an emulator, a subscription feature the server rejects is left off (and reported in
   * `degraded`) instead of failing; against GCP every rejection fails. Default: true when
   * PUBSUB_EMULATOR_HOST is set.
   */
  emulator?: boolean;
}

export interface PubSubProvisionReport {
  topicsCreated: string[];
  subscriptionsCreated: string[];
  subscriptionsUpdated: string[];
  unchanged: string[];
  /** Features the server rejected and that were left off, by subscription (emulator only). */
  degraded: Record<string, SubscriptionFeature[]>;
}

const grpcCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
};
const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;
const UNIMPLEMENTED = 12;

const toMetadata = (projectId: string, desired: DesiredSubscription, without: readonly SubscriptionFeature[]): SubscriptionMetadata => {
  const metadata: SubscriptionMetadata = {
    ackDeadlineSeconds: desired.ackDeadlineSeconds,
    expirationPolicy: NeverExpire,
  };
  if (desired.deadLetter && !without.includes('deadLetterPolicy')) {
    metadata.deadLetterPolicy = {
      deadLetterTopic: `projects/${projectId}/topics/${desired.deadLetter.topic}`,
      maxDeliveryAttempts: desired.deadLetter.maxDeliveryAttempts,
    };
  }
  if (desired.retry && !without.includes('retryPolicy')) {
    metadata.retryPolicy = {
      minimumBackoff: { seconds: desired.retry.minimumSeconds },
      maximumBackoff: { seconds: desired.retry.maximumSeconds },
    };
  }
  if (desired.filter !== undefined && !without.includes('filter')) metadata.filter = desired.filter;
  return metadata;
};

const seconds = (duration: { seconds?: unknown } | null | undefined): number | undefined =>
  duration?.seconds === undefined || duration.seconds === null ? undefined : Number(duration.seconds);

/** A subscription as the server describes it. */
type ExistingSubscription = GetSubscriptionMetadataResponse[0];

/** The differences between what exists and what is desired; `immutable` ones cannot be changed in place. */
export const subscriptionDrift = (
  projectId: string,
  desired: DesiredSubscription,
  actual: ExistingSubscription,
): { mutable: Array<keyof SubscriptionMetadata>; immutable: string[] } => {
  const mutable: Array<keyof SubscriptionMetadata> = [];
  const immutable: string[] = [];
  const want = toMetadata(projectId, desired, []);
  const topic = `projects/${projectId}/topics/${desired.topic}`;
  if (actual.topic && actual.topic !== topic) immutable.push(`topic is ${actual.topic}, want ${topic}`);
  if ((actual.filter ?? '') !== (want.filter ?? '')) immutable.push(`filter is ${JSON.stringify(actual.filter ?? '')}, want ${JSON.stringify(want.filter ?? '')}`);
  if (actual.ackDeadlineSeconds !== want.ackDeadlineSeconds) mutable.push('ackDeadlineSeconds');
  const dl = actual.deadLetterPolicy;
  if ((dl?.deadLetterTopic ?? undefined) !== want.deadLetterPolicy?.deadLetterTopic || (dl?.maxDeliveryAttempts ?? undefined) !== want.deadLetterPolicy?.maxDeliveryAttempts) {
    mutable.push('deadLetterPolicy');
  }
  const rp = actual.retryPolicy;
  if (seconds(rp?.minimumBackoff) !== desired.retry?.minimumSeconds || seconds(rp?.maximumBackoff) !== desired.retry?.maximumSeconds) {
    mutable.push('retryPolicy');
  }
  return { mutable, immutable };
};

const ensureTopic = async (pubsub: PubSub, name: string): Promise<boolean> => {
  try {
    await pubsub.createTopic(name);
    return true;
  } catch (error) {
    if (grpcCode(error) === ALREADY_EXISTS) return false;
    throw error;
  }
};

const createSubscription = async (
  pubsub: PubSub,
  desired: DesiredSubscription,
  emulator: boolean,
): Promise<SubscriptionFeature[]> => {
  const droppable: SubscriptionFeature[] = ['filter', 'retryPolicy', 'deadLetterPolicy'];
  const without: SubscriptionFeature[] = [];
  for (;;) {
    try {
      await pubsub.topic(desired.topic).createSubscription(desired.name, toMetadata(pubsub.projectId, desired, without));
      return without;
    } catch (error) {
      const code = grpcCode(error);
      if (code === ALREADY_EXISTS) throw error;
      const next = droppable.shift();
      if (!emulator || next === undefined || (code !== INVALID_ARGUMENT && code !== UNIMPLEMENTED)) throw error;
      without.push(next);
    }
  }
};

/**
 * On the emulator, no subscription's ack deadline is longer than this. The emulator keeps sending
 * messages to the streams of subscribers that were killed (infra/EMULATOR-NOTES.md); such a message
 * comes back only when the subscription's ack deadline runs out — and maybe goes to another dead stream.
 * With 60 s per round a killed consumer's messages took minutes to come back in the fault suite; with
 * 10 s, seconds. GCP notices a dropped stream itself, so it keeps the topology's deadline.
 */
export const EMULATOR_MAX_ACK_DEADLINE_SECONDS = 10;

const withEmulatorAckDeadline = (desired: DesiredSubscription): DesiredSubscription => ({ ...desired, ackDeadlineSeconds: Math.min(desired.ackDeadlineSeconds, EMULATOR_MAX_ACK_DEADLINE_SECONDS) });

export const provisionPubSub = async (pubsub: PubSub, options: PubSubProvisionOptions = {}): Promise<PubSubProvisionReport> => {
  const topology = options.topology ?? contractTopology;
  const emulator = options.emulator ?? process.env.PUBSUB_EMULATOR_HOST !== undefined;
  const report: PubSubProvisionReport = { topicsCreated: [], subscriptionsCreated: [], subscriptionsUpdated: [], unchanged: [], degraded: {} };
  const conflicts: string[] = [];

  for (const topic of desiredTopics(topology)) {
    if (await ensureTopic(pubsub, topic)) report.topicsCreated.push(topic);
  }
  const onServer = emulator ? withEmulatorAckDeadline : (desired: DesiredSubscription): DesiredSubscription => desired;
  for (const desired of topology.subscriptions.flatMap(desiredSubscriptions).map(onServer)) {
    const subscription = pubsub.subscription(desired.name);
    let actual: ExistingSubscription | undefined;
    try {
      [actual] = await subscription.getMetadata();
    } catch (error) {
      if (grpcCode(error) !== NOT_FOUND) throw error;
    }
    if (actual === undefined) {
      try {
        const dropped = await createSubscription(pubsub, desired, emulator);
        report.subscriptionsCreated.push(desired.name);
        if (dropped.length > 0) report.degraded[desired.name] = dropped;
        continue;
      } catch (error) {
        // Created concurrently by another provisioner: fall through and compare.
        if (grpcCode(error) !== ALREADY_EXISTS) throw error;
        [actual] = await subscription.getMetadata();
      }
    }
    const drift = subscriptionDrift(pubsub.projectId, desired, actual);
    if (drift.immutable.length > 0) conflicts.push(`${desired.name}: ${drift.immutable.join('; ')}`);
    if (drift.mutable.length === 0) {
      report.unchanged.push(desired.name);
      continue;
    }
    const want = toMetadata(pubsub.projectId, desired, []);
    const update: SubscriptionMetadata = {};
    for (const field of drift.mutable) Object.assign(update, { [field]: want[field] ?? null });
    await subscription.setMetadata(update);
    report.subscriptionsUpdated.push(desired.name);
  }
  if (conflicts.length > 0) {
    throw new Error(
      `Subscriptions differ from the topology in fields Pub/Sub cannot change in place (delete and re-provision them):\n  ${conflicts.join('\n  ')}`,
    );
  }
  return report;
};

/** A table file in schemas/bigquery/: a BigQuery table resource (tableReference.tableId, schema, partitioning, clustering). */
export interface TableDefinition {
  tableReference: { tableId: string };
  description?: string;
  timePartitioning?: { type: 'DAY' | 'HOUR' | 'MONTH' | 'YEAR'; field?: string; expirationMs?: string };
  clustering?: { fields: string[] };
  schema: { fields: NonNullable<TableSchema['fields']> };
}

export const loadTableDefinitions = (dir: string = bigQuerySchemaDir()): TableDefinition[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as TableDefinition);

export interface BigQueryProvisionOptions {
  dataset?: { id: string; location: string };
  tables?: TableDefinition[];
}

export interface BigQueryProvisionReport {
  datasetCreated: boolean;
  tablesCreated: string[];
  /** Existing tables that got columns added (additive changes only; BigQuery never drops or retypes here). */
  tablesExtended: string[];
  unchanged: string[];
}

const httpCode = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
};

export const provisionBigQuery = async (bigquery: BigQuery, options: BigQueryProvisionOptions = {}): Promise<BigQueryProvisionReport> => {
  const datasetSpec = options.dataset ?? BigQueryDataset;
  const tables = options.tables ?? loadTableDefinitions();
  const report: BigQueryProvisionReport = { datasetCreated: false, tablesCreated: [], tablesExtended: [], unchanged: [] };

  const dataset = bigquery.dataset(datasetSpec.id, { location: datasetSpec.location });
  const [datasetExists] = await dataset.exists();
  if (!datasetExists) {
    try {
      await bigquery.createDataset(datasetSpec.id, { location: datasetSpec.location });
      report.datasetCreated = true;
    } catch (error) {
      if (httpCode(error) !== 409) throw error;
    }
  }

  for (const definition of tables) {
    const tableId = definition.tableReference.tableId;
    const table = dataset.table(tableId);
    const [exists] = await table.exists();
    if (!exists) {
      const metadata: TableMetadata = { schema: definition.schema };
      if (definition.description !== undefined) metadata.description = definition.description;
      if (definition.timePartitioning !== undefined) metadata.timePartitioning = definition.timePartitioning;
      if (definition.clustering !== undefined) metadata.clustering = definition.clustering;
      try {
        await dataset.createTable(tableId, metadata);
        report.tablesCreated.push(tableId);
        continue;
      } catch (error) {
        if (httpCode(error) !== 409) throw error;
      }
    }
    const [actual] = await table.getMetadata();
    const have = new Set(((actual as TableMetadata).schema?.fields ?? []).map((field) => field.name));
    const missing = definition.schema.fields.filter((field) => !have.has(field.name));
    if (missing.length === 0) {
      report.unchanged.push(tableId);
      continue;
    }
    await table.setMetadata({ schema: { fields: [...((actual as TableMetadata).schema?.fields ?? []), ...missing] } });
    report.tablesExtended.push(tableId);
  }
  return report;
};

export interface ProvisionReport {
  pubsub: PubSubProvisionReport;
  bigquery: BigQueryProvisionReport;
}

/** Provisions everything against the given endpoints (emulators). Safe to run any number of times. */
export const provisionStack = async (endpoints: StackEndpoints): Promise<ProvisionReport> => {
  const pubsub = pubSubClient(endpoints.projectId, endpoints.pubsubEmulatorHost);
  try {
    const pubsubReport = await provisionPubSub(pubsub, { emulator: true });
    const bigqueryReport = await provisionBigQuery(bigQueryClient(endpoints.projectId, endpoints.bigqueryEmulatorHost));
    return { pubsub: pubsubReport, bigquery: bigqueryReport };
  } finally {
    await pubsub.close();
  }
};
