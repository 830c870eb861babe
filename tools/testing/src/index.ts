export { Observer, bySubjectAndType, publishEvent, publishRaw, sleep, testProjectId, testPubSub, waitUntil, type Received } from './observe';
export { policiesForRun, provisionRunProject, reviewerApi, startArbiterForTest, testEndpoints, type RunPolicies } from './arbiter-harness';
export { bigQueryRest, uniqueName } from './bigquery-rest';
