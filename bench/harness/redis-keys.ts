import { Redis } from 'ioredis';

const MAX_ROUNDS = 10_000;

/** Deletes every key under `prefix` (a run's own REDIS_KEY_PREFIX); returns how many went. */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }

  return deleted;
}
