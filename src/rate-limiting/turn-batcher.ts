import type { Redis } from 'ioredis';

interface Pending {
  args: (string | number)[];
  resolve: (reply: unknown) => void;
  reject: (error: unknown) => void;
}

type PipelineCommands = Record<string, (...args: (string | number)[]) => unknown>;

/**
 * Sends the calls of one command made during one event-loop turn to Redis as one pipeline:
 * under load, many requests' decisions then share one socket write and one read instead of
 * paying a system call pair each. A call waits at most until the end of the current turn.
 * Each command keeps its own timeout, and a failed connection rejects every call in the batch.
 */
export class TurnBatcher {
  private queue: Pending[] = [];

  constructor(
    private readonly client: Redis,
    private readonly command: string,
  ) {}

  call(args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ args, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const pipeline = this.client.pipeline();
    const commands = pipeline as unknown as PipelineCommands;
    for (const pending of batch) commands[this.command](...pending.args);

    pipeline.exec().then(
      (results) => batch.forEach((pending, index) => settle(pending, results?.[index])),
      (error: unknown) => batch.forEach((pending) => pending.reject(error)),
    );
  }
}

function settle(pending: Pending, result: [Error | null, unknown] | undefined): void {
  if (!result) pending.reject(new Error('no reply for a pipelined command'));
  else if (result[0]) pending.reject(result[0]);
  else pending.resolve(result[1]);
}
