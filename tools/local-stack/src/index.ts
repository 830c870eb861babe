export { startStack, type Stack, type StackOptions, type StackPorts } from './stack';
export {
  DefaultPorts,
  startBigQueryEmulator,
  startFirestoreEmulator,
  startPubSubEmulator,
  stopAllEmulators,
  killEmulatorsOnSignal,
  logTail,
  stopProcessGroup,
  type EmulatorHandle,
  type EmulatorName,
  type EmulatorOptions,
  type BigQueryEmulatorOptions,
} from './emulators';
export {
  RetryBackoff,
  ceTypeFilter,
  contractTopology,
  desiredSubscriptions,
  desiredTopics,
  loadTableDefinitions,
  provisionBigQuery,
  provisionPubSub,
  provisionStack,
  subscriptionDrift,
  type BigQueryProvisionReport,
  type DesiredSubscription,
  type ProvisionReport,
  type PubSubProvisionReport,
  type TableDefinition,
  type Topology,
  type TopologySubscription,
} from './provision';
export { bigQueryClient, bigQueryBaseUrl, pubSubClient, stackEnv, type StackEndpoints } from './clients';
export { assertLoopbackEndpoints, hostPort, isLoopbackHost, parseEndpoint } from './loopback';
export { startBigQueryShield, type ShieldOptions } from './bigquery-shield';
export { bigQuerySchemaDir, defaultLogDir, repoRoot } from './paths';
export { BigQueryEmulatorVersion, ensureBigQueryEmulator, locateBigQueryEmulator, requireBigQueryEmulator } from './bigquery-emulator-binary';
export { freePort, freePorts } from './ports';
export { startPushSigner, pushAuthEnvOf, LocalPushAudience, LocalPushServiceAccount, type PushSigner, type PushSignerOptions } from './push-signer';
export { startServices, terminate, ServiceNames, ServiceStartOrder, DefaultServicePorts, type Services, type RunningService, type ServiceName, type ServicesOptions } from './services';
export { runFaults, planFaults, type FaultRunOptions, type FaultRunResult } from './faults/run';
export { checkHistory, type History, type Verdict } from './faults/history';
export { pushEndpointOf, pushSubscriptionsTo, pullSubscriptions, pullSubscriptionsOnEmulator } from './push';
export { demoPredictions, publishDemo, DemoUseCases, DemoEvidenceBucket } from './demo';
export { demoGoldenSet } from './demo-golden';
export { simulateReviewers, type DemoReviewersOptions } from './demo-reviewers';
export { loadGoldenSet, type GoldenRecord } from '@arbiter/audit-exporter/learning-loop';
export { localIdentityEnv, newLocalIdentityKey, signInAsPersona, signReviewerToken } from './identity';
export { rescoreLoadedGoldenSet } from '@arbiter/audit-exporter/learning-loop';
