// The headline of `npm run bench:search` (issue 11): the reports' coarse-to-fine lambda search
// (examples/searches/lambda-coarse-to-fine.json) through the service with two workers on real
// CIFAR-10, its wall time from creation to answer, the per-stage timeline, core utilisation, and
// the same search in PyTorch (bench/torchSearch.py) sequentially and with one process per core.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadNativeKernels } from '../src/nativeKernels/loadNativeKernels.js';
import { limitSeconds, productRates, runFlops, sumFlops } from './searchFlops.js';
import { startLocalService } from './serviceHarness.js';
import { cpuDescription } from './cpuDescription.js';

const REPORTED = 0.5382;

/** CPU seconds of the machine spent busy, from /proc/stat (user + nice + system + irq + softirq + steal). */
function busyCpuSeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) / 100;
}

export interface HeadlineResult {
  wall: number;
  test: number;
  utilisation: number;
}

/**
 * The headline once per precision in `precisions` (the example's own float32 by default; e.g.
 * float32,bfloat16 runs the same search again with the base spec's precision set), then PyTorch.
 */
export async function searchHeadline(o: { dataDir: string; workers: number; threads?: string; torch: boolean; precisions?: string[]; say: (s: string) => void }): Promise<void> {
  const ours: [string, HeadlineResult][] = [];
  for (const precision of o.precisions ?? ['float32']) ours.push([precision, await oursOnce(o, precision)]);
  if (!o.torch) return;
  const { say } = o;
  const torch = await runTorch(o.dataDir, 1, say);
  const perCore = await runTorch(o.dataDir, cpus().length, say);
  if (!torch || !perCore) return;
  say('| | wall s | test accuracy | ratio to Trainyard |');
  say('|---|---|---|---|');
  for (const [precision, r] of ours) say(`| Trainyard, ${o.workers} workers, ${precision} | ${r.wall.toFixed(1)} | ${(100 * r.test).toFixed(2)} % | 1.00x |`);
  for (const [precision, r] of ours) {
    say(`| PyTorch, sequential (vs ${precision}) | ${torch.wall.toFixed(1)} | ${(100 * torch.test).toFixed(2)} % | ${(torch.wall / r.wall).toFixed(2)}x |`);
    say(`| PyTorch, ${cpus().length} processes (vs ${precision}) | ${perCore.wall.toFixed(1)} | ${(100 * perCore.test).toFixed(2)} % | ${(perCore.wall / r.wall).toFixed(2)}x (target >= 3x; done-when >= 4x) |`);
  }
}

