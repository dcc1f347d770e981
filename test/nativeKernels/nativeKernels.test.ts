// Every native (OpenBLAS addon) kernel against the TypeScript oracle, float32 and float64.
// Without the addon these tests skip, unless TRAINYARD_REQUIRE_NATIVE=1 (CI), where they fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNativeKernels, nativeLoadError, type NativeKernels } from '../../src/nativeKernels/loadNativeKernels.js';
import { ActivationCode, type Labels, type Precision, type Vec } from '../../src/core/kernels/kernels.js';
import { gemmReference } from '../../src/core/kernels/tsGemm.js';
import * as ts from '../../src/core/kernels/tsKernels.js';

const loaded = loadNativeKernels();
const required = process.env.TRAINYARD_REQUIRE_NATIVE === '1';
const skip: string | false = loaded ? false : `native addon unavailable, skipping: ${nativeLoadError()}`;
// Only dereferenced inside tests, which are skipped when the addon did not load.
const nk = loaded as NativeKernels;

test('native addon loads', { skip: loaded || required ? false : skip }, () => {
  assert.ok(loaded, `TRAINYARD_REQUIRE_NATIVE=1 but ${nativeLoadError()}`);
  assert.equal(loaded.backend, 'native');
  assert.match(loaded.detail, /^OpenBLAS [0-9.]+ \(.+\), \d+ threads?$/);
});

// ---------------------------------------------------------------------------------------------
// Helpers

