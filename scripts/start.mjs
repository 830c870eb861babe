#!/usr/bin/env node
// `pnpm start`: installs and builds what is missing, then runs Arbiter in the foreground: the three
// emulators (provisioned), and the services. Ctrl-C stops everything it started, and nothing else.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const prepare = (title, command, args) => {
  process.stdout.write(`▶ ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`✖ ${title} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
};

prepare('dependencies', 'pnpm', ['install', '--frozen-lockfile', '--reporter=silent']);
prepare('BigQuery emulator', 'bash', ['scripts/install-bigquery-emulator.sh']);
prepare('build', 'pnpm', ['run', 'build']);

// Hand over to the stack runner (tools/local-stack): it owns the processes and stops them on a signal. Ctrl-C
// reaches the whole foreground group; a SIGTERM sent to this wrapper alone is forwarded.
const runner = spawn('node', [join(root, 'tools', 'local-stack', 'dist', 'cli.js'), 'up', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => runner.kill(signal));
runner.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
