import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` loopback ports that are free now, searched upwards from `base` within `span`. */
export async function freePortsFrom(base: number, count: number, span = 50): Promise<number[]> {
  const found: number[] = [];
  for (let port = base; port < base + span && found.length < count; port += 1) {
    if (await isFree(port)) found.push(port);
  }
  if (found.length < count) {
    throw new Error(`fewer than ${count} free ports in ${base}-${base + span - 1}`);
  }

  return found;
}
