// `node dist/bench/gatherBench.js --data DIR [--rounds 9] [--configs 1,2]`
// The mini-batch gather as training runs it: 450 batches of 100 random CIFAR-10 images a round,
// each followed by the step's two first-layer products (so the caches hold what they hold in
// training), the gather and each product timed. Configurations (thread counts) are interleaved round by
// round; prints the median and spread of microseconds per batch.
import { cpus, loadavg } from 'node:os';
import { loadNativeKernels } from '../src/nativeKernels/loadNativeKernels.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { byteScaleNormalisation, computeNormalisation } from '../src/core/data/normalisation.js';
import { createRng, shuffle } from '../src/core/random.js';
import { cpuDescription } from './cpuDescription.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { data: { type: 'string' }, rounds: { type: 'string', default: '9' }, configs: { type: 'string', default: '1,2' } });
const nk = loadNativeKernels();
if (!nk) throw new Error('needs the native addon');
const r = parseSpec({ data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 } });
if (!r.ok) throw new Error(JSON.stringify(r.problems));
const data = loadDataset(r.spec, values.data ?? process.env.CIFAR10_DIR);
const set = data.train;
const d = set.d;
const bytes = byteScaleNormalisation(computeNormalisation(set));
const mean = Float32Array.from(bytes.mean);
const invStd = Float32Array.from(bytes.invStd);
const B = 100;
const X = nk.allocate('float32', B * d) as Float32Array;
const W = nk.allocate('float32', 50 * d) as Float32Array;
const S = new Float32Array(B * 50);
const G = new Float32Array(B * 50).fill(1e-3);
const order = Int32Array.from({ length: set.n }, (_, i) => i);
const rng = createRng(1, 2);
const configs = values.configs!.split(',').map((c) => ({ label: `${c} thread(s)`, threads: Number(c), us: [] as number[], nt: [] as number[], tn: [] as number[] }));

for (let round = 0; round <= Number(values.rounds); round++) {
  for (const c of configs) {
    nk.setThreads(c.threads);
    shuffle(rng, order);
    let ms = 0;
    let nt = 0;
    let tn = 0;
    for (let s = 0; s + B <= set.n; s += B) {
      const rows = order.subarray(s, s + B);
      const t0 = performance.now();
      nk.gatherNormalize(B, d, set.x, rows, mean, invStd, X);
      const t1 = performance.now();
      nk.gemm(false, true, B, 50, d, 1, X, d, W, d, 0, S, 50);
      const t2 = performance.now();
      nk.gemm(true, false, 50, d, B, -1e-3, G, 50, X, d, 1, W, d);
      const t3 = performance.now();
      ms += t1 - t0;
      nt += t2 - t1;
      tn += t3 - t2;
    }
    if (round > 0) {
      // round 0 warms up
      c.us.push((ms * 1000) / (set.n / B));
      c.nt.push((nt * 1000) / (set.n / B));
      c.tn.push((tn * 1000) / (set.n / B));
    }
  }
}
const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.round(p * (xs.length - 1))];
console.log(`gather of 100 random CIFAR-10 images into float32 (${cpuDescription()}, load ${loadavg()[0].toFixed(2)}), ${values.rounds} interleaved rounds of 450 batches`);
console.log('| config | gather median us/batch | min-max | then nt 100x50x3072 us | then tn 50x3072x100 us |');
console.log('|---|---|---|---|---|');
for (const c of configs) console.log(`| ${c.label} | ${q(c.us, 0.5).toFixed(1)} | ${q(c.us, 0).toFixed(1)}-${q(c.us, 1).toFixed(1)} | ${q(c.nt, 0.5).toFixed(1)} | ${q(c.tn, 0.5).toFixed(1)} |`);
