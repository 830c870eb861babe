/**
 * The local push signer: what Google does for Pub/Sub push, with local keys. On GCP a push
 * subscription configured with a service account attaches `Authorization: Bearer <OIDC ID token>`
 * (RS256, signed by Google, `aud` the configured audience, `email` the service account); Cloud Run
 * services verify it (`@arbiter/platform` push-auth.ts). The Pub/Sub emulator attaches nothing, so
 * locally the emulator pushes to this relay instead of the service: it mints a token of the same
 * shape with a key pair made at start, forwards the request to the service, and answers with the
 * service's status. The services are configured (`pushAuthEnvOf`) to trust this relay's JWKS and
 * issuer, so the very same verification runs locally as on GCP.
 *
 *   GET  /jwks.json                         the public key set services verify against
 *   POST /<service>/pubsub/push/<sub>       → POST <service url>/pubsub/push/<sub> with the token
 *   POST /<service>/events/<sub>            → POST <service url>/events/<sub> with the token
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { assertLoopbackHost } from './loopback';

/** What the local services expect by default (platform's LOCAL_PUSH_AUDIENCE / LOCAL_PUSH_SERVICE_ACCOUNT). */
export const LocalPushAudience = 'arbiter-local-push';
export const LocalPushServiceAccount = 'arbiter-push@arbiter-local.iam.gserviceaccount.com';

export interface PushSigner {
  /** `http://127.0.0.1:<port>`: the issuer of its tokens, and where its JWKS is. */
  readonly url: string;
  /** Base URL to push to instead of `<service url>`: `<url>/<service>`. */
  endpointBaseOf(service: string): string;
  /** A token as Google would mint it for the push service account (tests use it for negative cases too). */
  mint(claims?: Partial<{ aud: string; email: string; email_verified: boolean; iss: string; ttlSeconds: number; iat: number }>): Promise<string>;
  readonly jwks: { keys: JWK[] };
  /** Requests forwarded, by answer status (for tests and the start-up log). */
  readonly forwarded: Map<number, number>;
  close(): Promise<void>;
}

export interface PushSignerOptions {
  /** Service name → its base URL (looked up on every request, so a restarted service is found). */
  targetOf: (service: string) => string | undefined;
  host?: string;
  port?: number;
  audience?: string;
  serviceAccount?: string;
}

const KID = 'arbiter-local-push-1';

export async function startPushSigner(options: PushSignerOptions): Promise<PushSigner> {
  const host = options.host ?? '127.0.0.1';
  assertLoopbackHost(host);
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const jwks = { keys: [jwk] };
  const audience = options.audience ?? LocalPushAudience;
  const serviceAccount = options.serviceAccount ?? LocalPushServiceAccount;
  const forwarded = new Map<number, number>();
  let url = '';

  const mint = async (claims: Parameters<PushSigner['mint']>[0] = {}): Promise<string> => sign(privateKey, {
    iss: claims.iss ?? url,
    aud: claims.aud ?? audience,
    email: claims.email ?? serviceAccount,
    email_verified: claims.email_verified ?? true,
    iat: claims.iat ?? Math.floor(Date.now() / 1000),
    ttlSeconds: claims.ttlSeconds ?? 3600,
  });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`push signer: ${error instanceof Error ? error.message : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(JSON.stringify(jwks));
      return;
    }
    const match = /^\/([a-z][a-z-]*)(\/(?:pubsub\/push|events)\/[A-Za-z0-9._~%-]+)$/.exec(path);
    if (req.method !== 'POST' || !match) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('push signer: POST /<service>/pubsub/push/<subscription>');
      return;
    }
    const target = options.targetOf(match[1] as string);
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`push signer: ${match[1]} is not running`);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length', 'authorization', 'transfer-encoding'].includes(name)) headers[name] = value;
    }
    headers.authorization = `Bearer ${await mint()}`;
    const response = await fetch(`${target}${match[2]}`, { method: 'POST', headers, body: Buffer.concat(chunks) });
    forwarded.set(response.status, (forwarded.get(response.status) ?? 0) + 1);
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'text/plain' }).end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  url = `http://${host}:${typeof address === 'object' && address ? address.port : options.port}`;
  return {
    get url() {
      return url;
    },
    endpointBaseOf: (service) => `${url}/${service}`,
    mint,
    jwks,
    forwarded,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function sign(key: KeyLike, claims: { iss: string; aud: string; email: string; email_verified: boolean; iat: number; ttlSeconds: number }): Promise<string> {
  return new SignJWT({ email: claims.email, email_verified: claims.email_verified, sub: `local-${claims.email}` })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setIssuer(claims.iss)
    .setAudience(claims.aud)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.iat + claims.ttlSeconds)
    .sign(key);
}

/** The environment that makes a service trust this signer (and only it) for its event routes. */
export function pushAuthEnvOf(signer: Pick<PushSigner, 'url'>, audience = LocalPushAudience, serviceAccount = LocalPushServiceAccount): Record<string, string> {
  return {
    ARBITER_PUSH_AUTH: 'oidc',
    ARBITER_PUSH_JWKS_URL: `${signer.url}/jwks.json`,
    ARBITER_PUSH_ISSUER: signer.url,
    ARBITER_PUSH_AUDIENCE: audience,
    ARBITER_PUSH_SERVICE_ACCOUNT: serviceAccount,
  };
}
