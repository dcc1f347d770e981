// `npm run build && node dist/bench/dataBench.js [--repeats 5]`: how long the data paths take.
//   (a) synthetic data: makeSyntheticSplits for 45,000 + 5,000 + 10,000 images of 3072 bytes
//       (the size the demo and bench:search train on without CIFAR-10);
//   (a') the training set's normalisation statistics (computeNormalisation of 45,000 x 3072 bytes);
//   (b) the CIFAR-10 python layout: parsePickleBatch of one 10,000-image batch (30 MB), as the
//       official files are written (Python 2, protocol 2), and as Python 3 with numpy writes it
//       (protocols 2, 4 and 5) when /usr/bin/python3 has numpy.
// Each figure is the median of --repeats runs after one warm-up run, in-process, wall clock.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { computeNormalisation } from '../src/core/data/normalisation.js';
import { makeSyntheticSplits } from '../src/core/data/synthetic.js';
import { parsePickleBatch } from '../src/dataFiles/cifar10Pickle.js';
import { encodePython2Batch, fixtureBatch, makeTempDir } from '../test/helpers/cifarFixtures.js';
import { cpuDescription } from './cpuDescription.js';

const values = benchArgs(import.meta.url, { repeats: { type: 'string', default: '5' } });
const repeats = Number(values.repeats);
const say = (s: string) => console.log(s);

/** Median wall time in ms of `repeats` calls, after one warm-up call. */
function medianMs(call: () => unknown): number {
  call();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

say(`# data benchmark ${new Date().toISOString()}`);
say(`machine: ${cpuDescription()}, node ${process.version}; median of ${repeats} runs after a warm-up`);

say('\n## (a) synthetic data: 45,000 + 5,000 + 10,000 images x 3072 features, 10 classes');
const spec = { dataset: 'synthetic', trainSize: 45_000, validationSize: 5000, testSize: 10_000, features: 3072, classes: 10, separation: 1 } as const;
const synthMs = medianMs(() => makeSyntheticSplits(spec, 1));
say(`| images | ms | MB/s |`);
say(`|---|---|---|`);
say(`| 60,000 | ${synthMs.toFixed(0)} | ${((60_000 * 3072) / 1e6 / (synthMs / 1000)).toFixed(0)} |`);

say("\n## (a') normalisation statistics of the training set: 45,000 x 3072 bytes");
const pixels = new Uint8Array(45_000 * 3072);
for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
const normMs = medianMs(() => computeNormalisation({ n: 45_000, d: 3072, x: pixels, y: new Uint8Array(45_000) }));
say(`| images | ms |`);
say(`|---|---|`);
say(`| 45,000 | ${normMs.toFixed(0)} |`);

say('\n## (b) CIFAR-10 python layout: parsePickleBatch of one 10,000-image batch (bytes already in memory)');
const batches: [string, Uint8Array][] = [['Python 2, protocol 2 (the official files)', encodePython2Batch(fixtureBatch(1, 10_000))]];
const PY_WRITER = `
import pickle, sys
import numpy as np
rng = np.random.default_rng(1)
batch = {b'batch_label': b'training batch 1 of 5', b'labels': [int(v) for v in rng.integers(0, 10, 10000)],
         b'data': rng.integers(0, 256, (10000, 3072), dtype=np.uint8), b'filenames': [b'img_%d.png' % k for k in range(10000)]}
with open(sys.argv[1], 'wb') as f:
    pickle.dump(batch, f, protocol=int(sys.argv[2]))
`;
import { benchArgs } from './benchArgs.js';
const dir = makeTempDir('trainyard-bench-');
for (const proto of [2, 4, 5]) {
  const path = join(dir, `batch_p${proto}`);
  const r = spawnSync('/usr/bin/python3', ['-c', PY_WRITER, path, String(proto)], { encoding: 'utf8' });
  if (r.status !== 0) {
    say(`(Python 3 pickles skipped: /usr/bin/python3 with numpy is not available)`);
    break;
  }
  batches.push([`Python 3 + numpy, protocol ${proto}`, readFileSync(path)]);
}
say(`| pickle | MB | ms |`);
say(`|---|---|---|`);
for (const [label, bytes] of batches) {
  const ms = medianMs(() => parsePickleBatch(bytes, label));
  say(`| ${label} | ${(bytes.length / 1e6).toFixed(1)} | ${ms.toFixed(1)} |`);
}
