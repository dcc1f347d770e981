// The native side of bench/epochBench.ts's interleaved comparison, as a child process:
// `node dist/bench/epochServe.js --data DIR --epochs N [--threads N] [--sgemm KIND] [--trials T]`
// loads the data and builds the 3072-50-50-10 BN training once (a fused group of T trials that
// differ in lambda and seed with --trials), prints {"ready": detail}, then runs
// one epoch per "epoch" line read from stdin and prints {"seconds": ...} (update steps only).
// One process per configuration keeps their thread pools and OpenBLAS threads apart, and lets a
// configuration be another build: this file only uses what every version of the core has, so it
// can be copied into an older checkout's dist/bench to measure before against after.
import { createInterface } from 'node:readline';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { loadNativeKernels } from '../src/nativeKernels/loadNativeKernels.js';
import { createTrainingGroup } from '../src/core/training/trainingGroup.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, {
    data: { type: 'string' },
    epochs: { type: 'string', default: '20' },
    threads: { type: 'string' },
    sgemm: { type: 'string' },
    hidden: { type: 'string', default: '50,50' },
    trials: { type: 'string', default: '1' },
  });
const dataDir = values.data ?? process.env.CIFAR10_DIR;
const T = Number(values.trials);
const specFor = (t: number) => parseSpec({
  data: dataDir
    ? { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 }
    : { dataset: 'synthetic', trainSize: 45000, validationSize: 5000, testSize: 1000, features: 3072, classes: 10 },
  model: { hidden: values.hidden!.split(',').filter(Boolean).map(Number), batchNorm: 'before' },
  training: { batchSize: 100, lambda: 0.005 * (t + 1), schedule: { kind: 'constant', eta: 0.01, epochs: Number(values.epochs) }, evalsPerEpoch: 0, evalSamples: 100 },
  precision: 'float32',
  seed: 1 + t,
  dataSeed: 1,
});
const specs = Array.from({ length: T }, (_, t) => {
  const r = specFor(t);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
});
const { kernels } = selectKernels({ backend: 'native', threads: values.threads ? Number(values.threads) : undefined });
// A control a newer addon has; an older build runs as it is.
const nk = loadNativeKernels() as unknown as { setSgemm?: (k: string) => string };
if (values.sgemm && nk.setSgemm) nk.setSgemm(values.sgemm);
const data = loadDataset(specs[0], dataDir);
const gen = createTrainingGroup({ specs, data, kernels }).run();
process.stdout.write(JSON.stringify({ ready: kernels.detail }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'epoch') break;
  let seconds = NaN;
  // CPU time of the update steps: the intervals between consecutive step events, except the last
  // one, which also holds the epoch's end (its evaluation); scaled back to the whole epoch.
  const intervals: number[] = [];
  let last = process.cpuUsage();
  for (let x = gen.next(); !x.done; x = gen.next()) {
    if (x.value.kind === 'step') {
      const now = process.cpuUsage();
      intervals.push(now.user - last.user + now.system - last.system);
      last = now;
    }
    if (x.value.kind === 'epoch' && x.value.trial === T - 1) {
      seconds = x.value.summary.trainSeconds;
      break;
    }
  }
  intervals.pop();
  // With one thread, a measure of the work done that other processes on the machine barely disturb.
  const cpuSeconds = (intervals.reduce((a, b) => a + b, 0) * (intervals.length + 1)) / Math.max(1, intervals.length) / 1e6;
  process.stdout.write(JSON.stringify({ seconds, cpuSeconds }) + '\n');
}
process.exit(0);
