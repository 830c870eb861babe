/**
 * What the global setup started, for the global teardown. Jest runs both in its parent process, so a
 * global slot is the documented way to hand it over.
 */
export interface RunningStack {
  kind: 'env' | 'containers' | 'processes';
  stop(): Promise<void>;
}

const slot = Symbol.for('arbiter.infra.test-stack');
type Holder = { [slot]?: RunningStack };

export const setRunningStack = (stack: RunningStack): void => {
  (globalThis as Holder)[slot] = stack;
};

export const takeRunningStack = (): RunningStack | undefined => {
  const holder = globalThis as Holder;
  const stack = holder[slot];
  delete holder[slot];
  return stack;
};
