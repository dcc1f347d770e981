// What `npm run bench:ui` measures the dashboard on, written straight into its private database:
//  - a project of 10,000 finished runs (SQL in bulk: multi-row INSERTs of specs that parseSpec
//    accepted, their columns from the store's specColumns, final metrics, tags, names), 20 of
//    them with 1,200-point metric histories for the compare page;
//  - one run with a 100,000-point history and its 1,000 epochs (INSERT ... SELECT generate_series);
//  - a 2,000-trial coarse-to-fine search with successive halving, planned by the real search
//    driver (src/search/searchDriver.ts through the store's Postgres SearchStorage: stages,
//    trials, fused groups, intervals refined from stage 0's two best), whose trials' outcomes
//    are synthetic: an objective from the parameters plus noise, recorded at every rung, the
//    rungs decided by the same decideRung the trainers use, the losers pruned there.
// Nothing here trains; the SSE measurement trains a real run with a real worker instead.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';
import { advanceSearch } from '../src/search/searchDriver.js';
import { parseSearchSpec } from '../src/search/searchSpec.js';
import { searchColumns } from '../src/search/stagePlanner.js';
import { decideRung, rungSteps } from '../src/search/successiveHalving.js';
import { specColumns } from '../src/store/runs.js';
import type { Store } from '../src/store/store.js';

/** A deterministic generator (mulberry32) so that every run of the bench seeds the same rows. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return { next, normal, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

function spec(raw: unknown): ExperimentSpec {
  const p = parseSpec(raw);
  if (!p.ok) throw new Error(`seed spec rejected: ${JSON.stringify(p.problems)}`);
  return p.spec;
}

const SPLITS = ['train_loss', 'train_cost', 'train_accuracy', 'validation_loss', 'validation_cost', 'validation_accuracy'];

/** Loss, cost and accuracy of a split that reaches accuracy `acc` with weight decay `lambda`. */
function splitMetrics(acc: number, lambda: number, r: ReturnType<typeof rng>) {
  const loss = Math.max(0.05, 2.3 * (1 - acc) * (1.15 + 0.05 * r.normal()));
  return { loss, cost: loss + lambda * (20 + 5 * r.next()), accuracy: Math.min(0.999, Math.max(0.05, acc)) };
}

/** A client whose connection errors (the database dropped on teardown) surface as query errors, not a crash. */
async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function insertRows(c: pg.Client, table: string, columns: string[], types: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => `(${row.map((v, k) => (values.push(v), `$${values.length}::${types[k]}`)).join(', ')})`);
    await c.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

export interface TableSeed {
  runs: number;
  compareIds: string[];
  pointsPerCompareRun: number;
}

