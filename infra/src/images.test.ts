/**
 * The container images and docker-compose.yml, checked without a Docker engine (none here): each
 * service has a multi-stage Dockerfile that assembles its image with scripts/assemble-image.mjs — the
 * step tests/e2e/images.e2e.test.ts runs and starts Arbiter from — and runs `node dist/main.js` as a
 * non-root user; the compose file runs the emulators, provisioning and the five services from those
 * Dockerfiles. Whether Docker builds and runs them can only be seen where Docker is.
 */
import { ServiceNames as ContractServiceNames, Subscriptions } from '@arbiter/contract';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot, DefaultServicePorts, ServiceNames } from '@arbiter/local-stack';

const root = repoRoot();
const dockerfileOf = (service: string): string => readFileSync(join(root, 'services', service, 'Dockerfile'), 'utf8');
/** Dockerfile instructions, comments and line continuations aside. */
const instructions = (text: string): string[] =>
  text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

describe('Dockerfiles', () => {
  it('exist for exactly the five services', () => {
    expect([...ServiceNames].sort()).toEqual([...ContractServiceNames].sort());
    for (const service of ServiceNames) expect(`${service}: ${existsSync(join(root, 'services', service, 'Dockerfile'))}`).toBe(`${service}: true`);
  });

  it.each(ServiceNames)('%s: builds in one stage, assembles with the tested script, runs node dist/main.js as a non-root user', (service) => {
    const lines = instructions(dockerfileOf(service));
    const froms = lines.filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM build AS assemble', 'FROM ${NODE_IMAGE}']);
    const runtime = lines.slice(lines.indexOf('FROM ${NODE_IMAGE}'));
    expect(lines).toContain(`RUN node scripts/assemble-image.mjs ${service} /image`);
    // The runtime stage copies the assembled folder only: no sources, no dev dependencies, no pnpm.
    expect(runtime.filter((line) => /^(COPY|ADD|RUN)\b/.test(line))).toEqual(['COPY --from=assemble /image /app']);
    expect(runtime).toContain(`WORKDIR /app/services/${service}`);
    expect(runtime).toContain('USER node');
    expect(runtime[runtime.length - 1]).toBe('CMD ["node", "dist/main.js"]');
    // PORT comes from the environment (Cloud Run sets it); HOST listens beyond loopback in a container.
    expect(runtime).toContain('ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080');
    expect(lines.some((line) => /pnpm install --offline --frozen-lockfile/.test(line))).toBe(true);
  });

  it('share their build stage word for word, so Docker builds it once for the five', () => {
    const buildStage = (service: string): string => {
      const lines = instructions(dockerfileOf(service));
      return lines.slice(0, lines.indexOf('FROM build AS assemble')).join('\n');
    };
    for (const service of ServiceNames) expect(buildStage(service)).toBe(buildStage('router'));
  });

  it('build from a context without installed, built or local files', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    for (const entry of ['**/node_modules', '**/dist', '.git', '.arbiter', '.env']) expect(ignored).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  interface ComposeService {
    image?: string;
    build?: { context: string; dockerfile: string; target?: string };
    environment?: Record<string, string>;
    ports?: string[];
    depends_on?: Record<string, { condition: string }>;
  }
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };

  it('runs the emulators, provisioning and the five services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['bigquery', 'firestore', 'provision', 'pubsub', ...ServiceNames].sort());
  });

  it.each(ServiceNames)('%s: built from its Dockerfile, on the emulators by service name, after provisioning, on loopback only', (service) => {
    const spec = compose.services[service] as ComposeService;
    expect(spec.build).toEqual({ context: '.', dockerfile: `services/${service}/Dockerfile` });
    expect(spec.depends_on).toEqual({ provision: { condition: 'service_completed_successfully' } });
    const port = String(DefaultServicePorts[service]);
    expect(spec.environment).toMatchObject({ PORT: port, HOST: '0.0.0.0', ARBITER_ENV: 'local', PUBSUB_EMULATOR_HOST: 'pubsub:8085', FIRESTORE_EMULATOR_HOST: 'firestore:8086', BIGQUERY_EMULATOR_HOST: 'http://bigquery:9050' });
    expect(spec.ports).toEqual([`127.0.0.1:${port}:${port}`]);
  });

  it('provisions with the workspace’s own command from the shared build stage', () => {
    const provision = compose.services.provision as ComposeService & { command: string[] };
    expect(provision.build).toEqual({ context: '.', dockerfile: 'services/router/Dockerfile', target: 'build' });
    expect(provision.command.join(' ')).toContain('node tools/local-stack/dist/cli.js provision --allow-non-loopback');
  });

  it('publishes every port on loopback only', () => {
    for (const [name, spec] of Object.entries(compose.services)) for (const port of spec.ports ?? []) expect(`${name} ${port}`).toMatch(/ 127\.0\.0\.1:\d+:\d+$/);
  });

  it('gives every service with subscriptions a Pub/Sub emulator to pull from', () => {
    for (const service of new Set(Subscriptions.map((s) => s.service))) expect(compose.services[service]?.environment?.ARBITER_DELIVERY).toBe('pull');
  });
});
