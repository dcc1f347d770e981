// The service on this machine for benchmarks and scripts: a fresh migrated database, the API
// in-process on a free port, N worker processes (one BLAS thread each), an API key, and a small
// HTTP client. Everything is torn down by stop().
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { createQueue, createSearchQueue } from '../src/queue/queue.js';
import { loadConfig } from '../src/runtime/config.js';
import { createLogger } from '../src/runtime/logger.js';
import type { Db } from '../src/store/db.js';
import type { Store } from '../src/store/store.js';
import { createTestDatabase, REDIS_URL, startWorker, stopProcess, waitFor, type TestDatabase, type WorkerProcess } from '../test/helpers/serviceEnv.js';

export interface LocalService {
  db: Db;
  /** The store the in-process API uses, and its database's URL. */
  store: Store;
  databaseUrl: string;
  /** Where the in-process API listens (it serves the built dashboard at /). */
  base: string;
  /** Starts one more worker process on the service's database and queue, and waits until it takes jobs. */
  spawnWorker(env?: Record<string, string>): Promise<WorkerProcess>;
  projectId: string;
  key: string;
  workers: WorkerProcess[];
  get(path: string): Promise<any>;
  post(path: string, body: unknown): Promise<any>;
  /** Polls a search until it is finished; calls onPoll with each reading. */
  waitSearch(id: string, onPoll?: (s: any) => void, everyMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export async function startLocalService(label: string, workers: number, env: Record<string, string> = {}): Promise<LocalService> {
  const t: TestDatabase = await createTestDatabase(label);
  const prefix = `tybench-${label}-${randomBytes(3).toString('hex')}`;
  const config = { ...loadConfig({}), databaseUrl: t.url, redisUrl: REDIS_URL, queuePrefix: prefix, rateLimitMax: 1_000_000_000, logLevel: 'silent' };
  const app: FastifyInstance = await buildApp({ config, store: t.store, logger: createLogger('bench', 'silent'), docs: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const { key, projectId } = await t.store.keys.create(label);
  const procs: WorkerProcess[] = [];
  // Production timings, not the tests' fast ones (which poll Redis and Postgres every second).
  const timings = { LOCK_DURATION_MS: '30000', STALLED_INTERVAL_MS: '15000', RECONCILE_INTERVAL_MS: '10000', RECONCILE_GRACE_MS: '5000' };
  const workerEnv = (more: Record<string, string>) => ({ DATABASE_URL: t.url, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', ...timings, ...(process.env.CIFAR10_DIR ? { CIFAR10_DIR: process.env.CIFAR10_DIR } : {}), ...env, ...more });
  const ready = async (n: number) => {
    const q = createQueue(config);
    await waitFor('the workers to be ready', async () => (await q.getWorkersCount()) >= n, 60_000);
    await q.close();
  };
  for (let i = 0; i < workers; i++) procs.push(startWorker(workerEnv({})));
  if (workers > 0) await ready(workers);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const get = async (path: string) => {
    const r = await fetch(base + path, { headers });
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
    if (r.status >= 300) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const stop = async () => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await Promise.all(procs.map((w) => stopProcess(w, 'SIGTERM')));
    await app.close();
    for (const q of [createQueue(config), createSearchQueue(config)]) {
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
    await t.drop();
  };
  // Ctrl-C or a kill of the benchmark takes its workers, their training and its database with it.
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the benchmark's workers and dropping its database`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    db: t.db,
    store: t.store,
    databaseUrl: t.url,
    base,
    async spawnWorker(more = {}) {
      const w = startWorker(workerEnv(more));
      procs.push(w);
      await ready(procs.length);
      return w;
    },
    projectId,
    key,
    workers: procs,
    get,
    post,
    async waitSearch(id, onPoll, everyMs = 500) {
      for (;;) {
        const s = await get(`/v1/searches/${id}`);
        onPoll?.(s);
        if (['succeeded', 'failed', 'cancelled'].includes(s.status)) return s;
        if (procs.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) throw new Error(`every worker exited:\n${procs.map((w) => w.output().slice(-2000)).join('\n')}`);
        await new Promise((r) => setTimeout(r, everyMs));
      }
    },
    stop,
  };
}
