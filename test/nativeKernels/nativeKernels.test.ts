// Every native (OpenBLAS addon) kernel against the TypeScript oracle, float32 and float64.
// Without the addon these tests skip, unless TRAINYARD_REQUIRE_NATIVE=1 (CI), where they fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNativeKernels, nativeLoadError, type NativeKernels } from '../../src/nativeKernels/loadNativeKernels.js';
import { ActivationCode, type Labels, type Precision, type Vec } from '../../src/core/kernels/kernels.js';
import * as ts from '../../src/core/kernels/tsKernels.js';
import { AWKWARD_GEMM_SHAPES, checkGemm, TRANSPOSES, type GemmCase } from '../helpers/gemmCases.js';
import { assertClose, LABEL_ARRAYS, makeVec, PRECISIONS, prng, randomVec, ulps, UNIT } from '../helpers/numeric.js';

const loaded = loadNativeKernels();
const required = process.env.TRAINYARD_REQUIRE_NATIVE === '1';
const skip: string | false = loaded ? false : `native addon unavailable, skipping: ${nativeLoadError()}`;
// Only dereferenced inside tests, which are skipped when the addon did not load.
const nk = loaded as NativeKernels;

test('native addon loads', { skip: loaded || required ? false : skip }, () => {
  assert.ok(loaded, `TRAINYARD_REQUIRE_NATIVE=1 but ${nativeLoadError()}`);
  assert.equal(loaded.backend, 'native');
  assert.match(loaded.detail, /^OpenBLAS [0-9.]+ \([^)]+\)(, (avx512|avx2) sgemm)?, \d+ threads?$/);
});

// ---------------------------------------------------------------------------------------------
// Helpers (shared ones in test/helpers/numeric.ts). Tolerances are ulps(p, n): n units of roundoff
// for kernels whose arithmetic mirrors the oracle; kernels that call exp / expm1 get more: glibc
// and V8 (fdlibm) each round those within 1 ulp, not identically.

function copy(v: Vec): Vec {
  return v.slice();
}

function forEachPrecision(name: string, fn: (p: Precision, rnd: () => number) => void): void {
  for (const [i, p] of PRECISIONS.entries()) {
    test(`${name} (${p})`, () => fn(p, prng(0x5eed + 7919 * i + name.length * 104729)));
  }
}

// ---------------------------------------------------------------------------------------------
// gemm

/**
 * nk.gemm against gemmReference. Error bound (Higham): |fl(a b) - a b| <= gamma_k |a| |b|, plus the
 * rounding of beta c and of the result.
 */
function runGemmCase(p: Precision, rnd: () => number, g: GemmCase): void {
  const u = UNIT[p];
  checkGemm(nk.gemm, p, rnd, g, (magnitude, e) => (g.k + 4) * u * magnitude + 2 * u * Math.abs(e) + 1e-300);
}

