import type { ArbiterEvent } from '@arbiter/contract';

/** Publishes validated CloudEvents to the topic their type belongs to. */
export interface EventPublisher {
  publish(event: ArbiterEvent): Promise<void>;
}

/** The time, as a port: use cases and tests decide what "now" is. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
