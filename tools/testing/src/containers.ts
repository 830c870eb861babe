import { DefaultProjectId } from '@arbiter/contract';
import type { StartedTestContainer } from 'testcontainers';
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import { startBigQueryShield, hostPort, freePort, type StackEndpoints } from '@arbiter/local-stack';

/** The emulator images for the Docker path (the same the repo's docker-compose.yml uses). */
export const Images = {
  gcloud: 'gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators',
  bigquery: 'ghcr.io/goccy/bigquery-emulator:0.6.6',
} as const;

/** True when a Docker engine answers (`docker info` exits 0 within 10 s). */
export const dockerEngineAnswers = (): Promise<boolean> =>
  new Promise((resolve) => {
    execFile('docker', ['info'], { timeout: 10_000 }, (error) => resolve(error === null));
  });

export interface ContainerStack {
  endpoints: StackEndpoints;
  stop(): Promise<void>;
}

/** Starts the three emulators with testcontainers; the caller checks the endpoints are on loopback. */
export const startContainerStack = async (projectId: string = DefaultProjectId): Promise<ContainerStack> => {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started: StartedTestContainer[] = [];
  let shield: Server | undefined;
  const stop = async (): Promise<void> => {
    shield?.closeAllConnections();
    await new Promise<void>((resolve) => (shield === undefined ? resolve() : shield.close(() => resolve())));
    await Promise.all(started.map((container) => container.stop()));
  };
  try {
    const [pubsub, firestore, bigquery] = await Promise.all([
      new GenericContainer(Images.gcloud)
        .withCommand(['gcloud', 'beta', 'emulators', 'pubsub', 'start', '--host-port=0.0.0.0:8085', `--project=${projectId}`])
        .withExposedPorts(8085)
        .withWaitStrategy(Wait.forHttp('/', 8085))
        .withStartupTimeout(120_000)
        .start()
        .then((container) => (started.push(container), container)),
      new GenericContainer(Images.gcloud)
        .withCommand(['gcloud', 'emulators', 'firestore', 'start', '--host-port=0.0.0.0:8086'])
        .withExposedPorts(8086)
        .withWaitStrategy(Wait.forHttp('/', 8086))
        .withStartupTimeout(120_000)
        .start()
        .then((container) => (started.push(container), container)),
      new GenericContainer(Images.bigquery)
        .withPlatform('linux/amd64')
        .withCommand([`--project=${projectId}`, '--port=9050', '--grpc-port=9060'])
        .withExposedPorts(9050, 9060)
        .withWaitStrategy(Wait.forHttp(`/bigquery/v2/projects/${projectId}/datasets`, 9050))
        .withStartupTimeout(120_000)
        .start()
        .then((container) => (started.push(container), container)),
    ]);
    // The same request shield the process stack has (bigquery-shield.ts), here in this process.
    const shieldPort = await freePort('127.0.0.1');
    shield = await startBigQueryShield({
      host: '127.0.0.1',
      port: shieldPort,
      upstreamHost: bigquery.getHost(),
      upstreamPort: bigquery.getMappedPort(9050),
      onWedged: (detail) => process.stderr.write(`[bigquery-shield] the emulator lost its database connection anyway: ${detail}\n`),
    });
    return {
      endpoints: {
        projectId,
        pubsubEmulatorHost: hostPort({ host: pubsub.getHost(), port: pubsub.getMappedPort(8085) }),
        firestoreEmulatorHost: hostPort({ host: firestore.getHost(), port: firestore.getMappedPort(8086) }),
        bigqueryEmulatorHost: `http://${hostPort({ host: '127.0.0.1', port: shieldPort })}`,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
