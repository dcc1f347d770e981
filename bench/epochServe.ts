// The native side of bench/epochBench.ts's interleaved comparison, as a child process:
// `node dist/bench/epochServe.js --data DIR --epochs N [--threads N] [--sgemm KIND] [--policy fixed|adaptive]`
// loads the data and builds the 3072-50-50-10 BN training once, prints {"ready": detail}, then runs
// one epoch per "epoch" line read from stdin and prints {"seconds": ...} (update steps only).
// One process per configuration keeps their thread pools and OpenBLAS threads apart, and lets a
// configuration be another build: this file only uses what every version of the core has, so it
// can be copied into an older checkout's dist/bench to measure before against after.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { loadNativeKernels } from '../src/nativeKernels/loadNativeKernels.js';
import { createTraining } from '../src/core/training/training.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    epochs: { type: 'string', default: '20' },
    threads: { type: 'string' },
    sgemm: { type: 'string' },
    policy: { type: 'string' },
    hidden: { type: 'string', default: '50,50' },
  },
});
const dataDir = values.data ?? process.env.CIFAR10_DIR;
const r = parseSpec({
  data: dataDir
    ? { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 }
    : { dataset: 'synthetic', trainSize: 45000, validationSize: 5000, testSize: 1000, features: 3072, classes: 10 },
  model: { hidden: values.hidden!.split(',').filter(Boolean).map(Number), batchNorm: 'before' },
  training: { batchSize: 100, lambda: 0.005, schedule: { kind: 'constant', eta: 0.01, epochs: Number(values.epochs) }, evalsPerEpoch: 0, evalSamples: 100 },
  precision: 'float32',
});
if (!r.ok) throw new Error(JSON.stringify(r.problems));
const { kernels } = selectKernels({ backend: 'native', threads: values.threads ? Number(values.threads) : undefined });
// Controls a newer addon has; an older build has none of them and runs as it is.
const nk = loadNativeKernels() as unknown as { setSgemm?: (k: string) => string; setThreadPolicy?: (p: string) => string; threadStats?: () => unknown };
if (values.sgemm && nk.setSgemm) nk.setSgemm(values.sgemm);
if (values.policy && nk.setThreadPolicy) nk.setThreadPolicy(values.policy);
const data = loadDataset(r.spec, dataDir);
const gen = createTraining({ spec: r.spec, data, kernels }).run();
process.stdout.write(JSON.stringify({ ready: kernels.detail }) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'epoch') break;
  let seconds = NaN;
  for (let x = gen.next(); !x.done; x = gen.next()) {
    if (x.value.kind === 'epoch') {
      seconds = x.value.summary.trainSeconds;
      break;
    }
  }
  process.stdout.write(JSON.stringify({ seconds, threads: nk.threadStats ? nk.threadStats() : null }) + '\n');
}
process.exit(0);
