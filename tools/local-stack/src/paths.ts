import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace root: the nearest directory above this file holding pnpm-workspace.yaml (works from src/ and dist/). */
export const repoRoot = (from: string = __dirname): string => {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
};

export const arbiterDir = (root: string = repoRoot()): string => join(root, '.arbiter');
export const defaultLogDir = (root: string = repoRoot()): string => join(arbiterDir(root), 'logs');
export const stackFile = (root: string = repoRoot()): string => join(arbiterDir(root), 'stack.json');
/** The local identity key `pnpm start` gives review-queue, for tools that sign reviewer tokens (`demo --reviewers`). */
export const localIdentityKeyFile = (root: string = repoRoot()): string => join(arbiterDir(root), 'local-identity-key.json');
export const bigQuerySchemaDir = (root: string = repoRoot()): string => join(root, 'schemas', 'bigquery');
export const installScript = (root: string = repoRoot()): string => join(root, 'scripts', 'install-bigquery-emulator.sh');
