/**
 * `node --cpu-prof` for processes the bench does not spawn itself with flags (`--cpu-prof` is not
 * allowed in NODE_OPTIONS; `--require` is): NODE_OPTIONS="--require bench/dist/cpu-profile.js" with
 * BENCH_CPU_PROFILE_DIR set starts the V8 profiler at once and writes `<pid>.cpuprofile` on exit
 * (open it in Chrome DevTools or speedscope).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // An in-thread inspector session answers synchronously, so this runs before the process is gone.
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
