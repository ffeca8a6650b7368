import type { Redis } from 'ioredis';

import { TurnBatcher } from './turn-batcher.js';

/** A client whose pipelines answer each call with its first argument, or fail on "boom". */
function fakeClient() {
  const pipelines: unknown[][][] = [];
  const client = {
    pipeline: () => {
      const calls: unknown[][] = [];
      pipelines.push(calls);
      return {
        decide: (...args: unknown[]) => calls.push(args),
        exec: async () =>
          calls.map((args) => (args[0] === 'boom' ? [new Error('boom'), null] : [null, args[0]])),
      };
    },
  };

  return { client: client as unknown as Redis, pipelines };
}

describe('TurnBatcher', () => {
  it('sends the calls of one turn as one pipeline, in order', async () => {
    const { client, pipelines } = fakeClient();
    const batcher = new TurnBatcher(client, 'decide');

    const first = await Promise.all([batcher.call(['a']), batcher.call(['b'])]);
    const second = await batcher.call(['c']);

    expect(first).toEqual(['a', 'b']);
    expect(second).toBe('c');
    expect(pipelines).toEqual([[['a'], ['b']], [['c']]]);
  });

  it('fails only the call whose command failed', async () => {
    const { client } = fakeClient();
    const batcher = new TurnBatcher(client, 'decide');

    const results = await Promise.allSettled([batcher.call(['boom']), batcher.call(['ok'])]);

    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
  });
});
