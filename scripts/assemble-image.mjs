#!/usr/bin/env node
// What a service's container image holds, assembled into a folder: the Dockerfiles run this in their
// build stage and copy the result into the runtime stage; the image-contents test runs the same to
// prove an image would start. Needs an installed and built workspace (pnpm install && pnpm build).
//
//   node scripts/assemble-image.mjs <service> <dest>
//
// <dest> is laid out like the repository, so a service finds what it reads beside its code as it
// does in a checkout (its main.js resolves the repository root as dist/../../..):
//   services/<service>/       `pnpm deploy --prod`: dist/ and node_modules with production deps only
//   policies/                 the shipped policies (ARBITER_POLICIES_DIR may point elsewhere)
//   schemas/bigquery/views/   audit-exporter only: the views it creates at start-up
//   packages/console/dist/    review-queue only: the built reviewer console it serves at /
// Sources, tests and TypeScript build files are left out.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ImageServices = ['confidence-assessor', 'router', 'review-queue', 'sla-escalator', 'audit-exporter'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders of the repository, beside the service, that an image needs (by service). */
const extras = {
  'audit-exporter': ['schemas/bigquery/views'],
  'review-queue': ['packages/console/dist'],
};

const fail = (message) => {
  process.stderr.write(`assemble-image: ${message}\n`);
  process.exit(1);
};

/** Removes what only building and testing need from a package folder. */
const prune = (dir) => {
  for (const name of ['src', 'test', 'tsconfig.json', 'scripts', 'web', 'vite.config.ts']) rmSync(join(dir, name), { recursive: true, force: true });
  rmSync(join(dir, 'dist', '.tsbuildinfo'), { force: true });
};

export function assemble(service, dest) {
  if (!ImageServices.includes(service)) fail(`unknown service "${service}" (one of ${ImageServices.join(', ')})`);
  const serviceDir = join(dest, 'services', service);
  if (!existsSync(join(root, 'services', service, 'dist', 'main.js'))) fail(`services/${service}/dist/main.js is missing: run pnpm build first`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dirname(serviceDir), { recursive: true });
  const deployed = spawnSync('pnpm', ['--filter', `@arbiter/${service}`, 'deploy', '--prod', serviceDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (deployed.status !== 0) fail(`pnpm deploy of ${service} failed (exit ${deployed.status}):\n${deployed.stdout}\n${deployed.stderr}`);
  prune(serviceDir);
  const workspacePackages = join(serviceDir, 'node_modules', '.pnpm');
  for (const entry of readdirSync(workspacePackages).filter((name) => name.startsWith('@arbiter+'))) {
    const scoped = join(workspacePackages, entry, 'node_modules', '@arbiter');
    for (const name of readdirSync(scoped)) prune(join(scoped, name));
  }
  cpSync(join(root, 'policies'), join(dest, 'policies'), { recursive: true });
  for (const folder of extras[service] ?? []) {
    if (!existsSync(join(root, folder))) fail(`${folder} is missing: run pnpm build first`);
    cpSync(join(root, folder), join(dest, folder), { recursive: true });
  }
  return dest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [service, dest] = process.argv.slice(2);
  if (!service || !dest) fail('usage: node scripts/assemble-image.mjs <service> <dest>');
  assemble(service, resolve(dest));
  process.stdout.write(`assembled ${service} in ${resolve(dest)}\n`);
}
