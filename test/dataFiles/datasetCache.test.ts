import assert from 'node:assert/strict';
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createDatasetCache, datasetBytes } from '../../src/dataFiles/datasetCache.js';
import { DatasetError } from '../../src/dataFiles/datasetError.js';
import { datasetIdentity, loadDataset } from '../../src/dataFiles/loadDataset.js';
import { parseSpec, type ExperimentSpec, type ExperimentSpecInput } from '../../src/experiment/experimentSpec.js';
import { makeTempDir, writeBinaryLayout } from '../helpers/cifarFixtures.js';

function spec(input: ExperimentSpecInput): ExperimentSpec {
  const r = parseSpec({ training: { batchSize: 10 }, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}

const dir = makeTempDir();
writeBinaryLayout(dir, { n: 30 });
after(() => rmSync(dir, { recursive: true, force: true }));

const cifar = spec({ data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2'], holdout: 10, test: ['test_batch'] } });

/** loadDataset, counting the reads from disk. */
function countingLoader() {
  const calls: string[] = [];
  const load = (s: ExperimentSpec, d: string | undefined) => {
    calls.push(s.data.dataset);
    return loadDataset(s, d);
  };
  return { calls, load };
}

test('a dataset is read once; the next job with the same data gets the same arrays from memory', () => {
  const { calls, load } = countingLoader();
  const cache = createDatasetCache(64 * 1024 * 1024, load);
  const first = cache.load(cifar, dir);
  // Another trial of the same search: other hyperparameters, same data.
  const second = cache.load({ ...cifar, seed: cifar.seed + 1, training: { ...cifar.training, lambda: 0.1 } }, dir);
  assert.equal(first.reused, false);
  assert.equal(second.reused, true);
  assert.equal(second.data, first.data);
  assert.deepEqual(calls, ['cifar10']);
  assert.deepEqual(second.data.train.x, loadDataset(cifar, dir).train.x, 'what memory gives is what the disk gives');
});

test('a changed batch file, other batches or another holdout are read again', () => {
  const { calls, load } = countingLoader();
  const cache = createDatasetCache(64 * 1024 * 1024, load);
  cache.load(cifar, dir);
  const later = new Date(Date.now() + 5000);
  utimesSync(join(dir, 'data_batch_2.bin'), later, later);
  assert.equal(cache.load(cifar, dir).reused, false, 'a touched file is read again');
  assert.equal(cache.load(cifar, dir).reused, true);
  assert.equal(cache.load(spec({ data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2'], holdout: 5, test: ['test_batch'] } }), dir).reused, false);
  assert.equal(cache.load(spec({ data: { dataset: 'cifar10', train: ['data_batch_1'], holdout: 10, test: ['test_batch'] } }), dir).reused, false);
  assert.equal(calls.length, 4);
});

test('synthetic data is keyed by its seed too', () => {
  const synth = spec({ data: { dataset: 'synthetic', trainSize: 40, validationSize: 10, testSize: 10, features: 8, classes: 2 } });
  const cache = createDatasetCache();
  assert.equal(cache.load(synth, undefined).reused, false);
  assert.equal(cache.load(synth, undefined).reused, true);
  assert.equal(cache.load({ ...synth, seed: synth.seed + 1 }, undefined).reused, false);
  assert.notEqual(datasetIdentity(synth, undefined), datasetIdentity({ ...synth, seed: synth.seed + 1 }, undefined));
});

test('the byte bound: the least recently used dataset goes; one larger than the bound is never kept', () => {
  const one = loadDataset(cifar, dir);
  const other = spec({ data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2'], holdout: 5, test: ['test_batch'] } });
  const cache = createDatasetCache(Math.floor(datasetBytes(one) * 1.5));
  cache.load(cifar, dir);
  cache.load(other, dir);
  assert.equal(cache.load(other, dir).reused, true);
  assert.equal(cache.load(cifar, dir).reused, false, 'pushed out by the other');
  const none = createDatasetCache(0);
  none.load(cifar, dir);
  assert.equal(none.load(cifar, dir).reused, false);
  cache.clear();
  assert.equal(cache.load(cifar, dir).reused, false, 'clear() frees everything');
});

test('a missing folder throws the DatasetError loadDataset throws', () => {
  assert.throws(() => createDatasetCache().load(cifar, join(dir, 'nope')), DatasetError);
});
