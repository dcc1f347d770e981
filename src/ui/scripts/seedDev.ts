// Fills a development API with real work to look at: the reference CIFAR-10 runs from examples/
// (when the worker has CIFAR10_DIR), quick synthetic runs of several shapes, and searches with
// pruning. Everything is trained by the worker; nothing is written to the store directly.
//   BASE_URL=http://127.0.0.1:3111 KEY=ty_... npx tsx src/ui/scripts/seedDev.ts [--cifar] [--queued N]
// --queued N submits N more runs as a bulk list for the table (they queue behind the rest).
import { readFileSync } from 'node:fs';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3111';
const KEY = process.env.KEY ?? '';
const args = process.argv.slice(2);
const queued = Number(args[args.indexOf('--queued') + 1] || 0) * Number(args.includes('--queued'));
if (!KEY) throw new Error('set KEY');

async function post(path: string, body: unknown): Promise<{ id: string }> {
  const r = await fetch(BASE + path, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<{ id: string }>;
}

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8'));

function synthetic(i: number) {
  const hidden = [[], [32], [64], [32, 32], [64, 32, 16]][i % 5];
  const lambda = [0, 1e-4, 1e-3, 1e-2][i % 4];
  const batchNorm = hidden.length > 1 ? ['none', 'before', 'after'][i % 3] : 'none';
  const schedule = i % 3 === 0 ? { kind: 'constant', eta: 0.05, epochs: 6 } : { kind: 'cyclical', etaMin: 1e-5, etaMax: [0.02, 0.05, 0.1][i % 3], stepSize: 60, cycles: 2 };
  return {
    name: `synthetic-${hidden.join('x') || 'linear'}-l${lambda}-${i}`,
    tags: ['synthetic', i % 2 ? 'sweep' : 'baseline'],
    spec: {
      data: { dataset: 'synthetic', trainSize: 3000, validationSize: 500, testSize: 500, features: 192, classes: 10, separation: 1.5 },
      model: { hidden, batchNorm },
      training: { batchSize: 50, lambda, schedule, evalsPerEpoch: 5 },
      seed: i,
    },
  };
}

async function main() {
  if (args.includes('--cifar')) {
    for (const f of ['one-layer-lambda0.1-eta0.001.json', 'two-layer-cyclic.json', 'three-layer-batchnorm.json']) {
      const spec = example(f);
      console.log('run', f, (await post('/v1/runs', { spec, tags: ['reference', 'cifar10'] })).id);
    }
    console.log('search', (await post('/v1/searches', example('searches/lambda-coarse-to-fine.json'))).id);
  }
  for (let i = 0; i < 24; i++) console.log('run', (await post('/v1/runs', synthetic(i))).id);
  const search = example('searches/synthetic-quick.json');
  const wide = {
    ...search,
    name: 'synthetic-lambda-eta-width',
    space: { lambda: { logUniform: [-5, -1] }, etaMax: { values: [0.02, 0.05, 0.1] }, 'model.hidden.0': { intRange: { min: 16, max: 64, step: 8 } }, momentum: { uniform: [0, 0.9] } },
    strategy: { kind: 'random', trials: 90, seed: 3 },
    pruning: { kind: 'successiveHalving', reduction: 3 },
  };
  wide.base.training.schedule.cycles = 3;
  console.log('search', (await post('/v1/searches', wide)).id);
  console.log('search', (await post('/v1/searches', { ...search, name: 'synthetic-coarse-to-fine', space: { lambda: { logUniform: [-5, -1] } }, strategy: { kind: 'coarseToFine', trials: 8, stages: 3, seed: 2 } })).id);
  for (let i = 0; i < queued; i++) await post('/v1/runs', { ...synthetic(i), name: `bulk-${String(i).padStart(5, '0')}`, tags: ['bulk'] });
  if (queued) console.log(`${queued} bulk runs submitted`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
