// Liveness, readiness (Postgres and Redis answer) and Prometheus metrics (off, open, or behind
// METRICS_KEY); no API key, no rate limit.
import { timingSafeEqual } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { ApiError } from '../errors.js';

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

export const healthRoutes =
  (deps: { queue: Queue | null; registry: Registry; mode: 'off' | 'open' | 'key'; key?: string }): FastifyPluginAsync =>
  async (app) => {
    const open = { config: { rateLimit: false } };
    app.get('/healthz', open, async () => ({ status: 'ok' }));
    app.get('/readyz', open, async () => {
      const [pg, redis] = await Promise.allSettled([
        within(1000, app.store.ping()),
        deps.queue ? within(1000, deps.queue.getJobCounts('waiting')) : Promise.resolve('PONG'),
      ]);
      const down = [pg.status === 'rejected' ? 'Postgres' : null, redis.status === 'rejected' ? 'Redis' : null].filter(Boolean);
      if (down.length) throw new ApiError('not_ready', `${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} unreachable`);
      return { status: 'ready', postgres: 'ok', redis: 'ok' };
    });
    if (deps.mode === 'off') return;
    app.get('/metrics', open, async (req, reply) => {
      if (deps.mode === 'key') {
        const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const a = Buffer.from(given);
        const b = Buffer.from(deps.key!);
        if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ApiError('unauthorized', 'GET /metrics needs the metrics key: Authorization: Bearer <METRICS_KEY>');
      }
      reply.header('content-type', deps.registry.contentType);
      return deps.registry.metrics();
    });
  };
