import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { installScript, repoRoot } from './paths';

/** The pinned goccy/bigquery-emulator version (scripts/install-bigquery-emulator.sh has the same default). */
export const BigQueryEmulatorVersion = 'v0.6.6';

const run = promisify(execFile);

export interface BigQueryEmulatorBinary {
  path: string;
  installed: boolean;
}

/**
 * Where the emulator binary lives: `ARBITER_BIGQUERY_EMULATOR_BIN` if set, else where the install
 * script puts it (`$(go env GOPATH)/bin/bigquery-emulator-<version>`).
 */
export const locateBigQueryEmulator = async (root: string = repoRoot()): Promise<BigQueryEmulatorBinary> => {
  const override = process.env.ARBITER_BIGQUERY_EMULATOR_BIN;
  if (override) return { path: override, installed: existsSync(override) };
  const { stdout } = await run('bash', [installScript(root), '--print'], {
    env: { ...process.env, BIGQUERY_EMULATOR_VERSION: BigQueryEmulatorVersion },
  });
  const path = stdout.trim();
  // The install script names the binary after its version (`bigquery-emulator-<version>`).
  const installed = existsSync(path);
  return { path, installed };
};

/**
 * Returns the binary, installing it first when it is missing or at another version. The install
 * script's output goes to stderr, with a progress line every 20 s: the first build takes minutes
 * (measured figures in infra/EMULATOR-NOTES.md).
 */
export const ensureBigQueryEmulator = async (root: string = repoRoot()): Promise<string> => {
  const found = await locateBigQueryEmulator(root);
  if (found.installed) return found.path;
  if (process.env.ARBITER_BIGQUERY_EMULATOR_BIN) {
    throw new Error(`ARBITER_BIGQUERY_EMULATOR_BIN=${found.path} does not exist`);
  }
  process.stderr.write(
    `[arbiter] The BigQuery emulator ${BigQueryEmulatorVersion} is not installed; building it now. ` +
      'The first build takes several minutes; progress follows. Later runs reuse it.\n',
  );
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [installScript(root)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BIGQUERY_EMULATOR_VERSION: BigQueryEmulatorVersion },
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`scripts/install-bigquery-emulator.sh failed with code ${String(code)}`)),
    );
  });
  const after = await locateBigQueryEmulator(root);
  if (!after.installed) throw new Error(`The install script finished but ${after.path} is not the pinned version`);
  return after.path;
};

/** Returns the installed binary, or throws how to install it. */
export const requireBigQueryEmulator = async (root: string = repoRoot()): Promise<string> => {
  const found = await locateBigQueryEmulator(root);
  if (!found.installed) {
    throw new Error(`The BigQuery emulator ${BigQueryEmulatorVersion} is not installed at ${found.path}: run scripts/install-bigquery-emulator.sh`);
  }
  return found.path;
};
