// The HTTP API as a Fastify instance: plugins (rate limit, docs), auth on /v1, routes per
// resource, one error handler. server.ts only listens; tests build the app directly.
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { createQueue, createSearchQueue, enqueue, triggerSearch, type JobData, type JobName, type SearchQueue } from '../queue/queue.js';
import type { ServiceConfig } from '../runtime/config.js';
import { packagePath } from '../runtime/packageRoot.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { hashKey } from '../store/keys.js';
import { createStore, type Store } from '../store/store.js';
import { isDatabaseUnavailable, isTransactionConflict } from '../store/unavailable.js';
import type { Queue } from 'bullmq';
import { bearerToken, createAuthenticator } from './auth.js';
import { ApiError, ERROR_CODES, fromFastifyError } from './errors.js';
import { serveDashboard } from './dashboard.js';
import { strictJson } from './jsonBody.js';
import { createLiveResponseCache } from './liveResponseCache.js';
import { createApiMetrics } from './promMetrics.js';
import { gradientCheckRoutes } from './routes/gradientChecks.js';
import { healthRoutes } from './routes/health.js';
import { eventRoutes } from './routes/events.js';
import { leaderboardRoutes } from './routes/leaderboard.js';
import { metricsRoutes } from './routes/metrics.js';
import { projectRoutes } from './routes/project.js';
import { runsRoutes } from './routes/runs.js';
import { searchRoutes } from './routes/searches.js';
import { storePlugin } from './storePlugin.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface BuildOptions {
  config: ServiceConfig;
  /** The store to use; one is created (and closed with the app) when absent. */
  store?: Store;
  queue?: Queue<JobData, unknown, JobName> | null;
  /** The queue that wakes search coordinators; created with `queue` unless given. */
  searchQueue?: SearchQueue | null;
  logger?: Logger;
  /** Serve openapi.yaml at /docs (default true). */
  docs?: boolean;
  /** Serve the dashboard's build at / when it exists (default true). */
  dashboard?: boolean;
}

/** openapi.yaml at the package root. */
export const openapiPath = (): string => packagePath('openapi.yaml');

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const logger = opts.logger ?? createLogger('trainyard-api', config.logLevel);
  const store = opts.store ?? createStore(config.databaseUrl);
  const ownQueue = opts.queue === undefined;
  const queue = opts.queue === undefined ? createQueue(config) : opts.queue;
  const ownSearchQueue = opts.searchQueue === undefined && queue !== null;
  const searchQueue = opts.searchQueue !== undefined ? opts.searchQueue : queue ? createSearchQueue(config) : null;
  // Redis down is handled where the queue is used (enqueue times out, the reconciler catches up); one log line, not an unhandled error.
  for (const q of [queue, searchQueue]) q?.on('error', (err) => logger.warn({ err: err.message }, 'Redis unreachable'));
  const metrics = createApiMetrics(store, queue);

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // One log line per request, written in onResponse below.
    logController: new LogController({ disableRequestLogging: true }),
    // A client's X-Request-Id is kept only when it looks like one (it is echoed and logged).
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: false,
  });

  // JSON only: a text/plain body is a 415, not a string handed to the routes.
  app.removeContentTypeParser('text/plain');
  strictJson(app as unknown as FastifyInstance, config.bodyLimitBytes);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // No response is ever sniffed into another type (artifacts are user-influenced bytes).
    reply.header('x-content-type-options', 'nosniff');
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (route !== '/metrics' && route !== '/healthz') {
      req.log.info({ method: req.method, url: req.url, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    }
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    let e: ApiError | null = err instanceof ApiError ? err : fromFastifyError(err, config.bodyLimitBytes);
    if (!e && err.statusCode === 429) e = new ApiError('rate_limited');
    if (!e && err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      e = new ApiError('invalid_request', err.message, [{ path: '(request)', message: err.message }]);
    }
    // A deadlock or serialisation failure rolled the request's transaction back: nothing changed,
    // and the same request can simply be sent again.
    if (!e && isTransactionConflict(err)) {
      req.log.warn({ err: err.message }, 'transaction conflict');
      e = new ApiError('unavailable', 'the request met a concurrent change and was rolled back; nothing was changed: retry it', undefined, { 'retry-after': '1' });
    }
    if (!e && isDatabaseUnavailable(err)) {
      req.log.warn({ err: err.message }, 'Postgres unreachable');
      e = new ApiError('unavailable', undefined, undefined, { 'retry-after': '5' });
    }
    if (!e) {
      req.log.error({ err }, 'unhandled error');
      e = new ApiError('internal', `internal error; quote request id ${req.id} when reporting it`);
    }
    if (e.headers) reply.headers(e.headers);
    return reply.code(e.statusCode).send(e.body());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new ApiError('not_found', `no route ${req.method} ${req.url.split('?')[0]}; see /docs`);
    return reply.code(404).send(e.body());
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    keyGenerator: (req) => {
      const t = bearerToken(req);
      return t ? `key:${hashKey(t)}` : `ip:${req.ip}`;
    },
    errorResponseBuilder: (_req, ctx) => new ApiError('rate_limited', `rate limit of ${ctx.max} requests per ${ctx.after} exceeded for this API key; retry in ${Math.ceil(ctx.ttl / 1000)} s`),
  });

  if (opts.docs !== false) {
    const path = openapiPath();
    await app.register(swagger, { mode: 'static', specification: { path, baseDir: dirname(path) } });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  }

  await app.register(storePlugin, { store, owned: !opts.store });
  const reads = createLiveResponseCache(store.changes);
  const deps = {
    reads,
    enqueue: (name: JobName, id: string) => (queue ? enqueue(queue, name, id, { attempts: config.jobAttempts }) : Promise.resolve(false)),
    removeJob: (id: string) => {
      if (!queue) return;
      void Promise.race([queue.remove(id), new Promise((r) => setTimeout(r, 1000))]).catch(() => {});
    },
    triggerSearch: (id: string) => (searchQueue ? triggerSearch(searchQueue, id) : Promise.resolve()),
  };
  if (opts.dashboard !== false) await serveDashboard(app as unknown as FastifyInstance);
  await app.register(healthRoutes({ queue, registry: metrics.registry, mode: config.metrics, key: config.metricsKey }));
  const authenticate = createAuthenticator(store.keys, { failuresPerWindow: config.authFailuresMax, windowMs: config.rateLimitWindowMs });
  await app.register(async (v1) => {
    v1.addHook('onRequest', async (req) => authenticate(req));
    // Before the answer leaves: a client that reads right after its write sees it.
    v1.addHook('onSend', async (req, _reply, payload) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') reads.clear();
      return payload;
    });
    await v1.register(runsRoutes(deps));
    await v1.register(gradientCheckRoutes(deps));
    await v1.register(searchRoutes(deps));
    await v1.register(leaderboardRoutes());
    await v1.register(projectRoutes());
    await v1.register(metricsRoutes());
    await v1.register(eventRoutes());
  });

  app.addHook('onClose', async () => {
    reads.close();
    if (ownQueue && queue) await queue.close().catch(() => {});
    if (ownSearchQueue && searchQueue) await searchQueue.close().catch(() => {});
  });
  return app as unknown as FastifyInstance;
}

export { ERROR_CODES };
