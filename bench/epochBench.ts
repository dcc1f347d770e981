// `npm run bench -- [--data DIR] [--pairs 7] [--native 2,1,2/openblas,base:2] [--baseline DIR] [--no-torch] [--repeats 3] [--backends native,ts] [--threads N] [--no-table]`
// First, the comparison issue 11 asks for: the single-trial 3072-50-50-10 BN epoch (45,000 images,
// batch 100, float32, update steps only) on the native backend and in PyTorch, measured
// interleaved (native, torch, native, torch, ... --pairs pairs after one warm-up epoch each), so
// load from other processes on the shared cores hits both alike: per-pair seconds and ratios,
// the medians and the spread across pairs, and the CPU model. --native lists native
// configurations to run in every pair, each [base:]THREADS[/SGEMM] (SGEMM: auto, openblas, avx2,
// avx512; base: from the checkout --baseline names; default: the default thread count and auto),
// each in its own process. Then seconds per epoch of every network and
// backend (median of --repeats epochs, PyTorch after them), and the peak RSS of a training process.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { createTraining } from '../src/core/training/training.js';
import type { DatasetSplits } from '../src/core/data/dataset.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';
import { cpuDescription } from './cpuDescription.js';
import { benchArgs } from './benchArgs.js';

const NETWORKS: { label: string; hidden: number[]; batchNorm: 'none' | 'before'; torch: string }[] = [
  { label: '3072-10', hidden: [], batchNorm: 'none', torch: '3072-10' },
  { label: '3072-50-10', hidden: [50], batchNorm: 'none', torch: '3072-50-10' },
  { label: '3072-50-50-10 BN', hidden: [50, 50], batchNorm: 'before', torch: '3072-50-50-10:bn' },
  { label: '9-layer BN', hidden: [50, 30, 20, 20, 10, 10, 10, 10], batchNorm: 'before', torch: '3072-50-30-20-20-10-10-10-10-10:bn' },
];

const values = benchArgs(import.meta.url, {
    data: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    backends: { type: 'string', default: 'native,ts' },
    threads: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    only: { type: 'string' },
    'rss-probe': { type: 'string' },
    pairs: { type: 'string', default: '7' },
    native: { type: 'string' },
    'no-table': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    trials: { type: 'string', default: '1' },
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
const torchOk = !values['no-torch'] && existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;


const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round(q * (s.length - 1))];
};

/** A child that runs one epoch per "epoch" line (bench/torchEpoch.py --serve, bench/epochServe.js). */
interface EpochServer {
  info: Record<string, unknown>;
  epoch: () => Promise<number>;
  /** CPU seconds of the last epoch (native servers only). */
  cpu: () => number;
  close: () => void;
}

async function startServer(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<EpochServer> {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`${cmd} ${args.join(' ')} exited early`);
    return JSON.parse(r.value) as Record<string, unknown>;
  };
  const info = await next();
  let cpu = NaN;
  return {
    info,
    epoch: async () => {
      child.stdin!.write('epoch\n');
      const r = await next();
      cpu = typeof r.cpuSeconds === 'number' ? r.cpuSeconds : NaN;
      return r.seconds as number;
    },
    cpu: () => cpu,
    close: () => child.stdin!.end('quit\n'),
  };
}

/**
 * The interleaved native-vs-PyTorch table for 3072-50-50-10 BN. Each native configuration
 * ([base:]THREADS[/SGEMM]) is a child process (bench/epochServe.js), so their threads do
 * not meet; "base:" runs it from the checkout given by --baseline (built, with node_modules), to
 * measure a change against the code before it in the same run.
 */
