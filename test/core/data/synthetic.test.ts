import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIFAR10_SHAPE, type ImageSet } from '../../../src/core/data/dataset.js';
import { makeSyntheticSplits, type SyntheticDataSpec } from '../../../src/core/data/synthetic.js';

function spec(overrides: Partial<SyntheticDataSpec> = {}): SyntheticDataSpec {
  return { dataset: 'synthetic', trainSize: 500, validationSize: 100, testSize: 120, features: 3072, classes: 10, separation: 1, ...overrides };
}

/** Accuracy on `test` of the nearest class mean estimated from `train`: a linear classifier. */
function nearestMeanAccuracy(train: ImageSet, test: ImageSet, k: number): number {
  const d = train.d;
  const mean = new Float64Array(k * d);
  const count = new Float64Array(k);
  for (let i = 0; i < train.n; i++) {
    const c = train.y[i];
    count[c]++;
    for (let j = 0; j < d; j++) mean[c * d + j] += train.x[i * d + j];
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) mean[c * d + j] /= count[c];
  let correct = 0;
  for (let i = 0; i < test.n; i++) {
    let best = -1;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (test.x[i * d + j] - mean[c * d + j]) ** 2;
      if (dist < bestDist) [best, bestDist] = [c, dist];
    }
    if (best === test.y[i]) correct++;
  }
  return correct / test.n;
}

test('synthetic splits have the requested shapes, classes and image shape', () => {
  const s = makeSyntheticSplits(spec(), 1);
  for (const [set, n] of [[s.train, 500], [s.validation, 100], [s.test, 120]] as const) {
    assert.equal(set.n, n);
    assert.equal(set.d, 3072);
    assert.equal(set.x.length, n * 3072);
    assert.equal(set.y.length, n);
    assert.ok(set.y.every((c) => c < 10));
  }
  assert.equal(s.classes, 10);
  assert.deepEqual(s.classNames, ['class0', 'class1', 'class2', 'class3', 'class4', 'class5', 'class6', 'class7', 'class8', 'class9']);
  assert.deepEqual(s.imageShape, CIFAR10_SHAPE);
  assert.match(s.source, /synthetic/);

  const flat = makeSyntheticSplits(spec({ features: 100, classes: 3 }), 1);
  assert.equal(flat.imageShape, null);
  assert.equal(flat.train.d, 100);
  assert.deepEqual(flat.classNames, ['class0', 'class1', 'class2']);
});

test('same seed gives identical bytes; a different seed different ones', () => {
  const a = makeSyntheticSplits(spec(), 7);
  const b = makeSyntheticSplits(spec(), 7);
  const c = makeSyntheticSplits(spec(), 8);
  for (const k of ['train', 'validation', 'test'] as const) {
    assert.deepEqual(a[k].x, b[k].x);
    assert.deepEqual(a[k].y, b[k].y);
  }
  assert.notDeepEqual(a.train.x, c.train.x);
  assert.notDeepEqual(a.train.y, c.train.y);
  // The three splits are drawn independently, not copies of each other.
  assert.notDeepEqual(a.validation.x, a.test.x.subarray(0, a.validation.x.length));
});

test('labels are balanced and the pixels are not saturated', () => {
  const s = makeSyntheticSplits(spec({ trainSize: 1003, classes: 10 }), 3);
  const counts = new Array<number>(10).fill(0);
  for (const c of s.train.y) counts[c]++;
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts.join(', ')}`);
  let clipped = 0;
  let sum = 0;
  for (const v of s.train.x) {
    if (v === 0 || v === 255) clipped++;
    sum += v;
  }
  assert.ok(clipped / s.train.x.length < 0.01, `${clipped} clipped pixels`);
  assert.ok(Math.abs(sum / s.train.x.length - 128) < 5);
});

test('subset is the prefix of the full training set, and other splits do not depend on trainSize', () => {
  const full = makeSyntheticSplits(spec(), 5);
  const sub = makeSyntheticSplits(spec({ subset: 123 }), 5);
  assert.equal(sub.train.n, 123);
  assert.deepEqual(sub.train.x, full.train.x.subarray(0, 123 * 3072));
  assert.deepEqual(sub.train.y, full.train.y.subarray(0, 123));
  const bigger = makeSyntheticSplits(spec({ trainSize: 800 }), 5);
  assert.deepEqual(bigger.test.x, full.test.x);
  assert.deepEqual(bigger.validation.y, full.validation.y);
});

test('separation 1 is learnable by a linear model but far from trivial; 0 is chance', () => {
  const k = 10;
  const s1 = makeSyntheticSplits(spec({ trainSize: 10_000, testSize: 500 }), 11);
  const acc1 = nearestMeanAccuracy(s1.train, s1.test, k);
  assert.ok(acc1 > 0.35 && acc1 < 0.85, `separation 1: accuracy ${acc1}`);
  const s0 = makeSyntheticSplits(spec({ trainSize: 2000, testSize: 500, separation: 0 }), 11);
  const acc0 = nearestMeanAccuracy(s0.train, s0.test, k);
  assert.ok(acc0 < 0.2, `separation 0: accuracy ${acc0}`);
  const s4 = makeSyntheticSplits(spec({ trainSize: 2000, testSize: 500, separation: 4 }), 11);
  assert.ok(nearestMeanAccuracy(s4.train, s4.test, k) > acc1);
});

// How long this takes is measured by bench/dataBench.ts, not asserted here.
test('45,000 x 3072 training images build at full size', () => {
  const s = makeSyntheticSplits(spec({ trainSize: 45_000, validationSize: 5000, testSize: 10_000 }), 1);
  assert.equal(s.train.x.length, 45_000 * 3072);
});

test('more than 256 classes is refused (labels are bytes)', () => {
  assert.throws(() => makeSyntheticSplits(spec({ classes: 300, features: 10 }), 1), /at most 256 classes/);
});
