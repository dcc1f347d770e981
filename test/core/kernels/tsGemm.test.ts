// gemm (blocked, packed) against gemmReference (the definition), in float32 and float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm, gemmReference } from '../../../src/core/kernels/tsGemm.js';

type Arr = Float32ArrayConstructor | Float64ArrayConstructor;
type V = Float32Array | Float64Array;

/** Relative tolerance, against sum_p |alpha a_ip b_pj| + |beta c_ij| for the element. */
const TOL: Record<string, number> = { Float32Array: 1e-5, Float64Array: 1e-12 };
const PRECISIONS: Arr[] = [Float32Array, Float64Array];

/** mulberry32: small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra row-stride beyond the logical width, for a, b and c. */
  padA?: number;
  padB?: number;
  padC?: number;
}

function describeCase(Arr: Arr, cs: Case): string {
  const op = `${cs.transA ? 'T' : 'N'}${cs.transB ? 'T' : 'N'}`;
  return `${Arr.name} ${op} m=${cs.m} n=${cs.n} k=${cs.k} alpha=${cs.alpha} beta=${cs.beta} pads=${cs.padA ?? 0}/${cs.padB ?? 0}/${cs.padC ?? 0}`;
}

/**
 * Runs one case. Matrix padding (the columns between the logical width and the row stride) holds
 * NaN in a and b, so reading it would poison the result; in c it holds a sentinel that must survive.
 * With beta = 0, the logical part of c starts as NaN, which must be ignored.
 */
function check(Arr: Arr, cs: Case, rand: () => number): void {
  const { transA, transB, m, n, k, alpha, beta } = cs;
  const aRows = transA ? k : m, aCols = transA ? m : k;
  const bRows = transB ? n : k, bCols = transB ? k : n;
  const lda = aCols + (cs.padA ?? 0), ldb = bCols + (cs.padB ?? 0), ldc = n + (cs.padC ?? 0);
  const fill = (rows: number, cols: number, ld: number, value: () => number, pad: number): V => {
    const v = new Arr(Math.max(1, rows * ld));
    v.fill(pad);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[i * ld + j] = value();
    return v;
  };
  const uniform = (): number => 2 * rand() - 1;
  const a = fill(aRows, aCols, lda, uniform, NaN);
  const b = fill(bRows, bCols, ldb, uniform, NaN);
  const SENTINEL = 12345;
  const c0 = fill(m, n, ldc, beta === 0 ? () => NaN : uniform, SENTINEL);
  const got = c0.slice();
  const want = c0.slice();
  gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc);
  gemmReference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);

  const tol = TOL[Arr.name];
  const label = describeCase(Arr, cs);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let mag = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * lda + i] : a[i * lda + p];
        const bv = transB ? b[j * ldb + p] : b[p * ldb + j];
        mag += Math.abs(alpha * av * bv);
      }
      if (beta !== 0) mag += Math.abs(beta * c0[i * ldc + j]);
      const g = got[i * ldc + j], w = want[i * ldc + j];
      assert.ok(Number.isFinite(g), `${label}: c[${i},${j}] = ${g}`);
      const err = Math.abs(g - w);
      assert.ok(err <= tol * mag + Number.MIN_VALUE, `${label}: c[${i},${j}] = ${g}, want ${w} (|err| ${err} > ${tol} * ${mag})`);
    }
    // The stride padding of c is not written.
    for (let j = n; j < ldc && i * ldc + j < got.length; j++) {
      assert.equal(got[i * ldc + j], SENTINEL, `${label}: padding c[${i},${j}] was written`);
    }
  }
}

const COMBOS: Array<[boolean, boolean]> = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