async function oursOnce(o: { workers: number; threads?: string; say: (s: string) => void }, precision: string): Promise<HeadlineResult> {
  const { say } = o;
  const search = JSON.parse(readFileSync(fileURLToPath(new URL('../../examples/searches/lambda-coarse-to-fine.json', import.meta.url)), 'utf8'));
  search.base.precision = precision;
  const threads = o.threads ? `TRAINYARD_THREADS=${o.threads}` : 'threads: each job its share of the cores';
  say(`\n## headline: the reports' lambda search through the service, ${o.workers} workers (${threads}), precision ${precision}, CIFAR-10 (${cpuDescription()})`);
  const svc = await startLocalService('headline', o.workers, o.threads ? { TRAINYARD_THREADS: o.threads } : {});
  try {
    const busy0 = busyCpuSeconds();
    const created = await svc.post('/v1/searches', search);
    const done = await svc.waitSearch(created.id, undefined, 250);
    const busy1 = busyCpuSeconds();
    if (done.status !== 'succeeded') throw new Error(`search ${done.status}: ${done.error}`);
    const t0 = Date.parse(done.createdAt);
    const wall = (Date.parse(done.finishedAt) - t0) / 1000;
    const best = await svc.get(`/v1/runs/${done.best.runId}`);
    say('| stage | kind | trials | groups | planned at s | finished at s |');
    say('|---|---|---|---|---|---|');
    const groups = await svc.db.trialGroup.findMany({ where: { searchId: created.id } });
    for (const st of done.stages) {
      const sizes = groups.filter((g) => g.stage === st.stage).map((g) => g.size).join('+');
      say(`| ${st.stage} | ${st.kind} | ${st.trials} | ${sizes} | ${((Date.parse(st.createdAt) - t0) / 1000).toFixed(1)} | ${st.finishedAt ? ((Date.parse(st.finishedAt) - t0) / 1000).toFixed(1) : '-'} |`);
    }
    const utilisation = (busy1 - busy0) / (cpus().length * wall);
    const ours = { wall, test: best.metrics.test.accuracy, utilisation };
    const runs = (await svc.get(`/v1/runs?searchId=${created.id}&limit=200`)).runs as { spec: unknown }[];
    reportLimit(sumFlops(runs.map((r) => runFlops(r.spec))), wall, precision, say);
    say(`Trainyard: ${wall.toFixed(1)} s from creation to the answer (target <= 90 s); final retrain lambda ${best.trial.params.lambda.toExponential(3)}, test accuracy ${(100 * ours.test).toFixed(2)} % (reported ${(100 * REPORTED).toFixed(2)} %, ${((ours.test - REPORTED) * 100).toFixed(2)} points); core utilisation ${(100 * utilisation).toFixed(0)} % (busy core-seconds of the whole machine / ${cpus().length} cores x wall)`);
    return ours;
  } finally {
    await svc.stop();
  }
}

/** The search's products against the rate these cores reach on them: the time no scheduling could beat. */
function reportLimit(f: { training: number; evaluation: number }, wall: number, precision: string, say: (s: string) => void): void {
  const k = loadNativeKernels();
  if (!k) return say('(no native kernels: the product-rate limit is not measured)');
  const r = productRates(k, cpus().length, 5, 600, precision);
  const { training, total: limit } = limitSeconds(f, r);
  say(
    `first-layer products of the search: training ${(f.training / 1e12).toFixed(1)} TFLOP + evaluation ${(f.evaluation / 1e12).toFixed(1)} TFLOP (every recorded point); ` +
      `at the rate ${cpus().length} threads reach on them (${precision}) just after, fused 5 trials as the groups are (forward ${r.forward.toFixed(0)}, weight gradient ${r.weightGradient.toFixed(0)}, evaluation ${r.evaluation.toFixed(0)} GFLOP/s, medians) ` +
      `that is ${limit.toFixed(1)} s (training alone ${training.toFixed(1)} s): the search took ${(wall / limit).toFixed(2)}x the limit`,
  );
}

async function runTorch(dataDir: string, processes: number, say: (s: string) => void): Promise<{ wall: number; test: number } | null> {
  const script = fileURLToPath(new URL('../../bench/torchSearch.py', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/python3', [script, dataDir, '--processes', String(processes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A benchmark that exits early (an error, the harness's teardown) does not leave PyTorch training.
    const kill = () => child.kill('SIGTERM');
    process.once('exit', kill);
    child.once('exit', () => process.off('exit', kill));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', () => resolve(null));
    child.on('exit', (code) => {
      const summary = out.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.summary);
      if (code !== 0 || !summary) {
        say(`PyTorch (${processes} process${processes > 1 ? 'es' : ''}) skipped: ${/No module named 'torch'/.test(err) ? 'python3-torch is not installed (apt-get install -y python3-torch)' : err.trim().split('\n').slice(-2).join(' ')}`);
        return resolve(null);
      }
      say(`PyTorch, ${processes} process${processes > 1 ? 'es' : ''}: ${summary.wall.toFixed(1)} s (stages end at ${summary.stages.map((s: number) => s.toFixed(0)).join(', ')} s), test accuracy ${(100 * summary.test).toFixed(2)} %`);
      resolve({ wall: summary.wall, test: summary.test });
    });
  });
}
