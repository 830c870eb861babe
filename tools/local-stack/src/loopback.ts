import { isIP } from 'node:net';

/** The loopback names and addresses an emulator may listen on. Anything else is refused. */
export const isLoopbackHost = (host: string): boolean => {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
};

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses an emulator endpoint as the standard variables carry it: `host:port` (Pub/Sub, Firestore)
 * or a URL `http://host:port` (BigQuery clients expect the scheme). Throws on anything malformed.
 */
export const parseEndpoint = (value: string): HostPort => {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port <= 0) {
    throw new Error(`Not an emulator endpoint (want host:port): ${JSON.stringify(value)}`);
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
};

/** Throws unless every named endpoint is on loopback: tests and the local stack never touch a network host. */
export const assertLoopbackEndpoints = (endpoints: Record<string, string | undefined>): void => {
  const refused = Object.entries(endpoints)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .filter(([, value]) => !isLoopbackHost(parseEndpoint(value).host))
    .map(([name, value]) => `${name}=${value}`);
  if (refused.length > 0) {
    throw new Error(`Refusing non-loopback emulator endpoint(s): ${refused.join(', ')}`);
  }
};

export const assertLoopbackHost = (host: string): void => {
  if (!isLoopbackHost(host)) throw new Error(`Refusing non-loopback host ${JSON.stringify(host)}: emulators listen on loopback only`);
};

export const hostPort = ({ host, port }: HostPort): string => (isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);
