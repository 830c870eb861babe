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

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(to: Date): void {
    this.current = new Date(to.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** The in-memory twin of a publisher, for unit tests of use cases. */
export class InMemoryEventPublisher implements EventPublisher {
  readonly published: ArbiterEvent[] = [];
  async publish(event: ArbiterEvent): Promise<void> {
    this.published.push(event);
  }
  ofType(type: string): ArbiterEvent[] {
    return this.published.filter((event) => event.type === type);
  }
}
