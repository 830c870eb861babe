/**
 * Integration-test helpers, shared by every service's tests: see tools/testing/src/observe.ts. The
 * Jest global setup has started the emulators and set PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST /
 * ARBITER_PROJECT_ID.
 */
import { testPubSub } from '@arbiter/testing';

export { provisionPubSub } from '@arbiter/local-stack';
export { bySubjectAndType, Observer, publishEvent, publishRaw, sleep, testPubSub, waitUntil, testProjectId as projectId, type Received } from '@arbiter/testing';
export type PubSubClient = ReturnType<typeof testPubSub>;
