import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { hostPort, parseEndpoint } from './loopback';

/** Where the three emulators answer, in the form of the standard variables. */
export interface StackEndpoints {
  projectId: string;
  /** `host:port` (PUBSUB_EMULATOR_HOST). */
  pubsubEmulatorHost: string;
  /** `host:port` (FIRESTORE_EMULATOR_HOST). */
  firestoreEmulatorHost: string;
  /** `http://host:port` (BIGQUERY_EMULATOR_HOST: the BigQuery clients use it as a base URL, scheme included). */
  bigqueryEmulatorHost: string;
}

/** The environment a process needs to reach the stack (what `startStack` and the Jest setup export). */
export const stackEnv = (endpoints: StackEndpoints): Record<string, string> => ({
  PUBSUB_EMULATOR_HOST: endpoints.pubsubEmulatorHost,
  FIRESTORE_EMULATOR_HOST: endpoints.firestoreEmulatorHost,
  BIGQUERY_EMULATOR_HOST: endpoints.bigqueryEmulatorHost,
  GCLOUD_PROJECT: endpoints.projectId,
  GOOGLE_CLOUD_PROJECT: endpoints.projectId,
  ARBITER_PROJECT_ID: endpoints.projectId,
});

/** Normalises `host:port` or a URL to `http://host:port`. */
export const bigQueryBaseUrl = (value: string): string => `http://${hostPort(parseEndpoint(value))}`;

export const pubSubClient = (projectId: string, emulatorHost: string): PubSub =>
  new PubSub({ projectId, apiEndpoint: hostPort(parseEndpoint(emulatorHost)), emulatorMode: true });

export const bigQueryClient = (projectId: string, emulatorHost: string): BigQuery =>
  new BigQuery({ projectId, apiEndpoint: bigQueryBaseUrl(emulatorHost) });
