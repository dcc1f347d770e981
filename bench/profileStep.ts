// `node dist/bench/profileStep.js [--backend native|ts] [--hidden 50,50] [--bn before] [--threads N] [--data DIR]`
// Where one epoch's update time goes, kernel by kernel: every kernel call of the update steps is
// timed (evaluation is left out, as in trainSeconds); the rest is the TypeScript around them.
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { createTraining } from '../src/core/training/training.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { timedKernels } from './timedKernels.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { backend: { type: 'string', default: 'native' }, hidden: { type: 'string', default: '50,50' }, bn: { type: 'string', default: 'before' }, threads: { type: 'string' }, data: { type: 'string' } });
const dataDir = values.data ?? process.env.CIFAR10_DIR;
const r = parseSpec({
  data: dataDir
    ? { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 }
    : { dataset: 'synthetic', trainSize: 45000, validationSize: 1000, testSize: 1000 },
  model: { hidden: values.hidden!.split(',').filter(Boolean).map(Number), batchNorm: values.bn },
  training: { batchSize: 100, lambda: 0.005, schedule: { kind: 'constant', eta: 0.01, epochs: 2 }, evalsPerEpoch: 0, evalSamples: 100 },
});
if (!r.ok) throw new Error(JSON.stringify(r.problems));
const { kernels } = selectKernels({ backend: values.backend as 'ts' | 'native', threads: values.threads ? Number(values.threads) : undefined });

// Evaluation runs in chunks of 500 rows (and uses inference batch norm): not update time.
const evaluation = (name: string, args: unknown[]) => name === 'batchNormInference' || (typeof args[0] === 'number' && args[0] === 500) || (name === 'gemm' && args[2] === 500);
const { kernels: timed, totals, setTiming } = timedKernels(kernels, evaluation);

const data = loadDataset(r.spec, dataDir);
const gen = createTraining({ spec: r.spec, data, kernels: timed }).run();
let epochSeconds = 0;
for (let x = gen.next(); !x.done; x = gen.next()) {
  const e = x.value;
  if (e.kind === 'epoch' && e.summary.epoch === 1) setTiming(true); // epoch 1 warms up; epoch 2 is profiled
  if (e.kind === 'epoch' && e.summary.epoch === 2) {
    epochSeconds = e.summary.trainSeconds;
    setTiming(false);
  }
}
const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((s, [, v]) => s + v.ms, 0);
console.log(`profile of one epoch (450 updates), ${kernels.detail}, network ${r.spec.model.hidden.join('-')} batch norm ${r.spec.model.batchNorm}`);
console.log(`epoch update time ${(epochSeconds * 1000).toFixed(0)} ms (timing each call adds ~0.1 us per call)`);
console.log('| kernel | calls | ms | share |');
console.log('|---|---|---|---|');
for (const [name, v] of rows) console.log(`| ${name} | ${v.calls} | ${v.ms.toFixed(1)} | ${((100 * v.ms) / (epochSeconds * 1000)).toFixed(1)} % |`);
const other = epochSeconds * 1000 - kernelMs;
console.log(`| TypeScript around the kernels | | ${other.toFixed(1)} | ${((100 * other) / (epochSeconds * 1000)).toFixed(1)} % |`);
