import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSet } from '../../../src/core/data/dataset.js';
import { byteScaleNormalisation, computeNormalisation, trainingSetNormalisation } from '../../../src/core/data/normalisation.js';

function set(rows: number[][]): ImageSet {
  const d = rows[0].length;
  return { n: rows.length, d, x: Uint8Array.from(rows.flat()), y: new Uint8Array(rows.length) };
}

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let j = 0; j < expected.length; j++) assert.ok(Math.abs(actual[j] - expected[j]) <= tol, `[${j}] ${actual[j]} vs ${expected[j]}`);
}

test('mean and std of pixel / 255 on a hand-checked set', () => {
  // Feature 0: 0 and 1 -> mean 0.5, std 0.5; feature 1: constant 1; feature 2: 0.2 and 0.6 -> 0.4, 0.2.
  const n = computeNormalisation(set([
    [0, 255, 51],
    [255, 255, 153],
  ]));
  close(n.mean, [0.5, 1, 0.4]);
  close(n.std, [0.5, 0, 0.2]);
});

test('byte-scale normalisation gives (byte / 255 - mean) / std straight from bytes', () => {
  const norm = computeNormalisation(set([
    [0, 255, 51],
    [255, 255, 153],
  ]));
  const b = byteScaleNormalisation(norm);
  close(b.mean, [127.5, 255, 102], 1e-9);
  close(b.invStd, [1 / 127.5, 1 / (1e-8 * 255), 1 / 51], 1e-9);
  for (const [byte, j] of [[0, 0], [255, 0], [51, 2], [200, 2]]) {
    const direct = (byte / 255 - norm.mean[j]) / norm.std[j];
    assert.ok(Math.abs((byte - b.mean[j]) * b.invStd[j] - direct) < 1e-9);
  }
  // A constant feature maps to 0 instead of NaN.
  assert.equal((255 - b.mean[1]) * b.invStd[1], 0);
});

test('agrees with a naive two-pass computation (row count not a multiple of 4)', () => {
  const n = 7;
  const d = 5;
  const x = Uint8Array.from({ length: n * d }, (_, i) => (i * 37 + 11) % 256);
  const norm = computeNormalisation({ n, d, x, y: new Uint8Array(n) });
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + j] / 255 / n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (x[i * d + j] / 255 - mean) ** 2 / n;
    assert.ok(Math.abs(norm.mean[j] - mean) < 1e-12);
    assert.ok(Math.abs(norm.std[j] - Math.sqrt(variance)) < 1e-12);
  }
});

test('an empty set has no statistics', () => {
  assert.throws(() => computeNormalisation({ n: 0, d: 3, x: new Uint8Array(0), y: new Uint8Array(0) }), /empty/);
});

test('the full training set (45,000 x 3072 images) normalises per feature (its time: bench/dataBench.ts)', () => {
  const n = 45_000;
  const d = 3072;
  const x = new Uint8Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = (i % d) & 255;
  const norm = computeNormalisation({ n, d, x, y: new Uint8Array(n) });
  assert.equal(norm.mean.length, d);
  // Every image is the same ramp: each feature's mean is its own value, with no spread.
  assert.ok(Math.abs(norm.mean[7] - 7 / 255) < 1e-6 && Math.abs(norm.mean[300] - (300 & 255) / 255) < 1e-6);
});

test('a training set\'s statistics are computed once per image set, and equal the direct computation', () => {
  const a = set([
    [0, 255, 51],
    [255, 255, 153],
  ]);
  const first = trainingSetNormalisation(a);
  assert.equal(trainingSetNormalisation(a), first, 'the same set: the same statistics object');
  const direct = byteScaleNormalisation(computeNormalisation(a));
  assert.deepEqual(first, direct);
  const b = set([
    [0, 255, 51],
    [255, 0, 153],
  ]);
  assert.notDeepEqual(trainingSetNormalisation(b), first, 'another set (equal bytes or not) gets its own');
});
