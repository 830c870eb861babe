import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the workspace's files are, for the commands run from a checkout (the local stack, the
 * learning-loop commands, the bench): the nearest directory above `from` holding
 * pnpm-workspace.yaml (works from src/ and dist/). The services' images do not use it.
 */
export const repoRoot = (from: string = __dirname): string => {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
};

/** The local stack's own directory (logs, keys, the endpoints file), `.arbiter/` in the workspace. */
export const arbiterDir = (root: string = repoRoot()): string => join(root, '.arbiter');

/** Where `pnpm start` writes the endpoints of the running local stack, for the commands that use it. */
export const stackFile = (root: string = repoRoot()): string => join(arbiterDir(root), 'stack.json');