/** 10,000 finished runs of many shapes; the first 20 succeeded ones get metric histories. */
export async function seedRunTable(url: string, projectId: string, n = 10_000, compare = 20): Promise<TableSeed> {
  const r = rng(8);
  const c = await connect(url);
  const shapes = [[], [50], [50, 50], [100], [50, 30, 20], [64, 64, 64], [200], [50, 50, 50, 50, 50, 50, 50, 50]];
  const tagPool = ['baseline', 'sweep', 'cifar10', 'cyclic', 'batchnorm', 'ablation', 'paper', 'overnight', 'noise', 'wide'];
  const now = Date.now();
  const rows: unknown[][] = [];
  const compareIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const hidden = r.pick(shapes);
    const cyclical = r.next() < 0.7;
    const lambda = 10 ** (-5 + 4 * r.next());
    const s = spec({
      name: `${hidden.length ? hidden.join('x') : 'linear'}-${cyclical ? 'cyclic' : 'constant'}-${i}`,
      data: r.next() < 0.6 ? { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_2'], test: ['test_batch'] } : { dataset: 'synthetic', trainSize: 5000, validationSize: 1000, testSize: 1000, features: 3072, classes: 10 },
      model: { hidden, batchNorm: hidden.length > 1 ? r.pick(['none', 'before', 'after']) : 'none', activation: { kind: r.pick(['relu', 'relu', 'leakyRelu', 'elu']) }, init: { kind: r.pick(['he', 'xavier']) } },
      training: {
        batchSize: r.pick([50, 100, 100, 200]),
        lambda,
        schedule: cyclical ? { kind: 'cyclical', etaMin: 1e-5, etaMax: r.pick([0.02, 0.05, 0.1]), stepSize: r.pick([500, 800, 900, 2250]), cycles: r.pick([1, 2, 3]) } : { kind: 'constant', eta: r.pick([0.001, 0.01, 0.1]), epochs: r.pick([10, 20, 40]) },
        momentum: r.next() < 0.3 ? 0.9 : 0,
        evalsPerEpoch: 10,
      },
      seed: 1 + (i % 97),
    });
    const cols = specColumns(s);
    const u = r.next();
    const status = i < 200 ? 'succeeded' : u < 0.88 ? 'succeeded' : u < 0.94 ? 'failed' : 'cancelled';
    const created = new Date(now - i * 257_000 - Math.floor(r.next() * 60_000));
    const started = new Date(created.getTime() + 2000 + Math.floor(r.next() * 30_000));
    const wall = 20_000 + r.next() * 600_000;
    const done = status === 'succeeded';
    const frac = done ? 1 : r.next();
    const quality = 0.3 + 0.06 * hidden.length ** 0.5 - 0.03 * Math.abs(Math.log10(lambda) + 2.5) + 0.02 * r.normal();
    const split = (d: number) => (done ? splitMetrics(quality + d, lambda, r) : null);
    const [tr, va, te] = [split(0.08), split(0), split(-0.005)];
    const tags = Array.from(new Set([r.pick(tagPool), ...(r.next() < 0.5 ? [r.pick(tagPool)] : [])]));
    const id = randomUUID();
    if (done && compareIds.length < compare) compareIds.push(id);
    rows.push([
      id, projectId, s.name, tags, status, JSON.stringify(s), cols.dataset, cols.hiddenLayers, cols.batchNorm, cols.scheduleKind, cols.lambda, cols.batchSize, String(cols.seed),
      cols.epochsTotal, cols.stepsTotal, Math.floor(cols.epochsTotal * frac), Math.floor(cols.stepsTotal * frac), cols.specHash,
      tr?.accuracy ?? null, va?.accuracy ?? null, te?.accuracy ?? null, tr?.loss ?? null, va?.loss ?? null, te?.loss ?? null, tr?.cost ?? null, va?.cost ?? null, te?.cost ?? null,
      done ? 'native' : null, status === 'failed' ? 'the trainer exited with code 137 (out of memory?)' : null, 1, created, started, new Date(started.getTime() + wall * frac), new Date(started.getTime() + wall * frac),
    ]);
  }
  await insertRows(
    c,
    'runs',
    ['id', 'project_id', 'name', 'tags', 'status', 'spec', 'dataset', 'hidden_layers', 'batch_norm', 'schedule_kind', 'lambda', 'batch_size', 'seed', 'epochs_total', 'steps_total', 'epoch', 'step', 'spec_hash',
      'train_accuracy', 'validation_accuracy', 'test_accuracy', 'train_loss', 'validation_loss', 'test_loss', 'train_cost', 'validation_cost', 'test_cost', 'backend', 'error', 'attempts', 'created_at', 'started_at', 'finished_at', 'updated_at'],
    ['uuid', 'uuid', 'text', 'text[]', 'run_status', 'jsonb', 'text', 'int', 'text', 'text', 'float8', 'int', 'bigint', 'int', 'int', 'int', 'int', 'text',
      'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'text', 'text', 'int', 'timestamptz', 'timestamptz', 'timestamptz', 'timestamptz'],
    rows,
  );
  const pointsPerCompareRun = 1200;
  for (const id of compareIds) await insertCurve(c, id, pointsPerCompareRun, 0.4 + 0.15 * r.next());
  await c.query('ANALYZE runs; ANALYZE metric_points');
  await c.end();
  return { runs: n, compareIds, pointsPerCompareRun };
}

/**
 * `points` evaluation points every 10 steps of a run (1,000 steps per epoch, a full evaluation at
 * each epoch's end): decaying losses with noise under a triangular cyclical learning rate.
 */
async function insertCurve(c: pg.Client, runId: string, points: number, reach: number, stepSize = 5000): Promise<void> {
  await c.query(
    `WITH s AS (SELECT k * 10 AS step, random() AS n1, random() AS n2 FROM generate_series(1, $2::int) AS k),
          m AS (SELECT step, step / 1000.0 AS epoch,
                       1e-5 + (0.1 - 1e-5) * (1 - abs((step % (2 * $4::int))::float8 / $4::int - 1)) AS lr,
                       1 - exp(-step / ($2 * 2.0)) AS p, n1, n2 FROM s)
     INSERT INTO metric_points (run_id, step, epoch, lr, "full", ${SPLITS.join(', ')}, seconds)
     SELECT $1::uuid, step, epoch, lr, step % 1000 = 0,
            2.3 - 1.2 * p + 0.08 * (n1 - 0.5), 2.32 - 1.2 * p + 0.08 * (n1 - 0.5), 0.1 + ($3 + 0.08) * p + 0.02 * (n2 - 0.5),
            2.3 - 1.0 * p + 0.06 * (n2 - 0.5), 2.32 - 1.0 * p + 0.06 * (n2 - 0.5), 0.1 + $3 * p + 0.015 * (n1 - 0.5),
            step * 0.002
     FROM m`,
    [runId, points, reach, stepSize],
  );
}

/** One succeeded run with a 100,000-point history (1,000,000 updates, 1,000 epochs). */
export async function seedLongRun(url: string, projectId: string, points = 100_000): Promise<string> {
  const c = await connect(url);
  const s = spec({
    name: `long-cyclic-${points}-points`,
    data: { dataset: 'synthetic', trainSize: 10000, validationSize: 2000, testSize: 2000, features: 3072, classes: 10 },
    model: { hidden: [50, 50], batchNorm: 'before' },
    training: { batchSize: 10, lambda: 0.005, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 5000, cycles: (points * 10) / 10_000 }, evalsPerEpoch: 100 },
    seed: 1,
  });
  const cols = specColumns(s);
  const id = randomUUID();
  const t0 = new Date(Date.now() - 3 * 3600_000);
  await insertRows(
    c,
    'runs',
    ['id', 'project_id', 'name', 'tags', 'status', 'spec', 'dataset', 'hidden_layers', 'batch_norm', 'schedule_kind', 'lambda', 'batch_size', 'seed', 'epochs_total', 'steps_total', 'epoch', 'step', 'spec_hash',
      'train_accuracy', 'validation_accuracy', 'test_accuracy', 'train_loss', 'validation_loss', 'test_loss', 'backend', 'created_at', 'started_at', 'finished_at'],
    ['uuid', 'uuid', 'text', 'text[]', 'run_status', 'jsonb', 'text', 'int', 'text', 'text', 'float8', 'int', 'bigint', 'int', 'int', 'int', 'int', 'text',
      'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'text', 'timestamptz', 'timestamptz', 'timestamptz'],
    [[id, projectId, s.name, ['long', 'bench'], 'succeeded', JSON.stringify(s), cols.dataset, cols.hiddenLayers, cols.batchNorm, cols.scheduleKind, cols.lambda, cols.batchSize, String(cols.seed),
      cols.epochsTotal, cols.stepsTotal, cols.epochsTotal, cols.stepsTotal, cols.specHash, 0.63, 0.52, 0.51, 1.1, 1.38, 1.4, 'native', t0, t0, new Date(t0.getTime() + 2 * 3600_000)]],
  );
  await insertCurve(c, id, points, 0.42);
  await c.query(
    `INSERT INTO epochs (run_id, epoch, step, lr, train_seconds, ${SPLITS.join(', ')})
     SELECT run_id, (step / 1000)::int, step, lr, 2.0, ${SPLITS.join(', ')} FROM metric_points WHERE run_id = $1 AND "full"`,
    [id],
  );
  await c.query('ANALYZE metric_points; ANALYZE epochs');
  await c.end();
  return id;
}

export interface SearchSeed {
  id: string;
  trials: number;
  stages: number;
  pruned: number;
  rungValues: number;
}

/** The search request: 2 stages of 1,000 trials over 4 parameters, 3 cycles, rungs after cycles 1 and 2. */
export const SEARCH_REQUEST = {
  name: 'bench-2000-trials',
  base: {
    data: { dataset: 'synthetic', trainSize: 2000, validationSize: 500, testSize: 500, features: 192, classes: 10, separation: 2 },
    model: { hidden: [32] },
    training: { batchSize: 50, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 80, cycles: 3 }, evalsPerEpoch: 2 },
  },
  space: { lambda: { logUniform: [-5, -1] }, etaMax: { uniform: [0.01, 0.2] }, 'model.hidden.0': { intRange: { min: 16, max: 64, step: 8 } }, momentum: { uniform: [0, 0.9] } },
  strategy: { kind: 'coarseToFine', trials: 1000, stages: 2, sampling: 'random', seed: 5 },
  objective: { metric: 'validationAccuracy' },
  budget: { maxTrials: 2000, maxParallel: 256 },
  pruning: { kind: 'successiveHalving', reduction: 3 },
};