/** mulberry32: small seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRECISIONS: Precision[] = ['float32', 'float64'];
const UNIT: Record<Precision, number> = { float32: 2 ** -24, float64: 2 ** -53 };

function make(p: Precision, n: number): Vec {
  return p === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

function random(p: Precision, n: number, rnd: () => number, lo = -1, hi = 1): Vec {
  const v = make(p, n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd();
  return v;
}

function copy(v: Vec): Vec {
  return v.slice();
}

/**
 * Elementwise comparison over the whole arrays (so writes outside the logical result are caught
 * too): NaNs must match, otherwise |a - e| <= tol(i, e).
 */
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (i: number, e: number) => number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${what}[${i}]: got ${a}, expected ${e}`);
      continue;
    }
    if (a === e) continue;
    const t = tol(i, e);
    const ratio = Math.abs(a - e) / t;
    if (!(ratio <= 1) && (worst < 0 || ratio > worstRatio)) {
      worst = i;
      worstRatio = ratio;
    }
  }
  if (worst >= 0) {
    assert.fail(`${what}[${worst}]: got ${actual[worst]}, expected ${expected[worst]} (error ${worstRatio.toExponential(2)} x tolerance)`);
  }
}

/**
 * Tolerance for kernels whose arithmetic mirrors the oracle: n half-ulps, plus atol. Kernels that
 * call exp / expm1 get more: glibc and V8 (fdlibm) each round those within 1 ulp, not identically.
 */
function ulps(p: Precision, n: number, atol = 0): (i: number, e: number) => number {
  const u = UNIT[p];
  return (_i, e) => n * u * Math.abs(e) + atol;
}

function forEachPrecision(name: string, fn: (p: Precision, rnd: () => number) => void): void {
  for (const [i, p] of PRECISIONS.entries()) {
    test(`${name} (${p})`, () => fn(p, prng(0x5eed + 7919 * i + name.length * 104729)));
  }
}

// ---------------------------------------------------------------------------------------------
// gemm

interface GemmCase {
  ta: boolean;
  tb: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra row stride beyond the width of each stored matrix. */
  pad: [number, number, number];
  /** Start a, b, c this many elements into their buffers (non-zero byteOffset). */
  offset?: number;
}

function runGemmCase(p: Precision, rnd: () => number, g: GemmCase): void {
  const { ta, tb, m, n, k, alpha, beta, pad } = g;
  const off = g.offset ?? 0;
  const aRows = ta ? k : m;
  const aCols = ta ? m : k;
  const bRows = tb ? n : k;
  const bCols = tb ? k : n;
  const lda = aCols + pad[0];
  const ldb = bCols + pad[1];
  const ldc = n + pad[2];
  const aBuf = random(p, off + aRows * lda + 3, rnd);
  const bBuf = random(p, off + bRows * ldb + 3, rnd);
  const cBuf = random(p, off + m * ldc + 3, rnd);
  // Guard values in the padding and past the end: must survive untouched.
  for (let i = 0; i < cBuf.length; i++) {
    const r = Math.floor((i - off) / ldc);
    const col = (i - off) % ldc;
    if (i < off || r >= m || col >= n) cBuf[i] = 12345;
  }
  if (beta === 0) {
    // beta = 0 means c is not read: NaN and infinities inside the window must not leak.
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) cBuf[off + i * ldc + j] = (i + j) % 2 ? NaN : Infinity;
  }
  const a = aBuf.subarray(off);
  const b = bBuf.subarray(off);
  const cNative = copy(cBuf);
  const cRef = copy(cBuf);
  nk.gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cNative.subarray(off), ldc);
  gemmReference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cRef.subarray(off), ldc);
  // Error bound (Higham): |fl(a b) - a b| <= gamma_k |a| |b|, plus the rounding of beta c and of the result.
  const absA = Float64Array.from(a, Math.abs);
  const absB = Float64Array.from(b, Math.abs);
  const absC = Float64Array.from(cBuf.subarray(off), (x) => (Number.isFinite(x) ? Math.abs(x) : 0));
  gemmReference(ta, tb, m, n, k, Math.abs(alpha), absA, lda, absB, ldb, beta === 0 ? 0 : Math.abs(beta), absC, ldc);
  const u = UNIT[p];
  const tol = (i: number, e: number) => {
    const bound = i >= off ? absC[i - off] : 0;
    return (k + 4) * u * bound + 2 * u * Math.abs(e) + 1e-300;
  };
  close(cNative, cRef, tol, `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} m=${m} n=${n} k=${k} alpha=${alpha} beta=${beta} pad=${pad} off=${off}`);
}

describe('gemm vs gemmReference', { skip }, () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 3],
    [5, 1, 9],
    [1, 50, 3072],
    [3, 5, 1],
    [13, 17, 19],
    [33, 65, 129],
    [9, 31, 200],
    [100, 10, 50],
  ];
  for (const p of PRECISIONS) {
    test(`every transpose combination, awkward shapes, padded leading dims (${p})`, () => {
      const rnd = prng(p === 'float32' ? 1 : 2);
      let n = 0;
      for (const [m, nn, k] of shapes) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const alpha = [1, -0.5, 2.25][n % 3];
            const beta = [0, 1, -0.75][Math.floor(n / 3) % 3];
            const pad: [number, number, number] = n % 2 ? [0, 0, 0] : [1 + (n % 5), 3, 2 + (n % 3)];
            runGemmCase(p, rnd, { ta, tb, m, n: nn, k, alpha, beta, pad, offset: n % 4 === 1 ? 5 : 0 });
            n++;
          }
        }
      }
    });

    test(`beta = 0 ignores NaN / Infinity garbage in c, beta != 0 scales it (${p})`, () => {
      const rnd = prng(3);
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          runGemmCase(p, rnd, { ta, tb, m: 7, n: 11, k: 5, alpha: 1.5, beta: 0, pad: [2, 1, 4] });
          runGemmCase(p, rnd, { ta, tb, m: 7, n: 11, k: 5, alpha: 1, beta: 0.5, pad: [0, 0, 0] });
        }
      }
    });

    test(`empty dimensions: m = 0, n = 0 leave c alone; k = 0 gives beta * c (${p})`, () => {
      const rnd = prng(4);
      for (const [m, nn, k] of [
        [0, 5, 3],
        [4, 0, 3],
        [4, 5, 0],
        [0, 0, 0],
      ] as [number, number, number][]) {
        for (const beta of [0, 1, -2]) {
          for (const ta of [false, true]) {
            runGemmCase(p, rnd, { ta, tb: !ta, m, n: nn, k, alpha: 1, beta, pad: [1, 1, 1] });
          }
        }
      }
    });

    test(`training shapes: 100x3072 @ (50x3072)^T, 50x100^T @ 100x3072, 100x50 @ 50x10 (${p})`, () => {
      const rnd = prng(5);
      runGemmCase(p, rnd, { ta: false, tb: true, m: 100, n: 50, k: 3072, alpha: 1, beta: 1, pad: [0, 0, 0] });
      runGemmCase(p, rnd, { ta: true, tb: false, m: 50, n: 3072, k: 100, alpha: 0.01, beta: 0, pad: [0, 0, 0] });
      runGemmCase(p, rnd, { ta: false, tb: false, m: 100, n: 10, k: 50, alpha: 1, beta: 0, pad: [0, 0, 0] });
    });
  }

  test('1 and 2 threads give results within tolerance of each other', () => {
    const before = nk.getThreads();
    try {
      for (const t of [1, 2]) {
        assert.equal(nk.setThreads(t), nk.getThreads());
        runGemmCase('float32', prng(6), { ta: false, tb: true, m: 100, n: 50, k: 3072, alpha: 1, beta: 0, pad: [0, 0, 0] });
      }
    } finally {
      nk.setThreads(before);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Elementwise and reduction kernels

const ROW_SHAPES: [number, number][] = [
  [1, 1],
  [1, 50],
  [3, 7],
  [100, 50],
  [17, 13],
  [100, 10],
  [2, 3072],
];

describe('elementwise kernels vs tsKernels', { skip }, () => {
  forEachPrecision('fillRows', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const v = random(p, n + 2, rnd);
      const outN = random(p, m * n + 3, rnd);
      const outT = copy(outN);
      nk.fillRows(m, n, v, outN);
      ts.fillRows(m, n, v, outT);
      assert.deepEqual(outN, outT);
    }
  });

  forEachPrecision('colSum', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const g = random(p, m * n, rnd);
      const outN = random(p, n + 1, rnd);
      const outT = copy(outN);
      nk.colSum(m, n, g, 1 / m, outN);
      ts.colSum(m, n, g, 1 / m, outT);
      close(outN, outT, ulps(p, 4, 1e-300), 'colSum');
    }
  });

  forEachPrecision('batchNormForward', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const s = random(p, m * n, rnd, -3, 5);
      const gamma = random(p, n, rnd, 0.5, 1.5);
      const beta = random(p, n, rnd);
      const outs = () => [make(p, n), make(p, n), make(p, m * n), make(p, m * n)] as const;
      const [meanN, varN, shatN, outN] = outs();
      const [meanT, varT, shatT, outT] = outs();
      nk.batchNormForward(m, n, s, gamma, beta, 1e-5, meanN, varN, shatN, outN);
      ts.batchNormForward(m, n, s, gamma, beta, 1e-5, meanT, varT, shatT, outT);
      const tol = ulps(p, 4, 64 * UNIT[p]);
      close(meanN, meanT, tol, 'mean');
      close(varN, varT, tol, 'variance');
      close(shatN, shatT, tol, 'shat');
      close(outN, outT, tol, 'out');
    }
  });

  forEachPrecision('batchNormForward writing out over s', (p, rnd) => {
    const [m, n] = [9, 13];
    const s = random(p, m * n, rnd, -3, 5);
    const gamma = random(p, n, rnd, 0.5, 1.5);
    const beta = random(p, n, rnd);
    const sN = copy(s);
    const sT = copy(s);
    const [meanN, varN, shatN, meanT, varT, shatT] = [make(p, n), make(p, n), make(p, m * n), make(p, n), make(p, n), make(p, m * n)];
    nk.batchNormForward(m, n, sN, gamma, beta, 1e-5, meanN, varN, shatN, sN);
    ts.batchNormForward(m, n, sT, gamma, beta, 1e-5, meanT, varT, shatT, sT);
    const tol = ulps(p, 4, 64 * UNIT[p]);
    close(shatN, shatT, tol, 'shat');
    close(sN, sT, tol, 'out (= s)');
  });

  forEachPrecision('batchNormInference', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const s = random(p, m * n, rnd, -3, 5);
      const mean = random(p, n, rnd);
      const variance = random(p, n, rnd, 0, 4);
      const gamma = random(p, n, rnd, 0.5, 1.5);
      const beta = random(p, n, rnd);
      const outN = make(p, m * n);
      const outT = make(p, m * n);
      nk.batchNormInference(m, n, s, mean, variance, gamma, beta, 1e-5, outN);
      ts.batchNormInference(m, n, s, mean, variance, gamma, beta, 1e-5, outT);
      close(outN, outT, ulps(p, 4, 64 * UNIT[p]), 'out');
    }
  });

  forEachPrecision('batchNormBackward, separate and aliased gIn', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const g = random(p, m * n, rnd);
      const shat = random(p, m * n, rnd, -2, 2);
      const variance = random(p, n, rnd, 0.1, 4);
      const gamma = random(p, n, rnd, 0.5, 1.5);
      for (const alias of [false, true]) {
        const gN = copy(g);
        const gT = copy(g);
        const [dgN, dbN, dgT, dbT] = [make(p, n), make(p, n), make(p, n), make(p, n)];
        const gInN = alias ? gN : make(p, m * n);
        const gInT = alias ? gT : make(p, m * n);
        nk.batchNormBackward(m, n, gN, shat, variance, gamma, 1e-5, dgN, dbN, gInN);
        ts.batchNormBackward(m, n, gT, shat, variance, gamma, 1e-5, dgT, dbT, gInT);
        // gIn subtracts nearly equal terms: the absolute error scales with |g| (~1), not with the result.
        const tol = ulps(p, 4, 64 * UNIT[p]);
        close(dgN, dgT, tol, 'dgamma');
        close(dbN, dbT, tol, 'dbeta');
        close(gInN, gInT, tol, `gIn${alias ? ' (aliasing g)' : ''}`);
      }
    }
  });

  const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 88, -88, 700, -700];
  const KINDS: [string, ActivationCode, number][] = [
    ['relu', ActivationCode.Relu, 0],
    ['leaky relu', ActivationCode.LeakyRelu, 0.01],
    ['elu', ActivationCode.Elu, 1],
    ['elu alpha 0.3', ActivationCode.Elu, 0.3],
  ];

  forEachPrecision('activationForward / activationBackward, in place and not, special values', (p, rnd) => {
    for (const len of [1, 7, 5000, 1003]) {
      const x = random(p, len + SPECIALS.length, rnd, -4, 4);
      x.set(SPECIALS, len);
      const total = x.length;
      for (const [name, kind, alpha] of KINDS) {
        const outN = make(p, total);
        const outT = make(p, total);
        nk.activationForward(kind, alpha, total, x, outN);
        ts.activationForward(kind, alpha, total, x, outT);
        const tol = kind === ActivationCode.Elu ? ulps(p, 16, 1e-300) : ulps(p, 2, 1e-300);
        close(outN, outT, tol, `${name} forward`);
        for (let i = 0; i < total; i++) {
          if (Object.is(outT[i], -0)) assert.ok(Object.is(outN[i], -0), `${name} forward keeps -0 at ${i}`);
        }
        const inPlace = copy(x);
        nk.activationForward(kind, alpha, total, inPlace, inPlace);
        close(inPlace, outT, tol, `${name} forward in place`);

        const g = random(p, total, rnd);
        g[0] = Infinity;
        const gN = copy(g);
        const gT = copy(g);
        nk.activationBackward(kind, alpha, total, x, outT, gN);
        ts.activationBackward(kind, alpha, total, x, outT, gT);
        close(gN, gT, ulps(p, 2, 1e-300), `${name} backward`);
      }
    }
  });

  const LABEL_TYPES: [string, (n: number) => Labels][] = [
    ['Uint8Array', (n) => new Uint8Array(n)],
    ['Uint16Array', (n) => new Uint16Array(n)],
    ['Int32Array', (n) => new Int32Array(n)],
  ];

  forEachPrecision('softmaxCrossEntropy', (p, rnd) => {
    for (const [m, k] of [
      [1, 1],
      [1, 10],
      [100, 10],
      [7, 3],
      [33, 17],
    ] as [number, number][]) {
      for (const [lname, mk] of LABEL_TYPES) {
        const s = random(p, m * k, rnd, -8, 8);
        if (m * k > 4) {
          s[1] = 80; // large logits: the max shift must keep exp finite
          s[2] = -90;
        }
        const labels = mk(m);
        for (let i = 0; i < m; i++) labels[i] = Math.floor(rnd() * k);
        for (const withGrad of [true, false]) {
          const probsN = make(p, m * k);
          const probsT = make(p, m * k);
          const gradN = withGrad ? make(p, m * k) : null;
          const gradT = withGrad ? make(p, m * k) : null;
          const resN = new Float64Array(2);
          const resT = new Float64Array(2);
          nk.softmaxCrossEntropy(m, k, s, labels, probsN, gradN, 1 / m, resN);
          ts.softmaxCrossEntropy(m, k, s, labels, probsT, gradT, 1 / m, resT);
          const what = `softmax m=${m} k=${k} ${lname}${withGrad ? '' : ' no grad'}`;
          close(probsN, probsT, ulps(p, 16, 1e-300), `${what} probs`);
          // grad = (p - 1) * scale at the label: absolute error of p, scaled.
          if (gradN && gradT) close(gradN, gradT, ulps(p, 16, (16 * UNIT[p]) / m), `${what} grad`);
          close(resN, resT, ulps('float64', 64 * m, 1e-12), `${what} result`);
          assert.equal(resN[1], resT[1], `${what} correct count`);
        }
      }
    }
  });

  forEachPrecision('sgdStep with and without momentum', (p, rnd) => {
    for (const len of [1, 9, 153600, 501]) {
      const w = random(p, len + 2, rnd);
      const g = random(p, len + 2, rnd);
      const v = random(p, len + 2, rnd, -0.1, 0.1);
      for (const [rho, l2, useV] of [
        [0.9, 1e-4, true],
        [0, 0, false],
        [0, 5e-4, false],
        [0.5, 0, true],
      ] as [number, number, boolean][]) {
        const [wN, wT, vN, vT] = [copy(w), copy(w), copy(v), copy(v)];
        nk.sgdStep(len, wN, g, useV ? vN : null, 0.05, rho, l2);
        ts.sgdStep(len, wT, g, useV ? vT : null, 0.05, rho, l2);
        close(wN, wT, ulps(p, 2, 1e-300), 'w');
        close(vN, vT, ulps(p, 2, 1e-300), 'v');
      }
    }
  });

  forEachPrecision('sumSquares', (p, rnd) => {
    for (const len of [0, 1, 7, 8, 9, 153600, 1001]) {
      const w = random(p, len + 5, rnd, -2, 2);
      const sN = nk.sumSquares(len, w);
      const sT = ts.sumSquares(len, w);
      assert.ok(Math.abs(sN - sT) <= 1e-12 * sT + 1e-300, `sumSquares(${len}): ${sN} vs ${sT}`);
    }
  });

  forEachPrecision('gatherNormalize', (p, rnd) => {
    const images = 40;
    for (const d of [1, 7, 3072]) {
      const src = new Uint8Array(images * d);
      for (let i = 0; i < src.length; i++) src[i] = Math.floor(rnd() * 256);
      const mean = random(p, d, rnd, 100, 150);
      const invStd = random(p, d, rnd, 0.01, 0.03);
      for (const m of [1, 13, 100]) {
        const rows = new Int32Array(m);
        for (let i = 0; i < m; i++) rows[i] = Math.floor(rnd() * images);
        rows[0] = images - 1;
        const outN = make(p, m * d + 1);
        const outT = make(p, m * d + 1);
        nk.gatherNormalize(m, d, src, rows, mean, invStd, outN);
        ts.gatherNormalize(m, d, src, rows, mean, invStd, outT);
        close(outN, outT, ulps(p, 2, 1e-300), `gatherNormalize m=${m} d=${d}`);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Argument validation: nothing is written out of bounds, errors are clear

describe('argument validation', { skip }, () => {
  const f32 = (n: number) => new Float32Array(n);
  const f64 = (n: number) => new Float64Array(n);

  test('gemm: mixed precision is a TypeError', () => {
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, f32(4), 2, f64(4), 2, 0, f32(4), 2), {
      name: 'TypeError',
      message: /same precision: a is a Float32Array but b is a Float64Array/,
    });
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, f64(4), 2, f64(4), 2, 0, f32(4), 2), { name: 'TypeError', message: /same precision/ });
  });

  test('gemm: too-short arrays are a TypeError and c is untouched', () => {
    const c = f32(5).fill(7);
    // a needs (m-1)*lda + k = 1*3 + 2 = 5 elements.
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, f32(4), 3, f32(4), 2, 0, c, 2), { name: 'TypeError', message: /a is too short: .* need 5 elements, it has 4/ });
    // transposed b (n x k, ldb 2) needs (n-1)*ldb + k = 4.
    assert.throws(() => nk.gemm(false, true, 2, 3, 2, 1, f32(4), 2, f32(5), 2, 0, f32(6), 3), { name: 'TypeError', message: /b is too short/ });
    // c: (m-1)*ldc + n = 1*3 + 2 = 5: fine with 5, too short with 4.
    nk.gemm(false, false, 2, 2, 2, 1, f32(4), 2, f32(4), 2, 0, c, 3);
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, f32(4), 2, f32(4), 2, 0, f32(4), 3), { name: 'TypeError', message: /c is too short/ });
    const guard = f64(6).fill(7);
    assert.throws(() => nk.gemm(false, false, 3, 2, 2, 1, f64(6), 2, f64(4), 2, 0, guard.subarray(0, 5), 2), { name: 'TypeError' });
    assert.deepEqual([...guard], [7, 7, 7, 7, 7, 7]);
  });

  test('gemm: leading dimensions smaller than the width are a RangeError', () => {
    assert.throws(() => nk.gemm(false, false, 2, 2, 3, 1, f32(100), 2, f32(100), 2, 0, f32(100), 2), { name: 'RangeError', message: /lda \(2\) must be at least the row width of a \(3\)/ });
    assert.throws(() => nk.gemm(true, false, 3, 2, 2, 1, f32(100), 2, f32(100), 2, 0, f32(100), 2), { name: 'RangeError', message: /lda/ });
    assert.throws(() => nk.gemm(false, true, 2, 2, 3, 1, f32(100), 3, f32(100), 2, 0, f32(100), 2), { name: 'RangeError', message: /ldb/ });
    assert.throws(() => nk.gemm(false, false, 2, 3, 2, 1, f32(100), 2, f32(100), 3, 0, f32(100), 2), { name: 'RangeError', message: /ldc/ });
  });

  test('gemm: bad dimensions, non-typed arrays, wrong argument types', () => {
    assert.throws(() => nk.gemm(false, false, -1, 2, 2, 1, f32(4), 2, f32(4), 2, 0, f32(4), 2), { name: 'RangeError', message: /m must be an integer/ });
    assert.throws(() => nk.gemm(false, false, 1.5, 2, 2, 1, f32(4), 2, f32(4), 2, 0, f32(4), 2), { name: 'RangeError' });
    assert.throws(() => nk.gemm(false, false, 2 ** 31, 1, 1, 1, f32(4), 1, f32(4), 1, 0, f32(4), 1), { name: 'RangeError' });
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, [1, 2, 3, 4] as unknown as Vec, 2, f32(4), 2, 0, f32(4), 2), { name: 'TypeError', message: /a must be a typed array/ });
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, new Int32Array(4) as unknown as Vec, 2, f32(4), 2, 0, f32(4), 2), { name: 'TypeError', message: /Float32Array or Float64Array, got Int32Array/ });
    assert.throws(() => nk.gemm(0 as unknown as boolean, false, 2, 2, 2, 1, f32(4), 2, f32(4), 2, 0, f32(4), 2), { name: 'TypeError', message: /transA must be a boolean/ });
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, '1' as unknown as number, f32(4), 2, f32(4), 2, 0, f32(4), 2), { name: 'TypeError', message: /alpha must be a number/ });
    assert.throws(() => (nk.gemm as unknown as (...a: unknown[]) => void)(false, false, 2), { name: 'TypeError', message: /expected 13 arguments, got 3/ });
  });

  test('gemm: c overlapping a or b is a RangeError', () => {
    const buf = f64(16);
    assert.throws(() => nk.gemm(false, false, 2, 2, 2, 1, buf.subarray(0, 4), 2, f64(4), 2, 0, buf.subarray(2, 6), 2), { name: 'RangeError', message: /overlap/ });
  });

  test('elementwise kernels check lengths and precision', () => {
    assert.throws(() => nk.fillRows(3, 4, f32(4), f32(11)), { name: 'TypeError', message: /fillRows: out is too short/ });
    assert.throws(() => nk.fillRows(3, 4, f32(3), f32(12)), { name: 'TypeError', message: /v is too short/ });
    assert.throws(() => nk.colSum(3, 4, f64(12), 1, f32(4)), { name: 'TypeError', message: /same precision/ });
    assert.throws(() => nk.colSum(3, 4, f64(12), 1, f64(3)), { name: 'TypeError', message: /out is too short/ });
    assert.throws(() => nk.batchNormForward(2, 3, f32(6), f32(3), f32(3), 1e-5, f32(3), f32(2), f32(6), f32(6)), { name: 'TypeError', message: /variance is too short/ });
    assert.throws(() => nk.batchNormInference(2, 3, f32(6), f32(3), f32(3), f32(3), f64(3), 1e-5, f32(6)), { name: 'TypeError', message: /same precision: s is a Float32Array but beta is a Float64Array/ });
    assert.throws(() => nk.batchNormBackward(2, 3, f64(6), f64(6), f64(3), f64(3), 1e-5, f64(3), f64(3), f64(5)), { name: 'TypeError', message: /gIn is too short/ });
    assert.throws(() => nk.activationForward(ActivationCode.Relu, 0, 10, f32(10), f32(9)), { name: 'TypeError', message: /out is too short/ });
    assert.throws(() => nk.activationForward(7 as ActivationCode, 0, 10, f32(10), f32(10)), { name: 'RangeError', message: /kind must be 0/ });
    assert.throws(() => nk.activationBackward(ActivationCode.Elu, 1, 10, f32(10), f32(9), f32(10)), { name: 'TypeError', message: /y is too short/ });
    assert.throws(() => nk.sgdStep(10, f32(10), f32(10), f32(9), 0.1, 0.9, 0), { name: 'TypeError', message: /v is too short/ });
    assert.throws(() => nk.sgdStep(10, f32(10), f64(10), null, 0.1, 0.9, 0), { name: 'TypeError', message: /same precision/ });
    assert.throws(() => nk.sumSquares(10, f64(9)), { name: 'TypeError', message: /w is too short/ });
  });

  test('softmaxCrossEntropy checks labels, k and the result array', () => {
    const labels = new Uint8Array([0, 3]);
    assert.throws(() => nk.softmaxCrossEntropy(2, 3, f32(6), labels, f32(6), null, 1, new Float64Array(2)), { name: 'RangeError', message: /labels\[1\] = 3 is outside \[0, k = 3\)/ });
    assert.throws(() => nk.softmaxCrossEntropy(1, 3, f32(3), new Int32Array([-1]), f32(3), null, 1, new Float64Array(2)), { name: 'RangeError' });
    assert.throws(() => nk.softmaxCrossEntropy(2, 3, f32(6), new Uint8Array(1), f32(6), null, 1, new Float64Array(2)), { name: 'TypeError', message: /labels is too short/ });
    assert.throws(() => nk.softmaxCrossEntropy(2, 3, f32(6), new Uint8Array(2), f32(6), f32(5), 1, new Float64Array(2)), { name: 'TypeError', message: /grad is too short/ });
    assert.throws(() => nk.softmaxCrossEntropy(2, 3, f32(6), new Uint8Array(2), f32(6), null, 1, new Float32Array(2) as unknown as Float64Array), { name: 'TypeError', message: /result must be a Float64Array/ });
    assert.throws(() => nk.softmaxCrossEntropy(2, 3, f32(6), new Float32Array(2) as unknown as Labels, f32(6), null, 1, new Float64Array(2)), { name: 'TypeError', message: /labels must be/ });
    assert.throws(() => nk.softmaxCrossEntropy(2, 0, f32(6), new Uint8Array(2), f32(6), null, 1, new Float64Array(2)), { name: 'RangeError', message: /k must be at least 1/ });
  });

  test('gatherNormalize checks rows against src', () => {
    const src = new Uint8Array(3 * 4);
    assert.throws(() => nk.gatherNormalize(2, 4, src, new Int32Array([0, 3]), f32(4), f32(4), f32(8)), { name: 'RangeError', message: /rows\[1\] = 3 is outside the 3 images/ });
    assert.throws(() => nk.gatherNormalize(1, 4, src, new Int32Array([-1]), f32(4), f32(4), f32(4)), { name: 'RangeError' });
    assert.throws(() => nk.gatherNormalize(2, 4, src, new Uint32Array(2) as unknown as Int32Array, f32(4), f32(4), f32(8)), { name: 'TypeError', message: /rows must be an Int32Array/ });
    assert.throws(() => nk.gatherNormalize(2, 4, src, new Int32Array(2), f32(4), f32(4), f32(7)), { name: 'TypeError', message: /out is too short/ });
  });

  test('threads and info', () => {
    const before = nk.getThreads();
    try {
      assert.equal(nk.setThreads(1), 1);
      assert.equal(nk.getThreads(), 1);
      assert.match(nk.detail, /, 1 thread$/);
      assert.throws(() => nk.setThreads(0), { name: 'RangeError' });
      assert.throws(() => nk.setThreads(1.5), { name: 'RangeError' });
    } finally {
      nk.setThreads(before);
    }
    const info = nk.info();
    assert.match(info.blas, /OpenBLAS/);
    assert.equal(typeof info.coretype, 'string');
    assert.ok(info.threads >= 1);
  });
});
