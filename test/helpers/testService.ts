// The service for a test file: its own migrated database and queue prefix, the API in-process on
// a free port with an API client that checks every answer against openapi.yaml, worker processes
// on demand, and a teardown that leaves nothing behind.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { createQueue, createSearchQueue } from '../../src/queue/queue.js';
import { loadConfig, type ServiceConfig } from '../../src/runtime/config.js';
import { createLogger } from '../../src/runtime/logger.js';
import { apiClient } from './apiClient.js';
import { Contract } from './openapiContract.js';
import { createTestDatabase, ensureRedis, REDIS_URL, startWorker, stopProcess, uniquePrefix, waitFor, type TestDatabase, type WorkerProcess } from './serviceEnv.js';

export interface TestService {
  t: TestDatabase;
  app: FastifyInstance;
  api: ReturnType<typeof apiClient>;
  config: ServiceConfig;
  prefix: string;
  workers: WorkerProcess[];
  /** Starts a worker process on the test's database and queue. */
  spawnWorker(env?: Record<string, string>): WorkerProcess;
  /** Waits until `n` workers take jobs. */
  waitWorkers(n: number): Promise<void>;
  /** The last lines every worker printed, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface TestServiceOptions {
  docs?: boolean;
  workerEnv?: Record<string, string>;
  config?: Partial<ServiceConfig>;
  /** A URL of the Postgres cluster to make the test's database on (default: the machine's). */
  pgBase?: string;
  /** A Redis of the test's own (default: the machine's). */
  redisUrl?: string;
}

export async function startTestService(label: string, o: TestServiceOptions = {}): Promise<TestService> {
  const redisUrl = o.redisUrl ?? REDIS_URL;
  if (!o.redisUrl) await ensureRedis();
  const t = await createTestDatabase(label, o.pgBase);
  const prefix = uniquePrefix(label);
  const config: ServiceConfig = { ...loadConfig({}), databaseUrl: t.url, redisUrl, queuePrefix: prefix, logLevel: 'silent', ...o.config };
  const app = await buildApp({ config, store: t.store, logger: createLogger('test', 'silent'), docs: o.docs ?? false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const workers: WorkerProcess[] = [];
  return {
    t,
    app,
    api: apiClient(app.server, new Contract()),
    config,
    prefix,
    workers,
    spawnWorker(env = {}) {
      const w = startWorker({ DATABASE_URL: t.url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, ...o.workerEnv, ...env });
      workers.push(w);
      return w;
    },
    async waitWorkers(n) {
      const q = createQueue(config);
      await waitFor(`${n} worker(s) to take jobs`, async () => (await q.getWorkersCount()) >= n, 30_000);
      await q.close();
    },
    logs: () => workers.map((w) => w.output().slice(-4000)).join('\n----\n'),
    async stop() {
      await Promise.all(workers.map((w) => stopProcess(w, 'SIGKILL')));
      if (!o.redisUrl) await ensureRedis();
      for (const q of [createQueue(config), createSearchQueue(config)]) {
        await q.obliterate({ force: true }).catch(() => {});
        await q.close();
      }
      await app.close();
      await t.drop();
    },
  };
}
