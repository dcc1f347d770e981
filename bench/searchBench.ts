// `npm run bench:search -- [--only headline,a,b,c,d] [--data DIR] [--no-torch] [--workers N] [--threads N] [--precision P,...]`:
//   headline: the reports' lambda search through the service with two workers against PyTorch
//       sequential and per core (bench/searchHeadline.ts; needs CIFAR-10); --threads fixes the
//       workers' TRAINYARD_THREADS (default: the product's, each job its share of the cores);
//       --precision float32,bfloat16 runs our search once per precision (default float32);
// and the figures of issue 5:
//   (a) seconds per epoch of an 8-trial fused group vs one trial (3072-50-50-10 BN, 45,000
//       images, native backend, 1 BLAS thread), in-process with createTrainingGroup;
//   (b) trials per hour of a 20-trial lambda search, fused vs one trial at a time (in-process,
//       runSearchLocally), on a shortened schedule;
//   (c) the same kind of search through the service with 1 and then 2 worker processes;
//   (d) leaderboard latency (median, p99) with 10,000 trials in the project.
// CIFAR-10 from --data or CIFAR10_DIR when given, else synthetic data of the same shape.
import { cpus } from 'node:os';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import type { DatasetSplits } from '../src/core/data/dataset.js';
import { createTrainingGroup } from '../src/core/training/trainingGroup.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { runSearchLocally } from '../src/search/localSearch.js';
import { parseSearchSpec } from '../src/search/searchSpec.js';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';
import { insertTrials, latency } from '../test/helpers/trialFixtures.js';
import { searchHeadline } from './searchHeadline.js';
import { startLocalService } from './serviceHarness.js';
import { cpuDescription } from './cpuDescription.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { only: { type: 'string', default: 'headline,a,b,c,d' }, data: { type: 'string' }, epochs: { type: 'string', default: '3' }, 'no-torch': { type: 'boolean', default: false }, workers: { type: 'string', default: '2' }, threads: { type: 'string' }, precision: { type: 'string', default: 'float32' } });
const only = new Set(values.only!.split(','));
const dataDir = values.data ?? process.env.CIFAR10_DIR;
if (dataDir) process.env.CIFAR10_DIR = dataDir;

const data45k = dataDir
  ? { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 }
  : { dataset: 'synthetic', trainSize: 45000, validationSize: 5000, testSize: 1000, features: 3072, classes: 10 };
