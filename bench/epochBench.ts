// `npm run bench -- [--data DIR] [--repeats 3] [--backends native,ts] [--threads N] [--no-torch]`
// Seconds per training epoch (45,000 images, batch 100, float32; update steps only, median of
// --repeats epochs) per network and backend, PyTorch on the same networks in the same run, and
// the peak RSS of a training process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { createTraining } from '../src/core/training/training.js';
import type { DatasetSplits } from '../src/core/data/dataset.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';

const NETWORKS: { label: string; hidden: number[]; batchNorm: 'none' | 'before'; torch: string }[] = [
  { label: '3072-10', hidden: [], batchNorm: 'none', torch: '3072-10' },
  { label: '3072-50-10', hidden: [50], batchNorm: 'none', torch: '3072-50-10' },
  { label: '3072-50-50-10 BN', hidden: [50, 50], batchNorm: 'before', torch: '3072-50-50-10:bn' },
  { label: '9-layer BN', hidden: [50, 30, 20, 20, 10, 10, 10, 10], batchNorm: 'before', torch: '3072-50-30-20-20-10-10-10-10-10:bn' },
];

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    backends: { type: 'string', default: 'native,ts' },
    threads: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    only: { type: 'string' },
    'rss-probe': { type: 'string' },
  },
});
const repeats = Math.max(3, Number(values.repeats));
const dataDir = values.data ?? process.env.CIFAR10_DIR;

export function benchSpec(hidden: number[], batchNorm: 'none' | 'before', epochs: number): ExperimentSpec {
  const data = dataDir
    ? { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 }
    : { dataset: 'synthetic', trainSize: 45000, validationSize: 5000, testSize: 1000, features: 3072, classes: 10 };
  const r = parseSpec({
    data,
    model: { hidden, batchNorm },
    training: { batchSize: 100, lambda: 0.005, schedule: { kind: 'constant', eta: 0.01, epochs }, evalsPerEpoch: 0, evalSamples: 100 },
    precision: 'float32',
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

function epochSeconds(spec: ExperimentSpec, data: DatasetSplits, backend: 'ts' | 'native', threads?: number): number[] {
  const { kernels } = selectKernels({ backend, threads });
  const gen = createTraining({ spec, data, kernels }).run();
  const times: number[] = [];
  for (let r = gen.next(); !r.done; r = gen.next()) if (r.value.kind === 'epoch') times.push(r.value.summary.trainSeconds);
  return times;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (values['rss-probe']) {
  // Child mode: one training run of the 3-layer BN network, then report this process's peak RSS.
  const spec = benchSpec([50, 50], 'before', 1);
  epochSeconds(spec, loadDataset(spec, dataDir), values['rss-probe'] as 'ts' | 'native', values.threads ? Number(values.threads) : undefined);
  process.stdout.write(JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  process.exit(0);
}

const threads = values.threads ? Number(values.threads) : undefined;
const backends = values.backends!.split(',') as ('ts' | 'native')[];
const nets = NETWORKS.filter((n) => !values.only || n.label.includes(values.only));
console.log(`# epoch benchmark ${new Date().toISOString()}`);
console.log(`machine: ${cpus()[0]?.model} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`data: ${dataDir ? `CIFAR-10 ${dataDir} (45,000 train images)` : 'synthetic 45,000 x 3072 (pass --data DIR for CIFAR-10)'}; batch 100; float32; median of ${repeats} epochs`);
for (const b of backends) console.log(`backend ${b}: ${selectKernels({ backend: b, threads }).kernels.detail}`);

const results = new Map<string, Record<string, number>>();
for (const net of nets) {
  const spec = benchSpec(net.hidden, net.batchNorm, repeats);
  const data = loadDataset(spec, dataDir);
  const row: Record<string, number> = {};
  for (const b of backends) {
    const ts = epochSeconds(spec, data, b, threads);
    row[b] = median(ts);
    console.error(`${net.label} ${b}: ${ts.map((t) => t.toFixed(3)).join(' ')} s`);
  }
  results.set(net.label, row);
}

const torchOk = !values['no-torch'] && existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (torchOk) {
  const args = ['bench/torchEpoch.py', '--repeats', String(repeats), ...(dataDir ? ['--data', dataDir] : []), ...(threads ? ['--threads', String(threads)] : []), ...nets.map((n) => n.torch)];
  const out = execFileSync('/usr/bin/python3', args, { encoding: 'utf8' });
  for (const line of out.trim().split('\n')) {
    const r = JSON.parse(line) as { arch: string; median: number; threads: number };
    const net = nets.find((n) => n.torch === r.arch)!;
    results.get(net.label)!.torch = r.median;
    results.get(net.label)!.torchThreads = r.threads;
  }
} else {
  console.log(values['no-torch'] ? 'PyTorch: skipped (--no-torch)' : 'PyTorch: not measured (apt-get install -y python3-torch python3-threadpoolctl to compare)');
}

const cols = [...backends, ...(torchOk ? ['torch'] : [])];
console.log('');
console.log(`| network | ${cols.map((c) => `${c} s/epoch`).join(' | ')}${torchOk ? ` | ${backends.map((b) => `${b} / torch`).join(' | ')}` : ''} |`);
console.log(`|---|${cols.map(() => '---').join('|')}${torchOk ? '|' + backends.map(() => '---').join('|') : ''}|`);
for (const [label, row] of results) {
  const ratios = torchOk ? ' | ' + backends.map((b) => `${(row[b] / row.torch).toFixed(2)}x`).join(' | ') : '';
  console.log(`| ${label} | ${cols.map((c) => row[c].toFixed(3)).join(' | ')}${ratios} |`);
}

for (const b of backends) {
  const probe = spawnSync(process.execPath, [process.argv[1], '--rss-probe', b, ...(dataDir ? ['--data', dataDir] : []), ...(threads ? ['--threads', String(threads)] : [])], { encoding: 'utf8' });
  const rss = probe.status === 0 ? (JSON.parse(probe.stdout.trim().split('\n').pop()!) as { maxRssMB: number }).maxRssMB : NaN;
  console.log(`peak RSS of a 45,000-image float32 training run (3072-50-50-10 BN, ${b}): ${rss.toFixed(0)} MB`);
}
