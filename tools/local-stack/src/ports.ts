import { createServer } from 'node:net';

/** A port that was free on `host` a moment ago (the OS picks it). Good enough for emulators started right after. */
export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not allocate a free port'));
      });
    });
  });

/** `count` distinct free ports. */
export const freePorts = async (count: number, host = '127.0.0.1'): Promise<number[]> => {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
};
