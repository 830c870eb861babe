export { buildSlaEscalatorApp, type SlaEscalatorApp, type SlaEscalatorDeps } from './app';
export { readSlaEscalatorConfig, DEFAULT_PORT, SERVICE, type SlaEscalatorConfig, type TickAuth } from './config';
export type { DueTimer, EscalationItems, PendingSteps, TimerPage, TimerWheel } from './ports';
export { FirestoreTimerWheel } from './timer-wheel.firestore';
export { FirestoreEscalationItems } from './escalation-items.firestore';
export { FirestorePendingSteps } from './pending-steps.firestore';
export { createSlaTick, escalationEventId, releaseEventId, CURSOR_LOOKBACK_BUCKETS, MAX_BUCKETS_PER_TICK, SWEEP_BUCKETS, type TickReport } from './sla-tick';
export { authorizeTick, TICK_SECRET_HEADER } from './tick-auth';
