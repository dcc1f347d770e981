// `npm run bench:accuracy -- --data DIR [--only SUBSTRING] [--backend ts|native|auto] [--precision P,...]`
// Trains every spec in examples/ on CIFAR-10 and prints reported vs reproduced test accuracy;
// with --precision (e.g. float32,bfloat16) each spec once per listed precision, back to back.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createTraining } from '../src/core/training/training.js';
import type { TrainingResult } from '../src/core/training/metrics.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { cpuDescription } from './cpuDescription.js';
import { benchArgs } from './benchArgs.js';

const values = benchArgs(import.meta.url, { data: { type: 'string' }, only: { type: 'string' }, backend: { type: 'string', default: 'auto' }, examples: { type: 'string', default: 'examples' }, precision: { type: 'string' } });
const dataDir = values.data ?? process.env.CIFAR10_DIR;
if (!dataDir) {
  console.error('bench:accuracy needs real CIFAR-10: pass --data DIR or set CIFAR10_DIR (../shared/datasets/prepare-cifar10.sh DIR makes one)');
  process.exit(2);
}
const index = JSON.parse(readFileSync(join(values.examples!, 'reported.json'), 'utf8')) as { spec: string; reported: number | null }[];
const { kernels } = selectKernels({ backend: values.backend as 'ts' | 'native' | 'auto' });
console.log(`# accuracy benchmark ${new Date().toISOString().slice(0, 10)}, ${cpuDescription()}, backend ${kernels.detail}`);
console.log('| spec | reported test acc. | reproduced test acc. | diff (points) | val acc. | loss roughness | train s | wall s |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of index) {
  if (values.only && !row.spec.includes(values.only)) continue;
  const input = JSON.parse(readFileSync(join(values.examples!, row.spec), 'utf8'));
  for (const precision of values.precision ? values.precision.split(',') : [undefined]) {
    const parsed = parseSpec(precision ? { ...input, precision } : input);
    if (!parsed.ok) throw new Error(`${row.spec}: ${JSON.stringify(parsed.problems)}`);
    const started = performance.now();
    const data = loadDataset(parsed.spec, dataDir);
    const gen = createTraining({ spec: parsed.spec, data, kernels }).run();
    let r = gen.next();
    while (!r.done) r = gen.next();
    const res = r.value;
    const wall = (performance.now() - started) / 1000;
    const acc = 100 * res.test.accuracy;
    const diff = row.reported === null ? '' : (acc - row.reported).toFixed(2);
    console.log(
      `| ${row.spec.replace('.json', '')}${precision ? ` (${precision})` : ''} | ${row.reported === null ? '(curves)' : row.reported.toFixed(2) + ' %'} | ${acc.toFixed(2)} % | ${diff} | ${(100 * res.validation.accuracy).toFixed(2)} % | ${roughness(res).toFixed(4)} | ${res.trainSeconds.toFixed(1)} | ${wall.toFixed(1)} |`,
    );
  }
}

/** Mean |change| of the training loss between consecutive evaluation points: how much the curve fluctuates. */
function roughness(res: TrainingResult): number {
  const pts = res.points.filter((p) => p.step > 0);
  let s = 0;
  for (let i = 1; i < pts.length; i++) s += Math.abs(pts[i].train.loss - pts[i - 1].train.loss);
  return pts.length > 1 ? s / (pts.length - 1) : 0;
}
