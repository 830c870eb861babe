export { buildSlaEscalatorApp, type SlaEscalatorApp, type SlaEscalatorDeps } from './app';
export { readSlaEscalatorConfig, DEFAULT_PORT, EVENT_SOURCE, type SlaEscalatorConfig, type TickAuth } from './config';
export { FirestoreDueQueueItems, type DueQueueItems, type ItemPage } from './queue-items.firestore';
export { createSlaTick, escalationEventId, releaseEventId, type TickReport } from './sla-tick';
export { authorizeTick, TICK_SECRET_HEADER } from './tick-auth';
