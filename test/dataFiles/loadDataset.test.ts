import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR10_CLASSES, CIFAR10_SHAPE, type ImageSet } from '../../src/core/data/dataset.js';
import { DatasetError } from '../../src/dataFiles/datasetError.js';
import { loadDataset } from '../../src/dataFiles/loadDataset.js';
import { parseSpec, type ExperimentSpec, type ExperimentSpecInput } from '../../src/experiment/experimentSpec.js';
import { fixtureBatch, makeTempDir, writeBinaryLayout, writePythonLayout } from '../helpers/cifarFixtures.js';
import { datasetError } from '../helpers/datasetErrors.js';

function spec(input: ExperimentSpecInput): ExperimentSpec {
  const r = parseSpec({ training: { batchSize: 10 }, ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.spec;
}


function rows(set: ImageSet, from: number, to: number): { x: Uint8Array; y: Uint8Array } {
  return { x: set.x.subarray(from * set.d, to * set.d), y: set.y.subarray(from, to) };
}

const holdoutSpec = spec({ data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2'], holdout: 10, test: ['test_batch'] } });

test('synthetic data needs no folder', () => {
  const s = loadDataset(spec({ data: { dataset: 'synthetic', trainSize: 50, validationSize: 10, testSize: 10, features: 20, classes: 3 } }), undefined);
  assert.equal(s.train.n, 50);
  assert.equal(s.train.d, 20);
  assert.equal(s.classes, 3);
  assert.match(s.source, /^synthetic/);
});

test('CIFAR-10 without a folder says how to give one', () => {
  assert.throws(() => loadDataset(holdoutSpec, undefined), datasetError('not-configured', /^CIFAR-10 folder not given: pass --data DIR or set CIFAR10_DIR$/));
});

test('binary layout in the folder itself: holdout from the end of the training batches', () => {
  const dir = makeTempDir();
  writeBinaryLayout(dir);
  const s = loadDataset(holdoutSpec, dir);
  const b2 = fixtureBatch(2, 20);
  assert.equal(s.train.n, 30);
  assert.equal(s.validation.n, 10);
  assert.equal(s.test.n, 20);
  assert.deepEqual(rows(s.train, 0, 20), rows(fixtureBatch(1, 20), 0, 20));
  assert.deepEqual(rows(s.train, 20, 30), rows(b2, 0, 10));
  assert.deepEqual(rows(s.validation, 0, 10), rows(b2, 10, 20));
  assert.deepEqual(rows(s.test, 0, 20), rows(fixtureBatch(6, 20), 0, 20));
  assert.equal(s.classes, 10);
  assert.deepEqual(s.classNames, CIFAR10_CLASSES);
  assert.deepEqual(s.imageShape, CIFAR10_SHAPE);
  assert.equal(s.source, `cifar10 (binary) ${dir}`);
});

test('python layout in cifar-10-batches-py gives the same data as the binary layout', () => {
  const binDir = makeTempDir();
  const pyDir = makeTempDir();
  writeBinaryLayout(binDir, { subfolder: true });
  const folder = writePythonLayout(pyDir, { subfolder: true });
  const withValidation = spec({ data: { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_5'], test: ['test_batch'], subset: 15 } });
  const fromBin = loadDataset(withValidation, binDir);
  const fromPy = loadDataset(withValidation, pyDir);
  assert.equal(fromPy.source, `cifar10 (python) ${folder}`);
  assert.equal(fromBin.source, `cifar10 (binary) ${join(binDir, 'cifar-10-batches-bin')}`);
  assert.equal(fromPy.train.n, 15);
  for (const k of ['train', 'validation', 'test'] as const) {
    assert.deepEqual(fromPy[k].x, fromBin[k].x);
    assert.deepEqual(fromPy[k].y, fromBin[k].y);
  }
  assert.deepEqual(rows(fromPy.validation, 0, 20), rows(fixtureBatch(5, 20), 0, 20));
});

test('class names come from batches.meta.txt / batches.meta when present', () => {
  const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'];
  const binDir = makeTempDir();
  writeBinaryLayout(binDir, { classNames: names });
  assert.deepEqual(loadDataset(holdoutSpec, binDir).classNames, names);
  const pyDir = makeTempDir();
  writePythonLayout(pyDir, { classNames: names });
  assert.deepEqual(loadDataset(holdoutSpec, pyDir).classNames, names);
  const wrongCount = makeTempDir();
  writeBinaryLayout(wrongCount, { classNames: ['only', 'three', 'names'] });
  assert.deepEqual(loadDataset(holdoutSpec, wrongCount).classNames, CIFAR10_CLASSES);
});

test('missing folder, folder without batches and a missing batch are reported', () => {
  const dir = makeTempDir();
  assert.throws(() => loadDataset(holdoutSpec, join(dir, 'nope')), datasetError('missing', /CIFAR-10 folder .*nope not found/));
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'empty', 'readme.txt'), 'hi');
  assert.throws(() => loadDataset(holdoutSpec, join(dir, 'empty')), datasetError('missing', /no CIFAR-10 batches in .*empty: expected data_batch_1\.bin/));
  writeBinaryLayout(join(dir, 'partial'), { batches: ['data_batch_1', 'test_batch'] });
  assert.throws(() => loadDataset(holdoutSpec, join(dir, 'partial')), datasetError('missing', /data_batch_2\.bin not found/));
  rmSync(dir, { recursive: true, force: true });
});

test('a default holdout larger than small batches is reported as unusable', () => {
  const dir = makeTempDir();
  writeBinaryLayout(dir);
  // One batch, no validation batches: the default holdout is 1000 images, more than the 20 present.
  const s = spec({ data: { dataset: 'cifar10', train: ['data_batch_1'] } });
  assert.throws(() => loadDataset(s, dir), datasetError('unusable', /holdout of 1000 images leaves no training images/));
});

test('a corrupt batch surfaces the reader error', () => {
  const dir = makeTempDir();
  writeBinaryLayout(dir);
  writeFileSync(join(dir, 'data_batch_2.bin'), new Uint8Array(100));
  assert.throws(() => loadDataset(holdoutSpec, dir), datasetError('truncated', /data_batch_2\.bin is truncated/));
});