describe('gemm vs gemmReference', { skip }, () => {
  for (const p of PRECISIONS) {
    test(`every transpose combination, awkward shapes, padded leading dims (${p})`, () => {
      const rnd = prng(p === 'float32' ? 1 : 2);
      let n = 0;
      for (const [m, nn, k] of AWKWARD_GEMM_SHAPES) {
        for (const [transA, transB] of TRANSPOSES) {
          const alpha = [1, -0.5, 2.25][n % 3];
          const beta = [0, 1, -0.75][Math.floor(n / 3) % 3];
          const pad: [number, number, number] = n % 2 ? [0, 0, 0] : [1 + (n % 5), 3, 2 + (n % 3)];
          runGemmCase(p, rnd, { transA, transB, m, n: nn, k, alpha, beta, pad, offset: n % 4 === 1 ? 5 : 0 });
          n++;
        }
      }
    });

    test(`beta = 0 ignores NaN / Infinity garbage in c, beta != 0 scales it (${p})`, () => {
      const rnd = prng(3);
      for (const [transA, transB] of TRANSPOSES) {
        runGemmCase(p, rnd, { transA, transB, m: 7, n: 11, k: 5, alpha: 1.5, beta: 0, pad: [2, 1, 4] });
        runGemmCase(p, rnd, { transA, transB, m: 7, n: 11, k: 5, alpha: 1, beta: 0.5 });
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
          for (const transA of [false, true]) {
            runGemmCase(p, rnd, { transA, transB: !transA, m, n: nn, k, alpha: 1, beta, pad: [1, 1, 1] });
          }
        }
      }
    });

    test(`training shapes: 100x3072 @ (50x3072)^T, 50x100^T @ 100x3072, 100x50 @ 50x10 (${p})`, () => {
      const rnd = prng(5);
      runGemmCase(p, rnd, { transA: false, transB: true, m: 100, n: 50, k: 3072, alpha: 1, beta: 1 });
      runGemmCase(p, rnd, { transA: true, transB: false, m: 50, n: 3072, k: 100, alpha: 0.01, beta: 0 });
      runGemmCase(p, rnd, { transA: false, transB: false, m: 100, n: 10, k: 50, alpha: 1, beta: 0 });
    });
  }

  test('1 and 2 threads give results within tolerance of each other', () => {
    const before = nk.getThreads();
    try {
      for (const t of [1, 2]) {
        assert.equal(nk.setThreads(t), nk.getThreads());
        runGemmCase('float32', prng(6), { transA: false, transB: true, m: 100, n: 50, k: 3072, alpha: 1, beta: 0 });
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
      const v = randomVec(p, n + 2, rnd);
      const outN = randomVec(p, m * n + 3, rnd);
      const outT = copy(outN);
      nk.fillRows(m, n, v, outN);
      ts.fillRows(m, n, v, outT);
      assert.deepEqual(outN, outT);
    }
  });

  forEachPrecision('colSum', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const g = randomVec(p, m * n, rnd);
      const outN = randomVec(p, n + 1, rnd);
      const outT = copy(outN);
      nk.colSum(m, n, g, 1 / m, outN);
      ts.colSum(m, n, g, 1 / m, outT);
      assertClose(outN, outT, ulps(p, 4, 1e-300), 'colSum');
    }
  });

  forEachPrecision('batchNormForward', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const s = randomVec(p, m * n, rnd, -3, 5);
      const gamma = randomVec(p, n, rnd, 0.5, 1.5);
      const beta = randomVec(p, n, rnd);
      const outs = () => [makeVec(p, n), makeVec(p, n), makeVec(p, m * n), makeVec(p, m * n)] as const;
      const [meanN, varN, shatN, outN] = outs();
      const [meanT, varT, shatT, outT] = outs();
      nk.batchNormForward(m, n, s, gamma, beta, 1e-5, meanN, varN, shatN, outN);
      ts.batchNormForward(m, n, s, gamma, beta, 1e-5, meanT, varT, shatT, outT);
      const tol = ulps(p, 4, 64 * UNIT[p]);
      assertClose(meanN, meanT, tol, 'mean');
      assertClose(varN, varT, tol, 'variance');
      assertClose(shatN, shatT, tol, 'shat');
      assertClose(outN, outT, tol, 'out');
    }
  });

  forEachPrecision('batchNormForward writing out over s', (p, rnd) => {
    const [m, n] = [9, 13];
    const s = randomVec(p, m * n, rnd, -3, 5);
    const gamma = randomVec(p, n, rnd, 0.5, 1.5);
    const beta = randomVec(p, n, rnd);
    const sN = copy(s);
    const sT = copy(s);
    const [meanN, varN, shatN, meanT, varT, shatT] = [makeVec(p, n), makeVec(p, n), makeVec(p, m * n), makeVec(p, n), makeVec(p, n), makeVec(p, m * n)];
    nk.batchNormForward(m, n, sN, gamma, beta, 1e-5, meanN, varN, shatN, sN);
    ts.batchNormForward(m, n, sT, gamma, beta, 1e-5, meanT, varT, shatT, sT);
    const tol = ulps(p, 4, 64 * UNIT[p]);
    assertClose(shatN, shatT, tol, 'shat');
    assertClose(sN, sT, tol, 'out (= s)');
  });

  forEachPrecision('batchNormInference', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const s = randomVec(p, m * n, rnd, -3, 5);
      const mean = randomVec(p, n, rnd);
      const variance = randomVec(p, n, rnd, 0, 4);
      const gamma = randomVec(p, n, rnd, 0.5, 1.5);
      const beta = randomVec(p, n, rnd);
      const outN = makeVec(p, m * n);
      const outT = makeVec(p, m * n);
      nk.batchNormInference(m, n, s, mean, variance, gamma, beta, 1e-5, outN);
      ts.batchNormInference(m, n, s, mean, variance, gamma, beta, 1e-5, outT);
      assertClose(outN, outT, ulps(p, 4, 64 * UNIT[p]), 'out');
    }
  });

  forEachPrecision('batchNormBackward, separate and aliased gIn', (p, rnd) => {
    for (const [m, n] of ROW_SHAPES) {
      const g = randomVec(p, m * n, rnd);
      const shat = randomVec(p, m * n, rnd, -2, 2);
      const variance = randomVec(p, n, rnd, 0.1, 4);
      const gamma = randomVec(p, n, rnd, 0.5, 1.5);
      for (const alias of [false, true]) {
        const gN = copy(g);
        const gT = copy(g);
        const [dgN, dbN, dgT, dbT] = [makeVec(p, n), makeVec(p, n), makeVec(p, n), makeVec(p, n)];
        const gInN = alias ? gN : makeVec(p, m * n);
        const gInT = alias ? gT : makeVec(p, m * n);
        nk.batchNormBackward(m, n, gN, shat, variance, gamma, 1e-5, dgN, dbN, gInN);
        ts.batchNormBackward(m, n, gT, shat, variance, gamma, 1e-5, dgT, dbT, gInT);
        // gIn subtracts nearly equal terms: the absolute error scales with |g| (~1), not with the result.
        const tol = ulps(p, 4, 64 * UNIT[p]);
        assertClose(dgN, dgT, tol, 'dgamma');
        assertClose(dbN, dbT, tol, 'dbeta');
        assertClose(gInN, gInT, tol, `gIn${alias ? ' (aliasing g)' : ''}`);
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
      const x = randomVec(p, len + SPECIALS.length, rnd, -4, 4);
      x.set(SPECIALS, len);
      const total = x.length;
      for (const [name, kind, alpha] of KINDS) {
        const outN = makeVec(p, total);
        const outT = makeVec(p, total);
        nk.activationForward(kind, alpha, total, x, outN);
        ts.activationForward(kind, alpha, total, x, outT);
        const tol = kind === ActivationCode.Elu ? ulps(p, 16, 1e-300) : ulps(p, 2, 1e-300);
        assertClose(outN, outT, tol, `${name} forward`);
        for (let i = 0; i < total; i++) {
          if (Object.is(outT[i], -0)) assert.ok(Object.is(outN[i], -0), `${name} forward keeps -0 at ${i}`);
        }
        const inPlace = copy(x);
        nk.activationForward(kind, alpha, total, inPlace, inPlace);
        assertClose(inPlace, outT, tol, `${name} forward in place`);

        const g = randomVec(p, total, rnd);
        g[0] = Infinity;
        const gN = copy(g);
        const gT = copy(g);
        nk.activationBackward(kind, alpha, total, x, outT, gN);
        ts.activationBackward(kind, alpha, total, x, outT, gT);
        assertClose(gN, gT, ulps(p, 2, 1e-300), `${name} backward`);
      }
    }
  });

  forEachPrecision('softmaxCrossEntropy', (p, rnd) => {
    for (const [m, k] of [
      [1, 1],
      [1, 10],
      [100, 10],
      [7, 3],
      [33, 17],
    ] as [number, number][]) {
      for (const [lname, mk] of LABEL_ARRAYS) {
        const s = randomVec(p, m * k, rnd, -8, 8);
        if (m * k > 4) {
          s[1] = 80; // large logits: the max shift must keep exp finite
          s[2] = -90;
        }
        const labels = mk(m);
        for (let i = 0; i < m; i++) labels[i] = Math.floor(rnd() * k);
        for (const withGrad of [true, false]) {
          const probsN = makeVec(p, m * k);
          const probsT = makeVec(p, m * k);
          const gradN = withGrad ? makeVec(p, m * k) : null;
          const gradT = withGrad ? makeVec(p, m * k) : null;
          const resN = new Float64Array(2);
          const resT = new Float64Array(2);
          nk.softmaxCrossEntropy(m, k, s, labels, probsN, gradN, 1 / m, resN);
          ts.softmaxCrossEntropy(m, k, s, labels, probsT, gradT, 1 / m, resT);
          const what = `softmax m=${m} k=${k} ${lname}${withGrad ? '' : ' no grad'}`;
          assertClose(probsN, probsT, ulps(p, 16, 1e-300), `${what} probs`);
          // grad = (p - 1) * scale at the label: absolute error of p, scaled.
          if (gradN && gradT) assertClose(gradN, gradT, ulps(p, 16, (16 * UNIT[p]) / m), `${what} grad`);
          assertClose(resN, resT, ulps('float64', 64 * m, 1e-12), `${what} result`);
          assert.equal(resN[1], resT[1], `${what} correct count`);
        }
      }
    }
  });

  forEachPrecision('sgdStep with and without momentum', (p, rnd) => {
    for (const len of [1, 9, 153600, 501]) {
      const w = randomVec(p, len + 2, rnd);
      const g = randomVec(p, len + 2, rnd);
      const v = randomVec(p, len + 2, rnd, -0.1, 0.1);
      for (const [rho, l2, useV] of [
        [0.9, 1e-4, true],
        [0, 0, false],
        [0, 5e-4, false],
        [0.5, 0, true],
      ] as [number, number, boolean][]) {
        const [wN, wT, vN, vT] = [copy(w), copy(w), copy(v), copy(v)];
        nk.sgdStep(len, wN, g, useV ? vN : null, 0.05, rho, l2);
        ts.sgdStep(len, wT, g, useV ? vT : null, 0.05, rho, l2);
        assertClose(wN, wT, ulps(p, 2, 1e-300), 'w');
        assertClose(vN, vT, ulps(p, 2, 1e-300), 'v');
      }
    }
  });

  forEachPrecision('sumSquares', (p, rnd) => {
    for (const len of [0, 1, 7, 8, 9, 153600, 1001]) {
      const w = randomVec(p, len + 5, rnd, -2, 2);
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
      const mean = randomVec(p, d, rnd, 100, 150);
      const invStd = randomVec(p, d, rnd, 0.01, 0.03);
      for (const m of [1, 13, 100]) {
        const rows = new Int32Array(m);
        for (let i = 0; i < m; i++) rows[i] = Math.floor(rnd() * images);
        rows[0] = images - 1;
        const outN = makeVec(p, m * d + 1);
        const outT = makeVec(p, m * d + 1);
        nk.gatherNormalize(m, d, src, rows, mean, invStd, outN);
        ts.gatherNormalize(m, d, src, rows, mean, invStd, outT);
        assertClose(outN, outT, ulps(p, 2, 1e-300), `gatherNormalize m=${m} d=${d}`);
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
