#!/usr/bin/env node
// `pnpm images`: builds the five service images with Docker (services/<service>/Dockerfile, from the
// repository root). The shared build stage is built once and reused by the other four.
//
//   pnpm images [--tag=T] [--registry=R] [--push] [service ...]
//
// Images are named <registry>/<service>:<tag> (default registry "arbiter", default tag the current
// commit's short SHA). With --push each is pushed after it is built, e.g. to Artifact Registry:
//   pnpm images --registry=europe-west1-docker.pkg.dev/<project>/arbiter --push
// On GCP, Cloud Build does the same from cloudbuild.yaml (docs/deploy.md).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageServices } from './assemble-image.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const push = args.includes('--push');
const unknown = args.filter((arg) => arg.startsWith('--') && !/^--(tag|registry)=./.test(arg) && arg !== '--push');
const services = args.filter((arg) => !arg.startsWith('--'));
const fail = (message) => {
  process.stderr.write(`pnpm images: ${message}\n`);
  process.exit(1);
};
if (unknown.length > 0) fail(`unknown option ${unknown.join(' ')} (use --tag=T, --registry=R, --push)`);
const bad = services.filter((service) => !ImageServices.includes(service));
if (bad.length > 0) fail(`unknown service ${bad.join(', ')} (one of ${ImageServices.join(', ')})`);

const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' });
if (docker.error || docker.status !== 0) fail(`no Docker engine answers (${docker.error?.message ?? docker.stderr.trim()}); build on a machine with Docker, or with Cloud Build (docs/deploy.md)`);

const tag = flag('tag') ?? spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
if (!tag) fail('no --tag given and no git commit to name the images after');
const registry = flag('registry') ?? 'arbiter';

for (const service of services.length > 0 ? services : ImageServices) {
  const image = `${registry}/${service}:${tag}`;
  const started = Date.now();
  process.stdout.write(`▶ ${image}\n`);
  const built = spawnSync('docker', ['build', '-f', `services/${service}/Dockerfile`, '-t', image, '.'], { cwd: root, stdio: 'inherit', env: { ...process.env, DOCKER_BUILDKIT: '1' } });
  if (built.status !== 0) fail(`building ${image} failed`);
  if (push && spawnSync('docker', ['push', image], { stdio: 'inherit' }).status !== 0) fail(`pushing ${image} failed`);
  process.stdout.write(`✔ ${image} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
}
