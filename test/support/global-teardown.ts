import { deleteKeysWithPrefix } from '../../bench/harness/redis-keys.js';

/** Every test instance writes under a `test:` key prefix; remove what the run left in Redis. */
export default async function removeTestKeys(): Promise<void> {
  if (process.env.REDIS_URL) await deleteKeysWithPrefix(process.env.REDIS_URL, 'test:');
}
