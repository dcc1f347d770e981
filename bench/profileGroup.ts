// `node dist/bench/profileGroup.js --data DIR [--trials 5] [--threads 1] [--precision float32|bfloat16]`: where a fused group's
// epoch goes as the reports' search trains it (3072-50-50-10 BN, 45,000 images, batch 100, two
// evaluation points an epoch, the epoch end on the whole training and validation sets), kernel by
// kernel, evaluation included. Epoch 1 warms up; epochs 2 and 3 are profiled.
import { createTrainingGroup } from '../src/core/training/trainingGroup.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { cpuDescription } from './cpuDescription.js';
import { timedKernels } from './timedKernels.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { data: { type: 'string' }, trials: { type: 'string', default: '5' }, threads: { type: 'string', default: '1' }, precision: { type: 'string', default: 'float32' } });
const dataDir = values.data ?? process.env.CIFAR10_DIR;
if (!dataDir) throw new Error('pass --data DIR (CIFAR-10, binary layout)');
const T = Number(values.trials);
const specs: ExperimentSpec[] = Array.from({ length: T }, (_, t) => {
  const r = parseSpec({
    data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000, test: ['test_batch'] },
    model: { hidden: [50, 50], batchNorm: 'before', init: { kind: 'he' } },
    training: { batchSize: 100, lambda: 0.001 * (t + 1), schedule: { kind: 'constant', eta: 0.01, epochs: 3 }, evalsPerEpoch: 2 },
    seed: t + 1,
    dataSeed: 1,
    precision: values.precision,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
});
const { kernels } = selectKernels({ backend: 'native', threads: Number(values.threads) });

const { kernels: timed, totals, setTiming } = timedKernels(kernels);
let timing = false;

const data = loadDataset(specs[0], dataDir);
const gen = createTrainingGroup({ specs, data, kernels: timed }).run();
let t0 = 0;
let wall = 0;
for (let x = gen.next(); !x.done; x = gen.next()) {
  const e = x.value as { kind: string; summary?: { epoch: number } };
  if (e.kind !== 'epoch') continue;
  if (e.summary!.epoch === 1 && !timing && t0 === 0) {
    timing = true;
    setTiming(true);
    t0 = performance.now();
  }
  if (e.summary!.epoch === 3 && timing) {
    wall = performance.now() - t0;
    timing = false;
    setTiming(false);
  }
}
const flops = (label: string, calls: number) => {
  const m = /(\d+)x(\d+)x(\d+)$/.exec(label);
  return m ? 2 * Number(m[1]) * Number(m[2]) * Number(m[3]) * calls : 0;
};
console.log(`${T} fused trials, ${values.precision}, epochs 2-3 with their evaluation, ${values.threads} thread(s), ${cpuDescription()}: ${(wall / 2).toFixed(0)} ms an epoch`);
console.log('| kernel | calls | ms | share | GFLOP/s |');
console.log('|---|---|---|---|---|');
const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
for (const [name, v] of rows.slice(0, 16)) {
  const g = flops(name, v.calls);
  console.log(`| ${name} | ${v.calls} | ${v.ms.toFixed(0)} | ${((100 * v.ms) / wall).toFixed(1)} % | ${g ? (g / (v.ms / 1000) / 1e9).toFixed(0) : ''} |`);
}
const kernelMs = rows.reduce((s, [, v]) => s + v.ms, 0);
const otherKernels = rows.slice(16).reduce((s, [, v]) => s + v.ms, 0);
console.log(`| ${rows.length - 16} other kernels | | ${otherKernels.toFixed(0)} | ${((100 * otherKernels) / wall).toFixed(1)} % | |`);
console.log(`| TypeScript around the kernels | | ${(wall - kernelMs).toFixed(0)} | ${((100 * (wall - kernelMs)) / wall).toFixed(1)} % | |`);