test('awkward shapes, every transpose combination, strides wider than the matrices', () => {
  const rand = prng(1);
  // Sizes that are not multiples of the 2x3 micro-tile, single rows/columns, k = 1.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [1, 7, 5],
    [5, 1, 3],
    [3, 4, 1],
    [2, 3, 4],
    [7, 11, 13],
    [9, 10, 50],
    [33, 17, 9],
    [100, 10, 50],
  ];
  for (const Arr of PRECISIONS) {
    for (const [transA, transB] of COMBOS) {
      for (const [m, n, k] of shapes) {
        check(Arr, { transA, transB, m, n, k, alpha: 1, beta: 0 }, rand);
        check(Arr, { transA, transB, m, n, k, alpha: -0.5, beta: 1, padA: 3, padB: 1, padC: 2 }, rand);
        check(Arr, { transA, transB, m, n, k, alpha: 2.5, beta: -0.75, padA: 1, padB: 4, padC: 5 }, rand);
      }
    }
  }
});

test('shapes spanning several blocks in m, n and k', () => {
  // Larger than one block in every dimension (MC = 128, NC = 192, KC = 512), with uneven splits.
  const rand = prng(2);
  for (const Arr of PRECISIONS) {
    for (const [transA, transB] of COMBOS) {
      check(Arr, { transA, transB, m: 131, n: 200, k: 1030, alpha: 0.7, beta: 0, padA: 2, padB: 3, padC: 1 }, rand);
    }
    check(Arr, { transA: false, transB: true, m: 257, n: 385, k: 515, alpha: 1, beta: 1 }, rand);
  }
});

test('the training shapes (batch 100, 3072-50-50-10)', () => {
  const rand = prng(3);
  for (const Arr of PRECISIONS) {
    // Forward: S = X W^T; weight gradient: dW = G^T X; input gradient: dH = G W.
    check(Arr, { transA: false, transB: true, m: 100, n: 50, k: 3072, alpha: 1, beta: 1 }, rand);
    check(Arr, { transA: true, transB: false, m: 50, n: 3072, k: 100, alpha: 0.01, beta: 0 }, rand);
    check(Arr, { transA: false, transB: false, m: 100, n: 50, k: 50, alpha: 1, beta: 0 }, rand);
    check(Arr, { transA: false, transB: true, m: 100, n: 10, k: 50, alpha: 1, beta: 1 }, rand);
    check(Arr, { transA: true, transB: false, m: 10, n: 50, k: 100, alpha: 0.01, beta: 0 }, rand);
    check(Arr, { transA: false, transB: false, m: 100, n: 50, k: 10, alpha: 1, beta: 0 }, rand);
  }
});

test('random shapes, strides, alpha and beta', () => {
  const rand = prng(4);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[int(0, xs.length - 1)];
  for (let t = 0; t < 200; t++) {
    const Arr = pick(PRECISIONS);
    const [transA, transB] = pick(COMBOS);
    check(
      Arr,
      {
        transA,
        transB,
        m: int(1, 40),
        n: int(1, 40),
        k: int(1, 70),
        alpha: pick([1, -0.5, 2.5, 1e-3]),
        beta: pick([0, 1, -0.5, 3]),
        padA: pick([0, 0, 1, 5]),
        padB: pick([0, 0, 2, 7]),
        padC: pick([0, 0, 1, 3]),
      },
      rand,
    );
  }
});

test('alternating precisions and sizes reuse the scratch buffer correctly', () => {
  const rand = prng(5);
  for (let t = 0; t < 6; t++) {
    check(Float64Array, { transA: false, transB: true, m: 150, n: 60, k: 700, alpha: 1, beta: 0 }, rand);
    check(Float32Array, { transA: true, transB: false, m: 3, n: 5, k: 2, alpha: 1, beta: 1 }, rand);
    check(Float32Array, { transA: false, transB: false, m: 40, n: 200, k: 30, alpha: -0.5, beta: 0 }, rand);
  }
});

test('degenerate sizes: m or n = 0 leaves c alone; k = 0 or alpha = 0 gives beta * c', () => {
  for (const Arr of PRECISIONS) {
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
