import { EventTypes, Subscriptions, Topics, deadLetterInspectionOf, deadLetterTopicOf } from '@arbiter/contract';
import type { PubSub } from '@google-cloud/pubsub';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EMULATOR_MAX_ACK_DEADLINE_SECONDS, RetryBackoff, ceTypeFilter, loadTableDefinitions, provisionPubSub, type ProvisionReport, type Topology } from '../src/provision';
import { receive, testPubSub, testStack, uniqueName } from './support';

// Emulator calls can take longer than Jest's default 5 s (`pnpm test` also passes --testTimeout).
jest.setTimeout(120_000);

describe('Pub/Sub provisioning', () => {
  let pubsub: PubSub;
  const { projectId } = testStack();
  const topicPath = (name: string): string => `projects/${projectId}/topics/${name}`;

  beforeAll(() => {
    pubsub = testPubSub();
  });
  afterAll(async () => {
    await pubsub.close();
  });

  it('is idempotent: provisioning the contract topology again (the global setup ran it once) changes nothing', async () => {
    const report = await provisionPubSub(pubsub, { emulator: true });
    expect(report.topicsCreated).toEqual([]);
    expect(report.subscriptionsCreated).toEqual([]);
    expect(report.subscriptionsUpdated).toEqual([]);
    expect(report.degraded).toEqual({});
    expect(report.unchanged).toHaveLength(Subscriptions.length * 2);
  });

  it('is idempotent through the CLI as well: `provision --json` against the running stack changes nothing', async () => {
    // A child process, as `docker compose` runs it; also the way to exercise the BigQuery half,
    // whose client library cannot make requests inside Jest's VM (see test/support.ts).
    const cli = join(__dirname, '..', 'dist', 'cli.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'provision', '--json'], { env: process.env });
    const report = JSON.parse(stdout) as ProvisionReport;
    expect(report.pubsub).toMatchObject({ topicsCreated: [], subscriptionsCreated: [], subscriptionsUpdated: [], degraded: {} });
    expect(report.bigquery).toEqual({ datasetCreated: false, tablesCreated: [], tablesExtended: [], unchanged: loadTableDefinitions().map((table) => table.tableReference.tableId).sort() });
  });

  it('wires every contract subscription to its dead-letter topic, with retry, ack deadline and ce-type filter', async () => {
    const [topics] = await pubsub.getTopics();
    const topicNames = new Set(topics.map((topic) => topic.name));
    for (const topic of Object.values(Topics)) expect(topicNames).toContain(topicPath(topic));

    for (const spec of Subscriptions) {
      expect(topicNames).toContain(topicPath(deadLetterTopicOf(spec.name)));
      const [metadata] = await pubsub.subscription(spec.name).getMetadata();
      expect(metadata.topic).toBe(topicPath(spec.topic));
      expect(metadata.ackDeadlineSeconds).toBe(Math.min(spec.ackDeadlineSeconds, EMULATOR_MAX_ACK_DEADLINE_SECONDS));
      expect(metadata.deadLetterPolicy).toEqual({
        deadLetterTopic: topicPath(deadLetterTopicOf(spec.name)),
        maxDeliveryAttempts: spec.maxDeliveryAttempts,
      });
      expect(Number(metadata.retryPolicy?.minimumBackoff?.seconds)).toBe(RetryBackoff.minimumSeconds);
      expect(Number(metadata.retryPolicy?.maximumBackoff?.seconds)).toBe(RetryBackoff.maximumSeconds);
      expect(metadata.filter ?? '').toBe(spec.eventTypes ? ceTypeFilter(spec.eventTypes) : '');

      const [inspection] = await pubsub.subscription(deadLetterInspectionOf(spec.name)).getMetadata();
      expect(inspection.topic).toBe(topicPath(deadLetterTopicOf(spec.name)));
      expect(inspection.deadLetterPolicy ?? null).toBeNull();
    }
  });

  describe('on a topology of its own', () => {
    const topic = uniqueName('itest-topic');
    const name = uniqueName('itest.consume-on-thing');
    const topology: Topology = {
      topics: [topic],
      subscriptions: [{ name, topic, eventTypes: [EventTypes.caseOpened], ackDeadlineSeconds: 10, maxDeliveryAttempts: 5 }],
    };

    afterAll(async () => {
      for (const subscription of [name, deadLetterInspectionOf(name)]) await pubsub.subscription(subscription).delete();
      for (const t of [topic, deadLetterTopicOf(name)]) await pubsub.topic(t).delete();
    });

    it('creates on the first run, changes nothing on the second, and repairs drift on the third', async () => {
      const first = await provisionPubSub(pubsub, { topology, emulator: true });
      expect(first.topicsCreated.sort()).toEqual([topic, deadLetterTopicOf(name)].sort());
      expect(first.subscriptionsCreated).toEqual([deadLetterInspectionOf(name), name]);
      expect(first.degraded).toEqual({});

      const second = await provisionPubSub(pubsub, { topology, emulator: true });
      expect(second).toEqual({ topicsCreated: [], subscriptionsCreated: [], subscriptionsUpdated: [], unchanged: [deadLetterInspectionOf(name), name], degraded: {} });

      await pubsub.subscription(name).setMetadata({ ackDeadlineSeconds: 42, deadLetterPolicy: null });
      const third = await provisionPubSub(pubsub, { topology, emulator: true });
      expect(third.subscriptionsUpdated).toEqual([name]);
      const [repaired] = await pubsub.subscription(name).getMetadata();
      expect(repaired.ackDeadlineSeconds).toBe(10);
      expect(repaired.deadLetterPolicy?.deadLetterTopic).toBe(topicPath(deadLetterTopicOf(name)));
    });

    it('dead-letters a message nobody acks after maxDeliveryAttempts, onto the inspection subscription', async () => {
      const marker = uniqueName('poison');
      const nacking = pubsub.subscription(name);
      let deliveries = 0;
      // A stream error after the test closed it must not crash the run (an unhandled 'error' event).
      nacking.on('error', () => undefined);
      nacking.on('message', (message) => {
        deliveries += 1;
        message.nack();
      });
      const deadLettered = receive(pubsub.subscription(deadLetterInspectionOf(name)), (message) => message.attributes.marker === marker, {
        timeoutMs: 60_000,
      });
      await pubsub.topic(topic).publishMessage({ data: Buffer.from('{}'), attributes: { marker, 'ce-type': EventTypes.caseOpened } });
      const message = await deadLettered;
      await nacking.close();

      expect(deliveries).toBeGreaterThanOrEqual(5);
      expect(message.attributes.CloudPubSubDeadLetterSourceSubscription).toBe(name);
      expect(message.attributes.CloudPubSubDeadLetterSourceDeliveryCount).toBe('5');
    });
  });
});