async function interleaved(): Promise<void> {
  const pairs = Math.max(1, Number(values.pairs));
  const configs = (values.native ?? `${threads ?? ''}`).split(',').map((c) => {
    const base = c.startsWith('base:');
    const [t, ...rest] = (base ? c.slice(5) : c).split('/');
    return { base, threads: t ? Number(t) : undefined, sgemm: rest[0] };
  });
  const here = path.dirname(fileURLToPath(import.meta.url));
  if (configs.some((c) => c.base)) {
    if (!values.baseline) throw new Error('a base: configuration needs --baseline DIR');
    copyFileSync(path.join(here, 'epochServe.js'), path.join(values.baseline, 'dist', 'bench', 'epochServe.js'));
  }
  const natives: { label: string; server: EpochServer }[] = [];
  for (const c of configs) {
    const script = c.base ? path.join(values.baseline!, 'dist', 'bench', 'epochServe.js') : path.join(here, 'epochServe.js');
    const args = [script, '--epochs', String(pairs + 1), '--trials', values.trials!, ...(dataDir ? ['--data', dataDir] : []), ...(c.threads ? ['--threads', String(c.threads)] : []), ...(c.sgemm ? ['--sgemm', c.sgemm] : [])];
    const server = await startServer(process.execPath, args);
    const detail = String(server.info.ready).replace(/^OpenBLAS [^,]*, /, '').replace(/^(\d+ threads?)$/, 'openblas, $1');
    natives.push({ label: `${c.base ? 'base ' : ''}native ${detail}`, server });
  }
  const torch = torchOk ? await startServer('/usr/bin/python3', ['bench/torchEpoch.py', '--serve', ...(dataDir ? ['--data', dataDir] : []), ...(threads ? ['--threads', String(threads)] : []), '3072-50-50-10:bn']) : null;
  const T = Number(values.trials);
  console.log(T === 1 ? `## 3072-50-50-10 BN, one trial: native vs PyTorch, interleaved` : `## 3072-50-50-10 BN, ${T} trials fused (native; PyTorch trains one): interleaved`);
  console.log(`cpu: ${cpuDescription()}; load average ${loadavg()[0].toFixed(2)} at the start`);
  console.log(`native: ${natives.map((n) => n.label).join('; ')}${torch ? `; PyTorch ${torch.info.torch}, ${torch.info.threads} thread(s)` : '; PyTorch not measured'}`);
  console.log(`${pairs} pairs after one warm-up epoch each; 45,000 images, batch 100, float32, update steps only; each pair runs ${[...natives.map((n) => n.label), ...(torch ? ['torch'] : [])].join(', ')} one after the other`);
  for (const n of natives) await n.server.epoch();
  if (torch) await torch.epoch();
  const rows: { native: number[]; cpu: number[]; torch: number }[] = [];
  for (let p = 0; p < pairs; p++) {
    const native: number[] = [];
    const cpu: number[] = [];
    for (const n of natives) {
      native.push(await n.server.epoch());
      cpu.push(n.server.cpu());
    }
    rows.push({ native, cpu, torch: torch ? await torch.epoch() : NaN });
  }
  torch?.close();
  for (const n of natives) n.server.close();
  console.log('');
  console.log(`| pair | ${natives.map((n) => `${n.label} s`).join(' | ')} | torch s | ${natives.map((n) => `${n.label} / torch`).join(' | ')} |`);
  console.log(`|---|${natives.map(() => '---|').join('')}---|${natives.map(() => '---|').join('')}`);
  rows.forEach((r, p) => console.log(`| ${p + 1} | ${r.native.map((x) => x.toFixed(3)).join(' | ')} | ${r.torch.toFixed(3)} | ${r.native.map((x) => `${(x / r.torch).toFixed(2)}x`).join(' | ')} |`));
  const col = (i: number) => rows.map((r) => r.native[i]);
  const torchCol = rows.map((r) => r.torch);
  const spread = (xs: number[], digits: number, unit: string) => `${quantile(xs, 0).toFixed(digits)}-${quantile(xs, 1).toFixed(digits)}${unit}`;
  console.log(`| **median** | ${natives.map((_, i) => `**${quantile(col(i), 0.5).toFixed(3)}**`).join(' | ')} | **${quantile(torchCol, 0.5).toFixed(3)}** | ${natives.map((_, i) => `**${quantile(rows.map((r) => r.native[i] / r.torch), 0.5).toFixed(2)}x**`).join(' | ')} |`);
  console.log(`| min-max | ${natives.map((_, i) => spread(col(i), 3, '')).join(' | ')} | ${spread(torchCol, 3, '')} | ${natives.map((_, i) => spread(rows.map((r) => r.native[i] / r.torch), 2, 'x')).join(' | ')} |`);
  console.log(`load average ${loadavg()[0].toFixed(2)} at the end (ratios are per pair: both sides of a pair ran back to back)`);
  console.log(`CPU seconds of the epoch's update steps (process user+system; a measure of work that load barely changes, for 1-thread configurations), median: ${natives.map((n, i) => `${n.label} ${quantile(rows.map((r) => r.cpu[i]), 0.5).toFixed(3)}`).join('; ')}`);
  console.log('');
}

if (backends.includes('native')) await interleaved();
if (values['no-table']) process.exit(0);

console.log(`## every network, median of ${repeats} epochs per backend, PyTorch after them (not interleaved)`);
console.log(`machine: ${cpuDescription()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
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
