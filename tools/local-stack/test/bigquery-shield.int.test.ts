import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { requireBigQueryEmulator } from '../src/bigquery-emulator-binary';
import { logTail, startBigQueryEmulator, stopProcessGroup, type EmulatorHandle } from '../src/emulators';
import { defaultLogDir } from '../src/paths';
import { freePorts } from '../src/ports';

// Two emulators of our own start here (a few seconds each) and each runs a query of about a second.
jest.setTimeout(120_000);

const projectId = 'shield-test';
const logDir = join(defaultLogDir(), 'jest', 'bigquery-shield');

const call = async (base: string, method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; text: string }> => {
  const response = await fetch(`${base}/bigquery/v2/projects/${projectId}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { status: response.status, text: await response.text() };
};

const mustCall = async (base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> => {
  const { status, text } = await call(base, method, path, body);
  if (status !== 200) throw new Error(`${method} ${path}: HTTP ${status}: ${text}`);
  return text;
};

/**
 * A query the emulator needs about a second for: 600 rows joined with themselves. Each try asks a
 * different one (`offset`): the emulator answers a query it has just run at once.
 */
const slowQuery = (offset: number) => ({ query: `SELECT COUNT(*) AS n FROM hang_up.rows_600 x CROSS JOIN hang_up.rows_600 y WHERE x.a < y.a + ${String(offset)}`, useLegacySql: false });

/** When the client hangs up, one try after another: later each time, so one lands while the query runs even on a loaded machine. */
const HANG_UP_AFTER_MS = [150, 300, 500, 700] as const;

/** A dataset with 600 rows for `slowQuery` to join. */
const seed = async (base: string): Promise<void> => {
  await mustCall(base, 'POST', '/datasets', { datasetReference: { projectId, datasetId: 'hang_up' } });
  await mustCall(base, 'POST', '/datasets/hang_up/tables', {
    tableReference: { projectId, datasetId: 'hang_up', tableId: 'rows_600' },
    schema: { fields: [{ name: 'a', type: 'INT64' }, { name: 'b', type: 'STRING' }] },
  });
  const rows = Array.from({ length: 600 }, (_, a) => ({ json: { a, b: 'x'.repeat(50) } }));
  await mustCall(base, 'POST', '/datasets/hang_up/tables/rows_600/insertAll', { rows });
};

/**
 * What a client that hangs up in the middle of a query does to the emulator at `base`: the answer to a
 * plain `SELECT 1` sent right after. The hang-up must come while the query runs: a query the emulator
 * answered before the client gave up does not count, and the test fails on it.
 */
const hangUpThenAsk = async (base: string, afterMs: number): Promise<{ status: number; text: string }> => {
  await expect(call(base, 'POST', '/queries', slowQuery(afterMs), AbortSignal.timeout(afterMs))).rejects.toThrow(/abort|timeout/i);
  return call(base, 'POST', '/queries', { query: 'SELECT 1 AS one', useLegacySql: false });
};

const wedged = (answer: { status: number; text: string }): boolean => answer.status === 500 && answer.text.includes('sql: connection is already closed');

describe('the BigQuery request shield', () => {
  const stops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop()));
  });

  it('the pinned emulator on its own is wedged for good by a client that hangs up mid-query', async () => {
    // The premise of the shield. If this fails, the pinned emulator no longer wedges and the shield can go.
    const binary = await requireBigQueryEmulator();
    const [port, grpcPort] = await freePorts(2);
    mkdirSync(logDir, { recursive: true });
    const logFile = join(logDir, 'unshielded.log');
    const fd = openSync(logFile, 'w');
    const child = spawn(binary, [`--project=${projectId}`, '--host=127.0.0.1', `--port=${String(port)}`, `--grpc-port=${String(grpcPort)}`], {
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const pgid = child.pid;
    if (pgid === undefined) throw new Error('The unshielded emulator did not start');
    stops.push(() => stopProcessGroup(pgid, 2_000));
    const base = `http://127.0.0.1:${String(port)}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ready = await call(base, 'GET', '/datasets').then((answer) => answer.status === 200, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`The unshielded emulator did not answer within 60 s:\n${logTail(logFile)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    await seed(base);
    // A hang-up the emulator noticed before the query began leaves it well, so it gets a few tries.
    const answers: Array<{ status: number; text: string }> = [];
    for (const afterMs of HANG_UP_AFTER_MS) {
      const answer = await hangUpThenAsk(base, afterMs);
      answers.push(answer);
      if (wedged(answer)) break;
    }

    expect(answers.map((answer) => `${String(answer.status)} ${answer.text.slice(0, 80)}`)).toContainEqual(expect.stringContaining('500 sql: connection is already closed'));
    // …and it stays that way.
    expect((await call(base, 'GET', '/datasets')).text).toContain('sql: connection is already closed');
  });

  it('behind the shield, as the stack starts it, the emulator finishes the query and answers the next one', async () => {
    const binary = await requireBigQueryEmulator();
    const [port, grpcPort] = await freePorts(2);
    if (port === undefined || grpcPort === undefined) throw new Error('No free ports');
    const emulator: EmulatorHandle = await startBigQueryEmulator({ port, grpcPort, binary, projectId, logDir, readyTimeoutMs: 60_000 });
    stops.push(() => emulator.stop());

    await seed(emulator.endpoint);
    // Every hang-up of the bare emulator's test, each followed by a question: each answered.
    for (const afterMs of HANG_UP_AFTER_MS) {
      const answer = await hangUpThenAsk(emulator.endpoint, afterMs);
      expect({ afterMs, status: answer.status, text: answer.text.slice(0, 200) }).toMatchObject({ afterMs, status: 200 });
      expect(JSON.parse(answer.text)).toMatchObject({ jobComplete: true, rows: [{ f: [{ v: '1' }] }] });
    }
    expect((await call(emulator.endpoint, 'GET', '/datasets')).text).toContain('hang_up');
  });
});
