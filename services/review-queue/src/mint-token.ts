/**
 * `pnpm mint-token --sub reviewer-17 --roles reviewer,cleanliness-reviewer [--queues cleanliness-review] [--ttl 8h]`
 *
 * Mints a reviewer token signed with the service's secret (ARBITER_AUTH_SECRET, or the documented
 * local default when ARBITER_ENV=local) and prints it. Local use only: production tokens come from
 * the identity provider.
 */
import { readConfig } from '@arbiter/platform';
import { PLATFORM_ROLES, mintToken, parseTtl } from './auth';
import { describeReviewQueueConfig } from './config';

const usage = `usage: pnpm mint-token --sub <reviewer id> --roles <role,role,…> [--queues <queue,…>] [--ttl 8h]
  roles: ${PLATFORM_ROLES.join(', ')}, plus queue roles from the policies (e.g. cleanliness-reviewer)`;

function args(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') continue;
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    out[m[1] as string] = value;
  }
  return out;
}

async function run(): Promise<void> {
  const given = args(process.argv.slice(2));
  const unknown = Object.keys(given).filter((k) => !['sub', 'roles', 'queues', 'ttl'].includes(k));
  if (unknown.length || !given.sub || !given.roles) throw new Error(unknown.length ? `unknown option --${unknown[0]}` : '--sub and --roles are required');
  const ttlSeconds = parseTtl(given.ttl ?? '8h');
  if (!ttlSeconds) throw new Error(`--ttl must be like 8h, 30m, 3600s, 1d or PT8H (got ${given.ttl})`);
  const config = readConfig(process.env, describeReviewQueueConfig);
  if (!config.ok) throw new Error(config.errors.join('; '));
  const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
  const roles = list(given.roles);
  if (!roles.some((r) => (PLATFORM_ROLES as readonly string[]).includes(r))) throw new Error(`--roles must include one of ${PLATFORM_ROLES.join(', ')}`);
  const token = await mintToken({ sub: given.sub, roles, ...(given.queues ? { queues: list(given.queues) } : {}), ttlSeconds }, config.value.authSecret);
  process.stdout.write(`${token}\n`);
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(64);
});
