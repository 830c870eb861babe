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

/** Where `pnpm start` writes the endpoints of the running stack. */
export const stackFile = (root: string = repoRoot()): string => join(root, '.arbiter', 'stack.json');
