import { Agent, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query exactly as sent, already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sends the body with Transfer-Encoding: chunked instead of Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  elapsedMs: number;
}

/**
 * A plain HTTP/1.1 client for fuzzing: sends exactly the bytes it is given (no JSON encoding,
 * no header defaults beyond Host), on a bounded pool of keep-alive connections.
 */
export class RawHttpClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    maxSockets: number,
    private readonly timeoutMs = 15_000,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(raw: RawRequest): Promise<RawResponse> {
    const url = new URL(this.baseUrl);
    const started = performance.now();
    const headers: Record<string, string> = { ...raw.headers };
    if (raw.body && !raw.chunked) headers['Content-Length'] = String(raw.body.length);
    if (raw.body && raw.chunked) headers['Transfer-Encoding'] = 'chunked';

    return new Promise((resolve, reject) => {
      const call = request(
        {
          host: url.hostname,
          port: url.port,
          method: raw.method,
          path: raw.path,
          headers,
          agent: this.agent,
          timeout: this.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
              elapsedMs: performance.now() - started,
            }),
          );
        },
      );
      call.on('timeout', () => call.destroy(new Error(`no answer in ${this.timeoutMs} ms`)));
      call.on('error', reject);
      call.end(raw.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
