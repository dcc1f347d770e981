// Test fixtures for the service: a uniquely named, migrated Postgres database per test file,
// a unique BullMQ prefix on the local Redis, API keys, and worker / API child processes.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDb, type Db } from '../../src/store/db.js';
import { createStore, type Store } from '../../src/store/store.js';
import { dropDatabase, ensureDatabase, migrate } from '../../src/store/migrate.js';
import { redisAnswers as probeRedis } from '../../src/runtime/redisAnswers.js';

export const PG_BASE = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  url: string;
  /** The store, as the API and the worker use it. */
  store: Store;
  /** The raw client, for tests that inspect or arrange rows directly. */
  db: Db;
  drop(): Promise<void>;
}

/** `base`: a URL of the cluster to create it on (a private one, for tests that stop Postgres). */
export async function createTestDatabase(label: string, base = PG_BASE): Promise<TestDatabase> {
  const name = `ty_test_${label}_${randomBytes(4).toString('hex')}`;
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  await ensureDatabase(url);
  await migrate(url);
  const db = createDb(url, { max: 4 });
  const store = createStore(url, { ormConnections: 4, sqlConnections: 4 });
  return {
    url,
    store,
    db,
    async drop() {
      await Promise.all([db.$disconnect(), store.close()]);
      await dropDatabase(url);
    },
  };
}

export function uniquePrefix(label: string): string {
  return `tytest-${label}-${randomBytes(4).toString('hex')}`;
}

export async function newKey(store: Store, project: string): Promise<string> {
  return (await store.keys.create(project)).key;
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const WORKER_MAIN = fileURLToPath(new URL('../../worker/main.js', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const API_SERVER = fileURLToPath(new URL('../../src/api/server.js', import.meta.url));

/** How to start a process: spawn itself, or inside a network namespace (test/helpers/netns.ts Lan.spawn). */
export type Spawner = (command: string, args: string[], o: SpawnOptions) => ChildProcess;

/** Starts `node <script>` with the environment and its output captured. */
export function startNodeProcess(script: string, env: Record<string, string>, spawner: Spawner = spawn): WorkerProcess {
  const child = spawner(process.execPath, [script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { child, output: () => out, exited };
}

/** Starts `node dist/worker/main.js` with the test's database and queue, and short lock timings. */
export function startWorker(env: Record<string, string>, spawner?: Spawner): WorkerProcess {
  return startNodeProcess(
    WORKER_MAIN,
    {
      LOG_LEVEL: 'info',
      LOCK_DURATION_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_GRACE_MS: '300',
      ...env,
    },
    spawner,
  );
}

export async function stopProcess(p: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const t = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  await p.exited;
  clearTimeout(t);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A spec that trains in about a second on the TypeScript kernels. */
export function tinySpec(over: { epochs?: number; trainSize?: number; features?: number; seed?: number; evalsPerEpoch?: number } = {}) {
  return {
    name: 'tiny',
    data: { dataset: 'synthetic', trainSize: over.trainSize ?? 400, validationSize: 100, testSize: 100, features: over.features ?? 64, classes: 4, separation: 2 },
    model: { hidden: [16] },
    training: { batchSize: 20, lambda: 0.001, schedule: { kind: 'constant', eta: 0.05, epochs: over.epochs ?? 3 }, evalsPerEpoch: over.evalsPerEpoch ?? 4 },
    seed: over.seed ?? 7,
  };
}

/** Is the local Redis answering? */
export const redisAnswers = (url = REDIS_URL): Promise<boolean> => probeRedis(url, 500);

const REDIS_ARGS = ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'];

/** Starts the machine's Redis the way CI runs it, unless it already answers. */
export async function ensureRedis(): Promise<void> {
  if (await redisAnswers()) return;
  const { spawnSync } = await import('node:child_process');
  spawnSync('redis-server', REDIS_ARGS, { stdio: 'ignore' });
  await waitFor('redis to answer', () => redisAnswers(), 10_000);
}

/** Stops the local Redis without saving (it keeps nothing), then starts it again, empty. */
export async function restartRedis(): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  spawnSync('redis-cli', ['-p', '6379', 'shutdown', 'nosave'], { stdio: 'ignore' });
  await waitFor('redis to stop', async () => !(await redisAnswers()), 10_000);
  await ensureRedis();
}
