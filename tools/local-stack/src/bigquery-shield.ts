/**
 * A loopback proxy in front of goccy/bigquery-emulator v0.6.6 that never lets a client's hang-up
 * reach the emulator.
 *
 * The emulator cancels a request's context when its client goes away; if that happens while SQLite
 * runs the request, the emulator's one database connection is closed and from then on it answers
 * every request with `500 sql: connection is already closed` until it is restarted
 * (infra/EMULATOR-NOTES.md, "A client that hangs up wedges v0.6.6"). Clients hang up all the time
 * here: a service killed by the fault suite in the middle of an insert, a test's timeout, a service
 * stopped while its metrics refresh queries. So the local stack puts this proxy between every client
 * and the emulator: it reads the whole request, forwards it on its own connection and always lets the
 * emulator finish; a client that left simply gets no answer. On GCP nothing of this exists.
 *
 * Run as `node bigquery-shield.js --listen <host:port> --upstream <port> -- <emulator> <args…>`: it
 * starts the emulator as its child (in the same process group, so stopping the group stops both),
 * exits when the emulator exits, and logs to stderr when the emulator is wedged all the same.
 */
import { spawn } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface ShieldOptions {
  host: string;
  port: number;
  upstreamHost: string;
  upstreamPort: number;
  /** Called once per upstream answer that says the emulator lost its database connection. */
  onWedged?: (detail: string) => void;
}

const WedgedMarker = 'connection is already closed';

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1). */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

const forwardable = (headers: IncomingMessage['headers']): Record<string, string | string[]> => {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
};

const readBody = (incoming: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => resolve(Buffer.concat(chunks)));
    // A client that leaves before its request is complete: nothing is forwarded at all.
    incoming.once('aborted', () => resolve(undefined));
    incoming.once('error', () => resolve(undefined));
  });

/** Starts the proxy; resolves once it listens. */
export const startBigQueryShield = (options: ShieldOptions): Promise<Server> => {
  const agent = new Agent({ keepAlive: true });
  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    let clientGone = false;
    outgoing.once('close', () => {
      clientGone = !outgoing.writableFinished;
    });
    const body = await readBody(incoming);
    if (body === undefined) return;
    const headers = forwardable(incoming.headers);
    headers['content-length'] = String(body.length);
    const upstream = request({
      host: options.upstreamHost,
      port: options.upstreamPort,
      method: incoming.method,
      path: incoming.url,
      headers,
      agent,
    });
    upstream.once('response', (answer) => {
      const wedgeCheck: Buffer[] = [];
      if ((answer.statusCode ?? 0) >= 500) answer.on('data', (chunk: Buffer) => wedgeCheck.push(chunk));
      answer.once('end', () => {
        const text = Buffer.concat(wedgeCheck).toString('utf8');
        if (text.includes(WedgedMarker)) options.onWedged?.(`${incoming.method ?? ''} ${incoming.url ?? ''}: ${text.trim()}`);
      });
      if (clientGone) {
        // The client is gone: read the answer to the end so the emulator's connection finishes cleanly.
        answer.resume();
        return;
      }
      outgoing.once('close', () => {
        if (outgoing.writableFinished) return;
        answer.unpipe(outgoing);
        answer.resume();
      });
      outgoing.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
      answer.pipe(outgoing);
    });
    upstream.once('error', (error) => {
      if (clientGone || outgoing.headersSent) {
        outgoing.destroy();
        return;
      }
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`The BigQuery emulator at ${options.upstreamHost}:${options.upstreamPort} did not answer: ${error.message}\n`);
    });
    upstream.end(body);
  };
  const server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing);
  });
  // Queries on the emulator can take minutes: never time a request out here.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
};

const parseArgs = (argv: readonly string[]): { listen: string; upstream: number; command: string; args: string[] } => {
  const separator = argv.indexOf('--');
  const own = separator < 0 ? argv : argv.slice(0, separator);
  const rest = separator < 0 ? [] : argv.slice(separator + 1);
  const value = (flag: string): string | undefined => {
    const index = own.indexOf(flag);
    return index < 0 ? undefined : own[index + 1];
  };
  const listen = value('--listen');
  const upstream = Number(value('--upstream'));
  const [command, ...args] = rest;
  if (listen === undefined || !Number.isInteger(upstream) || upstream <= 0 || command === undefined) {
    throw new Error('usage: bigquery-shield --listen <host:port> --upstream <port> -- <emulator> <args…>');
  }
  return { listen, upstream, command, args };
};

const main = async (): Promise<void> => {
  const { listen, upstream, command, args } = parseArgs(process.argv.slice(2));
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  const emulator = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  emulator.once('error', (error) => {
    process.stderr.write(`[bigquery-shield] could not start ${command}: ${error.message}\n`);
    process.exit(1);
  });
  emulator.once('exit', (code, signal) => {
    process.stderr.write(`[bigquery-shield] the emulator exited with ${signal ?? `code ${String(code)}`}\n`);
    process.exit(code ?? 1);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => emulator.kill(signal));
  }
  let warned = 0;
  await startBigQueryShield({
    host,
    port,
    upstreamHost: '127.0.0.1',
    upstreamPort: upstream,
    onWedged: (detail) => {
      warned += 1;
      if (warned <= 5) process.stderr.write(`[bigquery-shield] the emulator lost its database connection anyway: ${detail}\n`);
    },
  });
  process.stderr.write(`[bigquery-shield] ${listen} → 127.0.0.1:${upstream}\n`);
};

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[bigquery-shield] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
