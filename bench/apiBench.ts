// `npm run bench:api`: load on the API (autocannon, on the same machine) for GET /v1/runs/:id of a
// finished and of an unfinished run and for GET /v1/runs?limit=20 (a project of 1,000 runs):
// first with no training running, then again while two workers train. Then what persisting
// metrics costs a worker's run (the worker's own accounting, against the same training in-process).
// Targets (issue 11): unfinished-run reads >= 5,000 req/s and the list >= 2,500 req/s, p99 < 50 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { createTraining } from '../src/core/training/training.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { createStore } from '../src/store/store.js';
import { dropDatabase, ensureDatabase, migrate } from '../src/store/migrate.js';
import { cpuDescription } from './cpuDescription.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PG = process.env.DATABASE_URL_BASE ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORT = 3900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${PORT}`;

const dbUrl = (() => {
  const u = new URL(PG);
  u.pathname = `/trainyard_bench_${randomBytes(3).toString('hex')}`;
  return u.toString();
})();
const env = { ...process.env, DATABASE_URL: dbUrl, REDIS_URL: REDIS, QUEUE_PREFIX: `tybench-${randomBytes(3).toString('hex')}`, PORT: String(PORT), RATE_LIMIT_MAX: '1000000000', LOG_LEVEL: 'info' };

function start(script: string, capture = false): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [script], { cwd: root, env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out };
}

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function post(path: string, key: string, body: unknown): Promise<{ id: string }> {
  const r = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
}

