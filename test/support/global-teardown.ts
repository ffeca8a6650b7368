import { Redis } from 'ioredis';

/**
 * Every test instance writes under a `test:` key prefix; remove what the run left in Redis.
 * Jest loads this file outside its module mapper, so it imports no project module.
 */
export default async function removeTestKeys(): Promise<void> {
  const url = process.env.REDIS_URL;
  if (!url) return;

  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'test:*', 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
