/**
 * `node bench/dist/tracing-overhead.js [--events N] [--rounds N]`: the CPU tracing adds per 1,000
 * events, with no emulator. Each round runs two child processes, tracing off (no endpoint) and on
 * (OTLP/HTTP protobuf to a receiver in a third process, which accepts and discards), that push N events
 * through what every service does per event: decode and validate a delivery (`processDelivery`),
 * handle it in its consumer span, log a line, produce an event (`producedEvent`) and publish it (a
 * producer span; the Pub/Sub client is replaced by one that returns at once). It prints the CPU
 * (user + system) per 1,000 events of each, the difference, and the median over the rounds.
 * Firestore, Pub/Sub and the handlers' own work are not in it: the difference is tracing's share.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { PubSub } from '@google-cloud/pubsub';
import { producedEvent } from '@arbiter/case-store';
import { createEvent, EventTypes, toPubSubMessage } from '@arbiter/contract';
import { createLogger, DeliveryCounters, processDelivery, PubSubEventPublisher, readConfig, readTelemetryConfig, shutdownTracing, startTracing, type DeliveryDeps } from '@arbiter/platform';

const argument = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

async function child(events: number): Promise<void> {
  const config = readConfig(process.env, (read) => readTelemetryConfig(read));
  if (!config.ok) throw new Error(config.errors.join('; '));
  startTracing({ service: 'tracing-overhead', projectId: 'bench', config: config.value });
  const logger = createLogger({ service: 'tracing-overhead', level: 'info', destination: new Writable({ write: (_chunk, _enc, done) => done() }) });
  const pubsub = { topic: () => ({ publishMessage: async () => 'id', flush: async () => undefined }) } as unknown as PubSub;
  const publisher = new PubSubEventPublisher(pubsub);
  const claimed = createEvent({
    type: EventTypes.caseClaimed,
    source: '//bench/upstream',
    subject: 'case-1',
    data: { caseId: 'case-1', useCase: 'vehicle-cleanliness', queue: 'q', claimedBy: { id: 'r-1', role: 'reviewer' }, leaseUntil: '2026-11-21T12:10:00.000Z', claimedAt: '2026-11-21T12:00:00.000Z' },
    extensions: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  });
  if (!claimed.ok) throw new Error(claimed.error.message);
  const message = toPubSubMessage(claimed.value);
  const data = claimed.value.data;
  const deps: DeliveryDeps = {
    subscription: 'audit-exporter.record-case-events',
    logger,
    deadLetters: { publishTo: async () => undefined },
    maxDeliveryAttempts: 5,
    counters: new DeliveryCounters('audit-exporter.record-case-events'),
    handler: async (event, context) => {
      context.logger.info({ caseId: event.subject }, 'handled');
      await publisher.publish(producedEvent(EventTypes.caseClaimed, '//bench/service', data, { id: `${event.id}-out`, subject: 'case-1' }));
    },
  };
  // Warm up (JIT, lazy requires), then measure.
  for (let i = 0; i < 500; i += 1) await processDelivery({ ...message, messageId: `w${i}`, deliveryAttempt: 1 }, deps);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < events; i += 1) await processDelivery({ ...message, messageId: `m${i}`, deliveryAttempt: 1 }, deps);
  await shutdownTracing(); // exports what is still buffered: its CPU counts
  const used = process.cpuUsage(cpu);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${JSON.stringify({ cpuMsPer1000: ((used.user + used.system) / 1000 / events) * 1000, wallMs })}\n`);
}

function runChild(events: number, env: Record<string, string>): Promise<{ cpuMsPer1000: number; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [__filename, '--child', '--events', String(events)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as { cpuMsPer1000: number; wallMs: number }) : reject(new Error(`child exited with ${code}`))));
  });
}

/** An OTLP receiver in a process of its own (its CPU is not the measured process's). */
async function startReceiver(): Promise<{ endpoint: string; stop(): void; spans(): Promise<number> }> {
  const code = `
    let bytes = 0, requests = 0;
    const server = require('node:http').createServer((req, res) => { req.on('data', (c) => (bytes += c.length)); req.on('end', () => { if (req.url === '/count') { res.end(String(requests)); return; } requests += 1; res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); }); });
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => proc.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  const endpoint = `http://127.0.0.1:${port}`;
  return { endpoint, stop: () => proc.kill(), spans: async () => Number(await (await fetch(`${endpoint}/count`)).text()) };
}

async function main(): Promise<void> {
  const events = argument('events', 20_000);
  if (process.argv.includes('--child')) return child(events);
  const rounds = argument('rounds', 5);
  const receiver = await startReceiver();
  const off: number[] = [];
  const on: number[] = [];
  try {
    for (let round = 1; round <= rounds; round += 1) {
      const a = await runChild(events, { OTEL_EXPORTER_OTLP_ENDPOINT: '' });
      const b = await runChild(events, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
      off.push(a.cpuMsPer1000);
      on.push(b.cpuMsPer1000);
      process.stdout.write(`round ${round}: off ${a.cpuMsPer1000.toFixed(1)} ms CPU / 1000 events, on ${b.cpuMsPer1000.toFixed(1)} ms (+${(b.cpuMsPer1000 - a.cpuMsPer1000).toFixed(1)} ms)\n`);
    }
    const exportRequests = await receiver.spans();
    if (exportRequests === 0) throw new Error('the receiver got no export: tracing was not on');
    const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] as number;
    process.stdout.write(
      `median over ${rounds} rounds of ${events} events: off ${median(off).toFixed(1)} ms CPU per 1000 events, on ${median(on).toFixed(1)} ms, tracing adds ${(median(on) - median(off)).toFixed(1)} ms per 1000 events (${exportRequests} OTLP export requests received)\n`,
    );
  } finally {
    receiver.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
