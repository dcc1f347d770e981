// gemm (blocked, packed) against gemmReference (the definition), in float32 and float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Precision } from '../../../src/core/kernels/kernels.js';
import { gemm } from '../../../src/core/kernels/tsGemm.js';
import { AWKWARD_GEMM_SHAPES, checkGemm, TRANSPOSES, type GemmCase } from '../../helpers/gemmCases.js';
import { PRECISIONS, prng } from '../../helpers/numeric.js';

/** Relative tolerance, against sum_p |alpha a_ip b_pj| + |beta c_ij| for the element. */
const TOL: Record<Precision, number> = { float32: 1e-5, float64: 1e-12 };

/** The blocked gemm against gemmReference (see checkGemm for the guards and NaN traps). */
function check(p: Precision, cs: GemmCase, rand: () => number): void {
  checkGemm(gemm, p, rand, cs, (magnitude) => TOL[p] * magnitude + Number.MIN_VALUE);
}

test('awkward shapes, every transpose combination, strides wider than the matrices', () => {
  // Sizes that are not multiples of the 2x3 micro-tile, single rows/columns, k = 1.
  const rand = prng(1);
  for (const p of PRECISIONS) {
    for (const [transA, transB] of TRANSPOSES) {
      for (const [m, n, k] of AWKWARD_GEMM_SHAPES) {
        check(p, { transA, transB, m, n, k, alpha: 1, beta: 0 }, rand);
        check(p, { transA, transB, m, n, k, alpha: -0.5, beta: 1, pad: [3, 1, 2] }, rand);
        check(p, { transA, transB, m, n, k, alpha: 2.5, beta: -0.75, pad: [1, 4, 5] }, rand);
      }
    }
  }
});

test('shapes spanning several blocks in m, n and k', () => {
  // Larger than one block in every dimension (MC = 128, NC = 192, KC = 512), with uneven splits.
  const rand = prng(2);
  for (const p of PRECISIONS) {
    for (const [transA, transB] of TRANSPOSES) {
      check(p, { transA, transB, m: 131, n: 200, k: 1030, alpha: 0.7, beta: 0, pad: [2, 3, 1] }, rand);
    }
    check(p, { transA: false, transB: true, m: 257, n: 385, k: 515, alpha: 1, beta: 1 }, rand);
  }
});

test('the training shapes (batch 100, 3072-50-50-10)', () => {
  const rand = prng(3);
  for (const p of PRECISIONS) {
    // Forward: S = X W^T; weight gradient: dW = G^T X; input gradient: dH = G W.
    check(p, { transA: false, transB: true, m: 100, n: 50, k: 3072, alpha: 1, beta: 1 }, rand);
    check(p, { transA: true, transB: false, m: 50, n: 3072, k: 100, alpha: 0.01, beta: 0 }, rand);
    check(p, { transA: false, transB: false, m: 100, n: 50, k: 50, alpha: 1, beta: 0 }, rand);
    check(p, { transA: false, transB: true, m: 100, n: 10, k: 50, alpha: 1, beta: 1 }, rand);
    check(p, { transA: true, transB: false, m: 10, n: 50, k: 100, alpha: 0.01, beta: 0 }, rand);
    check(p, { transA: false, transB: false, m: 100, n: 50, k: 10, alpha: 1, beta: 0 }, rand);
  }
});

test('random shapes, strides, alpha and beta', () => {
  const rand = prng(4);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];
  for (let t = 0; t < 200; t++) {
    const p = pick(PRECISIONS);
    const [transA, transB] = pick(TRANSPOSES);
    check(
      p,
      {
        transA,
        transB,
        m: int(1, 40),
        n: int(1, 40),
        k: int(1, 70),
        alpha: pick([1, -0.5, 2.5, 1e-3]),
        beta: pick([0, 1, -0.5, 3]),
        pad: [pick([0, 0, 1, 5]), pick([0, 0, 2, 7]), pick([0, 0, 1, 3])],
      },
      rand,
    );
  }
});

test('alternating precisions and sizes reuse the scratch buffer correctly', () => {
  const rand = prng(5);
  for (let t = 0; t < 6; t++) {
    check('float64', { transA: false, transB: true, m: 150, n: 60, k: 700, alpha: 1, beta: 0 }, rand);
    check('float32', { transA: true, transB: false, m: 3, n: 5, k: 2, alpha: 1, beta: 1 }, rand);
    check('float32', { transA: false, transB: false, m: 40, n: 200, k: 30, alpha: -0.5, beta: 0 }, rand);
  }
});

test('degenerate sizes: m or n = 0 leaves c alone; k = 0 or alpha = 0 gives beta * c', () => {
  for (const Arr of [Float32Array, Float64Array]) {
    const a = new Arr(12).fill(1), b = new Arr(12).fill(1);
    const c = new Arr([1, 2, 3, 4, 5, 6]);
    gemm(false, false, 0, 3, 4, 1, a, 4, b, 3, 0, c, 3);
    gemm(false, false, 2, 0, 4, 1, a, 4, b, 3, 0, c, 3);
    assert.deepEqual(Array.from(c), [1, 2, 3, 4, 5, 6]);

    gemm(false, false, 2, 3, 0, 1, a, 1, b, 3, 2, c, 3);
    assert.deepEqual(Array.from(c), [2, 4, 6, 8, 10, 12]);
    gemm(true, true, 2, 3, 0, 1, a, 2, b, 1, 1, c, 3);
    assert.deepEqual(Array.from(c), [2, 4, 6, 8, 10, 12]);

    const nan = new Arr(6).fill(NaN);
    gemm(false, false, 2, 3, 0, 1, a, 1, b, 3, 0, nan, 3);
    assert.deepEqual(Array.from(nan), [0, 0, 0, 0, 0, 0]);

    // alpha = 0: a and b are not read (BLAS convention), so NaN there does not matter.
    const aNaN = new Arr(8).fill(NaN);
    const c2 = new Arr([1, 2, 3, 4, 5, 6]);
    gemm(false, false, 2, 3, 4, 0, aNaN, 4, b, 3, -1, c2, 3);
    assert.deepEqual(Array.from(c2), [-1, -2, -3, -4, -5, -6]);
  }
});
