/** Jest global teardown: stops exactly what the global setup started (nothing when it reused `env`). */
import { takeRunningStack } from './state';

const globalTeardown = async (): Promise<void> => {
  const stack = takeRunningStack();
  if (stack !== undefined) await stack.stop();
};

export default globalTeardown;
