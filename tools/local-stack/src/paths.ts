import { join } from 'node:path';
import { arbiterDir, repoRoot, stackFile } from '@arbiter/platform';

export { arbiterDir, repoRoot, stackFile };

export const defaultLogDir = (root: string = repoRoot()): string => join(arbiterDir(root), 'logs');
/** The local identity key `pnpm start` gives review-queue, for tools that sign reviewer tokens (`demo --reviewers`). */
export const localIdentityKeyFile = (root: string = repoRoot()): string => join(arbiterDir(root), 'local-identity-key.json');
export const bigQuerySchemaDir = (root: string = repoRoot()): string => join(root, 'schemas', 'bigquery');
export const installScript = (root: string = repoRoot()): string => join(root, 'scripts', 'install-bigquery-emulator.sh');
