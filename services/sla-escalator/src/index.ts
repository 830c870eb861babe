export { buildSlaEscalatorApp, type SlaEscalatorApp, type SlaEscalatorDeps } from './app';
export { readSlaEscalatorConfig, DEFAULT_PORT, EVENT_SOURCE, type SlaEscalatorConfig, type TickAuth } from './config';
export { FirestoreTimerWheel, CURSOR_LOOKBACK_BUCKETS, MAX_BUCKETS_PER_TICK, SWEEP_BUCKETS, type DueTimer, type TimerPage, type TimerWheel } from './timer-wheel.firestore';
export { createSlaTick, escalationEventId, releaseEventId, type TickReport } from './sla-tick';
export { authorizeTick, TICK_SECRET_HEADER } from './tick-auth';
