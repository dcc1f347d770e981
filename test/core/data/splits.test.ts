import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSet } from '../../../src/core/data/dataset.js';
import { assembleCifarSplits, concatSets, sliceSet, type Cifar10DataSpec } from '../../../src/core/data/splits.js';

/** n images of d features; image i of set `tag` has every pixel 10 * tag + i and label i % 10. */
function tiny(tag: number, n: number, d = 2): ImageSet {
  const x = new Uint8Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x.fill(10 * tag + i, i * d, (i + 1) * d);
    y[i] = i % 10;
  }
  return { n, d, x, y };
}

function firstPixels(set: ImageSet): number[] {
  return Array.from({ length: set.n }, (_, i) => set.x[i * set.d]);
}

function cifar(overrides: Partial<Cifar10DataSpec>): Cifar10DataSpec {
  return { dataset: 'cifar10', train: ['data_batch_1'], test: ['test_batch'], ...overrides };
}

const batches = new Map<string, ImageSet>([
  ['data_batch_1', tiny(1, 4)],
  ['data_batch_2', tiny(2, 4)],
  ['data_batch_3', tiny(3, 4)],
  ['test_batch', tiny(9, 3)],
]);

test('concatSets joins in order; one set is returned without copying', () => {
  const joined = concatSets([tiny(1, 2), tiny(2, 3)]);
  assert.equal(joined.n, 5);
  assert.equal(joined.d, 2);
  assert.deepEqual(Array.from(joined.x), [10, 10, 11, 11, 20, 20, 21, 21, 22, 22]);
  assert.deepEqual(Array.from(joined.y), [0, 1, 0, 1, 2]);
  const one = tiny(1, 2);
  assert.equal(concatSets([one]), one);
  assert.throws(() => concatSets([]), /zero image sets/);
  assert.throws(() => concatSets([tiny(1, 2, 2), tiny(2, 2, 3)]), /2 and 3 features/);
});

test('sliceSet is a view of the same memory, bounds-checked', () => {
  const set = tiny(1, 5);
  const s = sliceSet(set, 1, 3);
  assert.equal(s.n, 2);
  assert.deepEqual(firstPixels(s), [11, 12]);
  assert.deepEqual(Array.from(s.y), [1, 2]);
  assert.equal(s.x.buffer, set.x.buffer);
  set.x[2] = 99;
  assert.equal(s.x[0], 99);
  assert.equal(sliceSet(set, 2, 2).n, 0);
  assert.throws(() => sliceSet(set, 3, 6), /outside the 5 images/);
  assert.throws(() => sliceSet(set, 3, 2), /outside/);
});

test('holdout takes the last images of the concatenated training batches as validation', () => {
  const s = assembleCifarSplits(batches, cifar({ train: ['data_batch_1', 'data_batch_2'] }), 3);
  assert.deepEqual(firstPixels(s.train), [10, 11, 12, 13, 20]);
  assert.deepEqual(firstPixels(s.validation), [21, 22, 23]);
  assert.deepEqual(Array.from(s.validation.y), [1, 2, 3]);
  assert.deepEqual(firstPixels(s.test), [90, 91, 92]);
});

test('without holdout, validation is the named validation batches', () => {
  const s = assembleCifarSplits(batches, cifar({ train: ['data_batch_1', 'data_batch_2'], validation: ['data_batch_3'] }), 0);
  assert.equal(s.train.n, 8);
  assert.deepEqual(firstPixels(s.validation), [30, 31, 32, 33]);
  assert.deepEqual(firstPixels(s.test), [90, 91, 92]);
});

test('subset keeps the first N training images after the holdout is removed', () => {
  const s = assembleCifarSplits(batches, cifar({ train: ['data_batch_1', 'data_batch_2'], subset: 3 }), 2);
  assert.deepEqual(firstPixels(s.train), [10, 11, 12]);
  assert.deepEqual(firstPixels(s.validation), [22, 23]);
  const larger = assembleCifarSplits(batches, cifar({ subset: 100 }), 1);
  assert.equal(larger.train.n, 3);
});

test('assembly refuses missing validation, an oversized holdout and unloaded batches', () => {
  assert.throws(() => assembleCifarSplits(batches, cifar({}), 0), /no validation data/);
  assert.throws(() => assembleCifarSplits(batches, cifar({ validation: [] }), 0), /no validation data/);
  assert.throws(() => assembleCifarSplits(batches, cifar({}), 4), /holdout of 4 images leaves no training images.*only 4/);
  assert.throws(() => assembleCifarSplits(batches, cifar({ train: ['data_batch_5'] }), 1), /data_batch_5 was not loaded/);
});