const threeLayerBn = { hidden: [50, 50], batchNorm: 'before' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const say = (s: string) => console.log(s);

say(`# search benchmark ${new Date().toISOString()}`);
say(`machine: ${cpuDescription()}, node ${process.version}; data: ${dataDir ? `CIFAR-10 ${dataDir}` : 'synthetic 45,000 x 3072 (pass --data DIR for CIFAR-10)'}`);

function spec(input: unknown): ExperimentSpec {
  const r = parseSpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

async function benchA(): Promise<void> {
  const epochs = Number(values.epochs);
  const data = loadDataset(spec({ data: data45k }), dataDir);
  say(`\n## (a) fused group epoch time: 3072-50-50-10 BN, 45,000 images, batch 100, float32, native, 1 BLAS thread; median of ${epochs} epochs`);
  const { kernels } = selectKernels({ backend: 'native', threads: 1 });
  say(`backend: ${kernels.detail}`);
  const one = groupEpochs(1, data, epochs);
  const eight = groupEpochs(8, data, epochs);
  say(`| trials | update steps s/epoch | epoch incl. evaluation s | per trial s |`);
  say(`|---|---|---|---|`);
  say(`| 1 | ${one.train.toFixed(3)} | ${one.wall.toFixed(3)} | ${one.wall.toFixed(3)} |`);
  say(`| 8 fused | ${eight.train.toFixed(3)} | ${eight.wall.toFixed(3)} | ${(eight.wall / 8).toFixed(3)} |`);
  say(`8-trial fused epoch / one-trial epoch: ${(eight.train / one.train).toFixed(2)}x update steps, ${(eight.wall / one.wall).toFixed(2)}x with evaluation (target <= 3x)`);
}

/** (a) Median seconds per epoch of update steps, and of whole epochs with their evaluation, for a group of T trials. */
function groupEpochs(T: number, data: DatasetSplits, epochs: number): { train: number; wall: number } {
  const { kernels } = selectKernels({ backend: 'native', threads: 1 });
  const specs = Array.from({ length: T }, (_, t) =>
    spec({ data: data45k, model: threeLayerBn, training: { batchSize: 100, lambda: 0.001 * (t + 1), schedule: { kind: 'constant', eta: 0.01, epochs }, evalsPerEpoch: 0 }, seed: 1 + t, dataSeed: 1 }),
  );
  const gen = createTrainingGroup({ specs, data, kernels }).run();
  const train: number[] = [];
  const wall: number[] = [];
  let t0 = performance.now();
  for (let e = gen.next(); !e.done; e = gen.next()) {
    if (e.value.kind === 'epoch' && e.value.trial === T - 1) {
      train.push(e.value.summary.trainSeconds);
      wall.push((performance.now() - t0) / 1000);
      t0 = performance.now();
    }
  }
  return { train: median(train), wall: median(wall) };
}

/** A 20-trial random lambda search on the 3-layer BN network, one short cycle (2 epochs). */
function lambdaSearch(trials: number, stepSize: number) {
  const r = parseSearchSpec({
    name: 'bench-lambda',
    base: { data: data45k, model: threeLayerBn, training: { batchSize: 100, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize, cycles: 1 }, evalsPerEpoch: 2 }, seed: 1 },
    space: { lambda: { logUniform: [-5, -1] } },
    strategy: { kind: 'random', trials, seed: 1 },
    budget: { maxParallel: 16 },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.search;
}

async function benchB(): Promise<void> {
  const search = lambdaSearch(20, 450);
  say(`\n## (b) 20-trial lambda search in-process (runSearchLocally), shortened schedule: one cycle of n_s = 450 (2 epochs of 45,000 images) per trial, evaluation twice per epoch; native, 1 BLAS thread`);
  const { kernels } = selectKernels({ backend: 'native', threads: 1 });
  const data = loadDataset(search.base, dataDir);
  const rows: [string, number, number][] = [];
  for (const [label, fuse] of [['fused (default group size)', true], ['one trial at a time', false]] as const) {
    let groups = 0;
    const t0 = performance.now();
    await runSearchLocally({ ...search, fuse }, { loadData: () => data, kernels, onEvent: (e) => void (e.kind === 'group' && groups++) });
    const s = (performance.now() - t0) / 1000;
    rows.push([`${label}, ${groups} groups`, s, (20 / s) * 3600]);
  }
  say(`| mode | wall s | trials per hour |`);
  say(`|---|---|---|`);
  for (const [label, s, tph] of rows) say(`| ${label} | ${s.toFixed(1)} | ${tph.toFixed(0)} |`);
  say(`fused / unfused throughput: ${(rows[0][2] / rows[1][2]).toFixed(2)}x`);
}

async function benchC(): Promise<void> {
  const search = { ...lambdaSearch(16, 900), name: 'bench-workers' };
  say(`\n## (c) the service with 1 vs 2 worker processes (1 BLAS thread each): a 16-trial lambda search, one cycle of n_s = 900 (4 epochs) per trial; the groups are the same (2 fused groups of 8) either way; time from the search's creation to its end as the service records them`);
  const rows: [number, number, string][] = [];
  for (const workers of [1, 2]) {
    const svc = await startLocalService(`workers${workers}`, workers, { TRAINYARD_THREADS: '1' });
    try {
      const created = await svc.post('/v1/searches', search);
      const done = await svc.waitSearch(created.id, undefined, 1000);
      if (done.status !== 'succeeded') throw new Error(`search ${done.status}: ${done.error}`);
      const s = (Date.parse(done.finishedAt) - Date.parse(done.createdAt)) / 1000;
      const groups = await svc.db.trialGroup.findMany({ where: { searchId: created.id } });
      rows.push([workers, s, groups.map((g) => g.size).join('+')]);
    } finally {
      await svc.stop();
    }
  }
  say(`| workers | groups | search wall s | trials per hour |`);
  say(`|---|---|---|---|`);
  for (const [w, s, g] of rows) say(`| ${w} | ${g} | ${s.toFixed(1)} | ${((16 / s) * 3600).toFixed(0)} |`);
  say(`2 workers / 1 worker: ${(rows[0][1] / rows[1][1]).toFixed(2)}x (target >= 1.8x)`);
}

async function benchD(): Promise<void> {
  say(`\n## (d) leaderboard latency with 10,000 trials in the project (HTTP, keep-alive, sequential requests, 300 each)`);
  const svc = await startLocalService('board', 0);
  try {
    const searchId = await insertTrials(svc.db, svc.projectId, 10_000);
    say(`| request | median ms | p99 ms |`);
    say(`|---|---|---|`);
    for (const path of [`/v1/searches/${searchId}/leaderboard`, `/v1/searches/${searchId}/leaderboard?stage=1&metric=testAccuracy&limit=100`, '/v1/leaderboard?dataset=synthetic', '/v1/leaderboard?dataset=synthetic&metric=validationLoss&limit=100']) {
      await latency(20, () => svc.get(path));
      const l = await latency(300, () => svc.get(path));
      say(`| GET ${path.replace(searchId, ':id')} | ${l.median.toFixed(1)} | ${l.p99.toFixed(1)} |`);
    }
  } finally {
    await svc.stop();
  }
}

if (only.has('headline')) {
  if (dataDir) await searchHeadline({ dataDir, workers: Number(values.workers), threads: values.threads, torch: !values['no-torch'], precisions: values.precision!.split(','), say });
  else say('\n## headline skipped: it needs CIFAR-10 (--data DIR or CIFAR10_DIR; bash ../shared/datasets/prepare-cifar10.sh DIR makes it)');
}
if (only.has('a')) await benchA();
if (only.has('b')) await benchB();
if (only.has('c')) await benchC();
if (only.has('d')) await benchD();
process.exit(0);