async function get(path: string, key: string): Promise<Record<string, unknown>> {
  return (await (await fetch(base + path, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, unknown>;
}

async function load(label: string, path: string, key: string): Promise<void> {
  const r = await autocannon({ url: base + path, connections: 64, duration: 10, headers: { authorization: `Bearer ${key}` } });
  const non2xx = r.non2xx + r.errors;
  console.log(`| ${label} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${non2xx} |`);
}

const referenceSpec = {
  name: 'two-layer-cyclic',
  data: { dataset: 'synthetic', trainSize: 10000, validationSize: 10000, testSize: 10000, features: 3072, classes: 10 },
  model: { hidden: [50], batchNorm: 'none', activation: { kind: 'relu' }, init: { kind: 'he' } },
  training: { batchSize: 100, lambda: 0.01, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 800, cycles: 3 }, evalsPerEpoch: 10 },
  seed: 1,
};

/** n finished runs of the project, with spec and metrics, straight into the table. */
async function seedRuns(url: string, project: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const spec = JSON.stringify(parseSpec(referenceSpec).ok ? (parseSpec(referenceSpec) as { spec: unknown }).spec : referenceSpec);
  await c.query(
    `INSERT INTO runs (id, project_id, name, tags, status, spec, dataset, hidden_layers, batch_norm, schedule_kind, lambda, batch_size, seed, epochs_total, steps_total, epoch, step,
                       train_accuracy, validation_accuracy, test_accuracy, train_loss, validation_loss, test_loss, train_cost, validation_cost, test_cost, backend, created_at, finished_at)
     SELECT gen_random_uuid(), $1, 'seeded ' || i, '{bench}', 'succeeded', $2::jsonb, 'synthetic', 1, 'none', 'cyclical', 0.01 * random(), 100, i, 48, 4800, 48, 4800,
            random(), random(), random(), random(), random(), random(), random(), random(), random(), 'native', now() - i * interval '1 minute', now()
     FROM generate_series(1, $3) AS i`,
    [project, spec, n],
  );
  await c.end();
}

await ensureDatabase(dbUrl);
await migrate(dbUrl);
const store = createStore(dbUrl, { ormConnections: 2, sqlConnections: 2 });
const { key, projectId } = await store.keys.create('bench');
const api = start('dist/src/api/server.js');
const processes: ChildProcess[] = [api.child];
try {
  await until('the API', async () => (await fetch(`${base}/healthz`)).ok);
  console.log(`# API benchmark ${new Date().toISOString()}; ${cpuDescription()}; autocannon 64 connections, 10 s each; API and load generator on the same machine`);
  const worker = start('dist/worker/main.js', true);
  processes.push(worker.child);
  const tiny = { ...referenceSpec, data: { ...referenceSpec.data, trainSize: 400, validationSize: 100, testSize: 100, features: 64 }, model: { hidden: [16] }, training: { batchSize: 20, schedule: { kind: 'constant', eta: 0.05, epochs: 2 } } };
  const finished = await post('/v1/runs', key, { spec: tiny });
  await until('the tiny run', async () => (await get(`/v1/runs/${finished.id}`, key)).status === 'succeeded');

  // Persistence cost: the reference run through the worker, against the same training in-process.
  const ref = await post('/v1/runs', key, { spec: referenceSpec });
  await until('the reference run', async () => (await get(`/v1/runs/${ref.id}`, key)).status === 'succeeded', 600_000);
  const line = worker.out().split('\n').find((l) => l.includes('"run succeeded"') && l.includes(ref.id));
  const acct = line ? (JSON.parse(line) as { wallSeconds: number; persistSeconds: number; persistFraction: number; trainSeconds: number }) : null;
  worker.child.kill('SIGTERM');
  await new Promise((r) => worker.child.once('exit', r));

  const parsed = parseSpec(referenceSpec);
  if (!parsed.ok) throw new Error('reference spec');
  const { kernels } = selectKernels({ threads: 1 });
  const data = loadDataset(parsed.spec, undefined);
  const t0 = performance.now();
  const gen = createTraining({ spec: parsed.spec, data, kernels }).run();
  let r = gen.next();
  while (!r.done) r = gen.next();
  const inProcess = (performance.now() - t0) / 1000;

  // A project of 1,000 runs for the list (inserted directly: only their rows matter here).
  await seedRuns(dbUrl, projectId, 1000);
  const queued = await post('/v1/runs', key, { spec: tiny });
  const table = async (title: string) => {
    console.log(`\n${title}\n\n| request | req/s | p50 ms | p99 ms | errors |`);
    console.log('|---|---|---|---|---|');
    await load('GET /v1/runs/:id, finished run', `/v1/runs/${finished.id}`, key);
    await load('GET /v1/runs/:id, unfinished run', `/v1/runs/${queued.id}`, key);
    await load('GET /v1/runs?limit=20', `/v1/runs?limit=20`, key);
  };
  await table('## idle: no training running');

  // The same while two workers train (one long run each), as on a busy machine.
  const long = { ...referenceSpec, training: { ...referenceSpec.training, schedule: { ...referenceSpec.training.schedule, cycles: 50 } } };
  const trainers = [start('dist/worker/main.js'), start('dist/worker/main.js')];
  processes.push(...trainers.map((t) => t.child));
  const busy = [await post('/v1/runs', key, { spec: long }), await post('/v1/runs', key, { spec: long })];
  await until('both runs to train', async () => (await Promise.all(busy.map((b) => get(`/v1/runs/${b.id}`, key)))).every((b) => b.status === 'running' && (b.progress as { step: number }).step > 0));
  await table('## while two workers train (one run each, 1 BLAS thread)');
  for (const b of busy) await fetch(`${base}/v1/runs/${b.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  console.log('');
  if (acct) {
    console.log(
      `persisting metrics (reference two-layer cyclical run, synthetic 10k x 3072, ${kernels.backend}, 1 thread): ` +
        `${acct.persistSeconds.toFixed(2)} s of ${acct.wallSeconds.toFixed(1)} s worker wall time = ${(100 * acct.persistFraction).toFixed(1)} % ` +
        `(epoch transactions awaited + checkpoint encoding + yields for background writes); the same training in-process: ${inProcess.toFixed(1)} s`,
    );
  } else {
    console.log('persisting metrics: the worker did not log its accounting line');
  }
} finally {
  for (const p of processes) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await store.close();
  await dropDatabase(dbUrl).catch(() => {});
}