/** The search planned by the driver; each stage's trials given synthetic outcomes, then the next planned. */
export async function seedSearch(url: string, store: Store, projectId: string): Promise<SearchSeed> {
  const parsed = parseSearchSpec(SEARCH_REQUEST);
  if (!parsed.ok) throw new Error(`search request rejected: ${JSON.stringify(parsed.problems)}`);
  const { search } = await store.searches.create({ projectId, spec: parsed.search, ...searchColumns(parsed.search) });
  const c = await connect(url);
  const r = rng(21);
  let pruned = 0;
  let rungValues = 0;
  const t0 = Date.now() - 3600_000;
  for (let stage = 0; ; stage++) {
    const step = await advanceSearch(store.searchStorage, search.id, 2);
    if (step.finished) break;
    const trials = (await c.query<{ id: string; trial_index: number; params: Record<string, number>; spec: ExperimentSpec }>(
      `SELECT id, trial_index, params, spec FROM runs WHERE search_id = $1 AND stage = $2 AND reused_from_run_id IS NULL AND status IN ('queued', 'running') ORDER BY trial_index`,
      [search.id, stage],
    )).rows;
    if (trials.length === 0) throw new Error(`stage ${stage}: the driver planned no trials to fill`);
    const ladder = rungSteps(trials[0].spec, SEARCH_REQUEST.pruning.reduction);
    const total = trials[0].spec.training.schedule.kind === 'cyclical' ? 2 * trials[0].spec.training.schedule.stepSize * trials[0].spec.training.schedule.cycles : 0;
    // How good each trial is: best near lambda 1e-3, etaMax 0.08, wider and with some momentum.
    const quality = new Map(
      trials.map((t) => {
        const p = t.params;
        const q = 0.52 - 0.035 * (Math.log10(p.lambda) + 3) ** 2 - 6 * (p.etaMax - 0.08) ** 2 + 0.0012 * (p['model.hidden.0'] - 16) + 0.02 * p.momentum + 0.012 * r.normal();
        return [t.id, q];
      }),
    );
    const at = (id: string, rung: number) => quality.get(id)! - 0.05 * (ladder.length - rung) + 0.006 * r.normal();
    let alive = trials;
    const rungRows: unknown[][] = [];
    const outcome = new Map<string, { status: 'succeeded' | 'pruned'; step: number; value: number }>();
    for (let k = 0; k < ladder.length; k++) {
      const values = new Map(alive.map((t) => [t.id, at(t.id, k)]));
      const { promoted } = decideRung(alive.map((t) => ({ runId: t.id, value: values.get(t.id)!, order: t.trial_index })), SEARCH_REQUEST.pruning.reduction, 'maximize');
      for (const t of alive) {
        const v = values.get(t.id)!;
        const va = splitMetrics(v, t.params.lambda, r);
        const tr = splitMetrics(v + 0.06, t.params.lambda, r);
        rungRows.push([search.id, stage, ladder[k], t.id, v, promoted.get(t.id) ?? false, tr.loss, tr.cost, tr.accuracy, va.loss, va.cost, va.accuracy]);
        if (!promoted.get(t.id)) outcome.set(t.id, { status: 'pruned', step: ladder[k], value: v });
      }
      alive = alive.filter((t) => promoted.get(t.id));
    }
    for (const t of alive) outcome.set(t.id, { status: 'succeeded', step: total, value: at(t.id, ladder.length) });
    rungValues += rungRows.length;
    await insertRows(
      c,
      'rung_results',
      ['search_id', 'stage', 'step', 'run_id', 'value', 'promoted', ...SPLITS],
      ['uuid', 'int', 'int', 'uuid', 'float8', 'bool', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8'],
      rungRows,
    );
    const upd = trials.map((t) => {
      const o = outcome.get(t.id)!;
      const va = splitMetrics(o.value, t.params.lambda, r);
      const tr = splitMetrics(o.value + 0.06, t.params.lambda, r);
      const te = splitMetrics(o.value - 0.004, t.params.lambda, r);
      if (o.status === 'pruned') pruned++;
      const start = new Date(t0 + stage * 1200_000 + Math.floor(t.trial_index / 16) * 20_000);
      return [t.id, o.status, o.step, Math.floor(o.step / 40), o.value, o.status === 'pruned' ? o.step : null, tr.accuracy, va.accuracy, te.accuracy, tr.loss, va.loss, te.loss, tr.cost, va.cost, te.cost, start, new Date(start.getTime() + o.step * 40)];
    });
    for (let i = 0; i < upd.length; i += 500) {
      const chunk = upd.slice(i, i + 500);
      const values: unknown[] = [];
      const types = ['uuid', 'run_status', 'int', 'int', 'float8', 'int', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'float8', 'timestamptz', 'timestamptz'];
      const tuples = chunk.map((row) => `(${row.map((v, k) => (values.push(v), `$${values.length}::${types[k]}`)).join(', ')})`);
      await c.query(
        `UPDATE runs r SET status = v.status, step = v.step, epoch = v.epoch, objective = v.objective, pruned_at_step = v.pruned_at,
                train_accuracy = v.tra, validation_accuracy = v.vaa, test_accuracy = v.tea, train_loss = v.trl, validation_loss = v.val, test_loss = v.tel,
                train_cost = v.trc, validation_cost = v.vac, test_cost = v.tec, backend = 'native', attempts = 1, seconds_left = NULL,
                started_at = v.started, finished_at = v.finished, updated_at = v.finished
         FROM (VALUES ${tuples.join(', ')}) AS v(id, status, step, epoch, objective, pruned_at, tra, vaa, tea, trl, val, tel, trc, vac, tec, started, finished)
         WHERE r.id = v.id`,
        values,
      );
    }
  }
  const stages = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM search_stages WHERE search_id = $1', [search.id])).rows[0].n;
  const trials = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM runs WHERE search_id = $1', [search.id])).rows[0].n;
  await c.query('ANALYZE runs; ANALYZE rung_results');
  await c.end();
  return { id: search.id, trials, stages, pruned, rungValues };
}
