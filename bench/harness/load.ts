import autocannon from 'autocannon';

import type { ServerProcess } from './server-process.js';

export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Called for every request, e.g. to give each a fresh Idempotency-Key. */
  perRequestHeaders?: () => Record<string, string>;
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  peakRssMb: number;
  non2xx: number;
  errors: number;
}

function requestsFor(spec: LoadSpec): autocannon.Request[] {
  const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  const headers = { 'content-type': 'application/json', ...spec.headers };
  const setupRequest = (request: autocannon.Request) => ({
    ...request,
    headers: { ...headers, ...spec.perRequestHeaders?.() },
  });

  return [{ method: spec.method, path: spec.path, body, headers, setupRequest }];
}

/** Drives the server with autocannon for `seconds`, measuring its CPU and memory meanwhile. */
export async function measure(
  server: ServerProcess,
  spec: LoadSpec,
  seconds: number,
  connections = 50,
): Promise<Measurement> {
  const cpuBefore = server.cpuMs();
  let peakRss = server.rssMb().now;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMb().now)), 250);

  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: requestsFor(spec),
  });
  clearInterval(sampler);
  const cpuMs = server.cpuMs() - cpuBefore;

  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
    peakRssMb: peakRss,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
