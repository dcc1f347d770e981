// Whether a Redis answers PING at url: one short-lived connection that never retries.
import { Redis } from 'ioredis';

export async function redisAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
