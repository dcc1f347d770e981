// The bfloat16 product (spec "precision": "bfloat16"): the rounding itself, the TypeScript oracle
// (operands rounded, then the float32 product), and the native kernel against it on both of its
// paths (vdpbf16ps where the CPU has AVX512-BF16, the rounded operands through the float32 product
// elsewhere) on awkward shapes, strides and betas; and that it really is a different product from
// float32's (a bf16 path that silently ran float32 would pass the other checks).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gemmBf16Rounded, roundBf16 } from '../../src/core/kernels/bfloat16.js';
import { gemmReference } from '../../src/core/kernels/tsGemm.js';
import { tsKernels } from '../../src/core/kernels/tsKernels.js';
import { loadNativeKernels, nativeLoadError, type NativeKernels } from '../../src/nativeKernels/loadNativeKernels.js';
import { prng, randomVec } from '../helpers/numeric.js';

const loaded = loadNativeKernels();
const skip: string | false = loaded ? false : `native addon unavailable, skipping: ${nativeLoadError()}`;
const nk = loaded as NativeKernels;

describe('roundBf16', () => {
  test('keeps bf16 values, rounds to nearest with ties to even', () => {
    for (const x of [0, 1, -2, 0.5, 1 + 2 ** -7, 3.140625, 2 ** 100, -(2 ** -100)]) assert.equal(roundBf16(x), x);
    assert.equal(roundBf16(1 + 2 ** -8), 1, 'a tie goes to the even mantissa (down)');
    assert.equal(roundBf16(1 + 3 * 2 ** -8), 1 + 2 ** -6, 'a tie goes to the even mantissa (up)');
    assert.equal(roundBf16(1 + 2 ** -8 + 2 ** -20), 1 + 2 ** -7, 'above the tie rounds up');
    assert.equal(roundBf16(-(1 + 2 ** -8 + 2 ** -20)), -(1 + 2 ** -7));
    assert.equal(roundBf16(Math.PI), 3.140625);
  });
});

/** The oracle: operands rounded to bf16, then float64 sums straight from the definition. */
const oracle = gemmBf16Rounded(gemmReference);

interface Case {
  /** a^T b (the weight gradient) when true, else a b^T (the forward product). */
  tn: boolean;
  m: number;
  n: number;
  k: number;
  lda: number;
  ldb: number;
  ldc: number;
  alpha: number;
  beta: number;
}

// nt: 5x5 tiles over k in 32s, 50-column blocks, and from 64 rows 6 x 64 pair tiles over 16-row
// panels of b in 48-row tasks; tn: 5 rows x 64 columns over k in pairs. Each shape misses some.
const SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 1, 33],
  [2, 3, 31],
  [5, 5, 32],
  [6, 7, 63],
  [11, 13, 65],
  [7, 51, 100],
  [13, 101, 3],
  [3, 130, 99],
  [64, 1, 1],
  [65, 17, 33],
  [97, 70, 63],
  [130, 33, 100],
];
// The first layer's: forward 100 x 50t x 3072, weight gradient 50 x 3072 x 100 (k = the batch).
const LARGE: readonly (readonly [boolean, number, number, number])[] = [
  [false, 100, 50, 3072],
  [false, 100, 250, 3072],
  [true, 50, 3072, 100],
  [true, 50, 3072, 99],
];

function cases(): Case[] {
  const out: Case[] = [];
  const both = (tn: boolean, m: number, n: number, k: number) => {
    const [aCols, bCols] = tn ? [m, n] : [k, k];
    out.push({ tn, m, n, k, lda: aCols, ldb: bCols, ldc: n, alpha: 1, beta: 0 });
    out.push({ tn, m, n, k, lda: aCols + 3, ldb: bCols + 5, ldc: n + 2, alpha: -0.75, beta: 1 });
  };
  for (const [m, n, k] of SHAPES) for (const tn of [false, true]) both(tn, m, n, k);
  for (const [tn, m, n, k] of LARGE) both(tn, m, n, k);
  return out;
}

/** Runs f on fresh operands of cs; returns c, the oracle's c, and the size of each sum (for tolerances). */
function run(f: typeof oracle, cs: Case, seed: number): { got: Float32Array; want: Float32Array; mag: Float64Array } {
  const rnd = prng(seed);
  const a = randomVec('float32', (cs.tn ? cs.k : cs.m) * cs.lda, rnd) as Float32Array;
  const b = randomVec('float32', (cs.tn ? cs.k : cs.n) * cs.ldb, rnd) as Float32Array;
  const c0 = randomVec('float32', cs.m * cs.ldc, rnd) as Float32Array;
  const got = c0.slice();
  const want = c0.slice();
  const ta = cs.tn;
  f(ta, !ta, cs.m, cs.n, cs.k, cs.alpha, a, cs.lda, b, cs.ldb, cs.beta, got, cs.ldc);
  oracle(ta, !ta, cs.m, cs.n, cs.k, cs.alpha, a, cs.lda, b, cs.ldb, cs.beta, want, cs.ldc);
  const aAt = (i: number, q: number) => (ta ? a[q * cs.lda + i] : a[i * cs.lda + q]);
  const bAt = (j: number, q: number) => (ta ? b[q * cs.ldb + j] : b[j * cs.ldb + q]);
  const mag = new Float64Array(cs.m * cs.ldc);
  for (let i = 0; i < cs.m; i++)
    for (let j = 0; j < cs.n; j++) {
      let s = 0;
      for (let q = 0; q < cs.k; q++) s += Math.abs(aAt(i, q) * bAt(j, q));
      mag[i * cs.ldc + j] = Math.abs(cs.alpha) * s + Math.abs(cs.beta * c0[i * cs.ldc + j]);
    }
  return { got, want, mag };
}

/** float32 sums of exact products: within k ulps of float32 of the sum of magnitudes. */
function assertMatches(label: string, cs: Case, r: ReturnType<typeof run>): void {
  for (let i = 0; i < cs.m; i++)
    for (let j = 0; j < cs.n; j++) {
      const at = i * cs.ldc + j;
      const tol = (cs.k + 2) * 2 ** -24 * r.mag[at] + 1e-30;
      assert.ok(Math.abs(r.got[at] - r.want[at]) <= tol, `${label} ${JSON.stringify(cs)}: c[${i}][${j}] = ${r.got[at]}, oracle ${r.want[at]} (tolerance ${tol})`);
    }
  for (let i = 0; i < cs.m; i++)
    for (let j = cs.n; j < cs.ldc; j++) assert.equal(r.got[i * cs.ldc + j], r.want[i * cs.ldc + j], `${label}: the padding of c is untouched`);
}

describe('gemmBf16', () => {
  test('the TypeScript kernels match the oracle', () => {
    cases().forEach((cs, i) => cs.m * cs.n * cs.k < 2e6 && assertMatches('ts', cs, run(tsKernels.gemmBf16, cs, 10 + i)));
  });

  test('native, both paths, matches the oracle', { skip }, () => {
    const paths = nk.setBf16Fast(true) ? [true, false] : [false];
    try {
      for (const fast of paths) {
        assert.equal(nk.setBf16Fast(fast), fast);
        assert.equal(nk.info().bf16, fast ? 'avx512bf16' : 'rounded');
        cases().forEach((cs, i) => assertMatches(fast ? 'native vdpbf16ps' : 'native rounded', cs, run(nk.gemmBf16, cs, 100 + i)));
      }
    } finally {
      nk.setBf16Fast(true);
    }
  });

  test('is not the float32 product: the rounding shows in the result', { skip }, () => {
    const cs = { m: 20, n: 30, k: 3072 };
    const rnd = prng(7);
    const a = randomVec('float32', cs.m * cs.k, rnd) as Float32Array;
    const b = randomVec('float32', cs.n * cs.k, rnd) as Float32Array;
    const bf = new Float32Array(cs.m * cs.n);
    const f32 = new Float32Array(cs.m * cs.n);
    nk.gemmBf16(false, true, cs.m, cs.n, cs.k, 1, a, cs.k, b, cs.k, 0, bf, cs.n);
    nk.gemm(false, true, cs.m, cs.n, cs.k, 1, a, cs.k, b, cs.k, 0, f32, cs.n);
    let differ = 0;
    let worst = 0;
    for (let i = 0; i < bf.length; i++) {
      if (bf[i] !== f32[i]) differ++;
      worst = Math.max(worst, Math.abs(bf[i] - f32[i]));
    }
    assert.ok(differ > bf.length * 0.9, `only ${differ} of ${bf.length} results differ from float32's`);
    // Each operand is off by at most 2^-9 relative: a sum of 3072 products of [-1, 1] values moves by ~0.1 at most.
    assert.ok(worst < 0.5, `bf16 and float32 results differ by up to ${worst}`);
  });

  test('holdOperands: a^T b reuses the converted b while held, and converts again once released', { skip: skip || (!loaded!.setBf16Fast(true) && 'no AVX512-BF16 on this CPU: nothing is packed to hold') }, () => {
    const [m, n, k] = [7, 70, 9];
    const rnd = prng(5);
    const a = randomVec('float32', k * m, rnd) as Float32Array;
    const b = randomVec('float32', k * n, rnd) as Float32Array;
    const b2 = b.map((x) => -x);
    const product = (bb: Float32Array) => {
      const c = new Float32Array(m * n);
      nk.gemmBf16(true, false, m, n, k, 1, a, m, bb, n, 0, c, n);
      return c;
    };
    const fresh = product(b);
    try {
      nk.holdOperands(true);
      assert.deepEqual(product(b), fresh);
      const same = b.slice();
      b.set(b2);
      assert.deepEqual(product(b), fresh, 'held: the packed copy of the first b is reused (the caller broke its promise here on purpose)');
      assert.deepEqual(product(same), fresh, 'another array is converted anew');
    } finally {
      nk.holdOperands(false);
    }
    assert.deepEqual(product(b), Float32Array.from(fresh, (x) => (x === 0 ? 0 : -x)), 'released: b is converted again');
  });

  test('holdOperands: a b^T keeps its converted b while held, for many rows (panels) and few (rows) alike', { skip: skip || (!loaded!.setBf16Fast(true) && 'no AVX512-BF16 on this CPU: nothing is converted to hold') }, () => {
    const [n, k] = [37, 300];
    const rnd = prng(6);
    const b = randomVec('float32', n * k, rnd) as Float32Array;
    const as = [500, 30, 120, 7, 64].map((m) => ({ m, a: randomVec('float32', m * k, rnd) as Float32Array }));
    const product = ({ m, a }: { m: number; a: Float32Array }) => {
      const c = new Float32Array(m * n);
      nk.gemmBf16(false, true, m, n, k, 1, a, k, b, k, 0, c, n);
      return c;
    };
    const fresh = as.map(product);
    try {
      nk.holdOperands(true);
      // An evaluation's chunks: the same weights, a last chunk of any size.
      as.forEach((x, i) => assert.deepEqual(product(x), fresh[i], `held, ${x.m} rows`));
      as.forEach((x, i) => assert.deepEqual(product(x), fresh[i], `held, again, ${x.m} rows`));
    } finally {
      nk.holdOperands(false);
    }
  });

  test('rejects float64 arrays, other layouts and bad strides', { skip }, () => {
    const f = (n: number) => new Float32Array(n);
    assert.throws(() => nk.gemmBf16(false, true, 2, 2, 2, 1, new Float64Array(4), 2, new Float64Array(4), 2, 0, new Float64Array(4), 2), /Float32Array/);
    assert.throws(() => nk.gemmBf16(false, false, 2, 2, 2, 1, f(4), 2, f(4), 2, 0, f(4), 2), /transA != transB/);
    assert.throws(() => nk.gemmBf16(false, true, 2, 2, 3, 1, f(6), 2, f(6), 3, 0, f(4), 2), /lda/);
    assert.throws(() => tsKernels.gemmBf16(true, true, 2, 2, 2, 1, f(4), 2, f(4), 2, 0, f(4), 2), /transA !== transB/);
  });
});
