// Each TypeScript kernel (the oracle the native kernels are tested against) against a naive
// reference written here from the maths: plain loops over the stored values, in float64. Backward
// kernels are also checked against centred finite differences of their forward kernels.
//
// Tolerances are explicit per op: the kernels round to the array's precision as they go (float32
// accumulators are Float32Array), so each bound is a multiple of that precision's unit roundoff u
// times the magnitude the error scales with (worst-case summation bounds, so failures are bugs,
// not rounding). Every output array is longer than the result and its tail must stay untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationCode, type Labels, type Precision, type Vec } from '../../../src/core/kernels/kernels.js';
import { tsKernels as K } from '../../../src/core/kernels/tsKernels.js';
import { AWKWARD_GEMM_SHAPES, checkGemm, TRANSPOSES } from '../../helpers/gemmCases.js';
import { assertClose, LABEL_ARRAYS, makeVec, PRECISIONS, prng, randomVec, UNIT } from '../../helpers/numeric.js';

/** (m, n): single rows and columns, odd sizes, more rows than columns and the reverse. */
const ROW_SHAPES: [number, number][] = [
  [1, 1],
  [1, 7],
  [2, 3],
  [3, 1],
  [5, 13],
  [17, 4],
  [100, 10],
  [64, 50],
];

/** Elements past the logical result, filled with GUARD, that no kernel may write. */
const TAIL = 3;
const GUARD = -777;

/** A Float64Array copy of v: the reference starts from the stored (rounded) values. */
const f64 = (v: ArrayLike<number>): Float64Array => Float64Array.from(v);

/** The given values in an array of precision p. */
function vecOf(p: Precision, values: readonly number[]): Vec {
  const v = makeVec(p, values.length);
  v.set(values);
  return v;
}

/** An output array of n elements (filled with `fill`, so nothing may rely on zeros) plus the guarded tail. */
function output(p: Precision, n: number, fill = NaN): Vec {
  const v = makeVec(p, n + TAIL).fill(fill);
  v.fill(GUARD, n);
  return v;
}

/** The expected contents of an output array: `values` (n), then the untouched guard tail. */
function expected(values: ArrayLike<number>): Float64Array {
  const e = new Float64Array(values.length + TAIL).fill(GUARD);
  e.set(values);
  return e;
}

/** An elementwise tolerance for the first n elements; exact (0) for the tail. */
function within(n: number, tol: (i: number) => number): (i: number) => number {
  return (i) => (i < n ? tol(i) : 0);
}

/** d f / d x[i] by a centred difference, x[i] restored afterwards. */
function centralDifference(x: Float64Array, i: number, h: number, f: () => number): number {
  const x0 = x[i];
  const xp = x0 + h;
  const xm = x0 - h;
  x[i] = xp;
  const fp = f();
  x[i] = xm;
  const fm = f();
  x[i] = x0;
  return (fp - fm) / (xp - xm);
}

function eachPrecision(name: string, fn: (p: Precision, rnd: () => number, u: number) => void): void {
  for (const [i, p] of PRECISIONS.entries()) test(`${name} (${p})`, () => fn(p, prng(1000 + 17 * i + name.length), UNIT[p]));
}

// ---------------------------------------------------------------------------------------------
// gemm: the definition is gemmReference (plain triple loop, float64 sums); the blocked kernel's
// own test (tsGemm.test.ts) covers block boundaries; here the kernel the backend exports.

test('gemm: gemmReference is the definition (a product worked by hand)', () => {
  for (const p of PRECISIONS) {
    // [1 2 3; 4 5 6] [1 0; -1 2; 0.5 1] = [0.5 7; 2 16]; with alpha = 2, beta = -1 on c = [1 1; 1 1].
    const a = vecOf(p, [1, 2, 3, 4, 5, 6]);
    const b = vecOf(p, [1, 0, -1, 2, 0.5, 1]);
    const c = vecOf(p, [1, 1, 1, 1]);
    K.gemm(false, false, 2, 2, 3, 2, a, 3, b, 2, -1, c, 2);
    assert.deepEqual(Array.from(c), [0, 13, 3, 31]);
    // The same with both operands stored transposed: a^T (3 x 2), b^T (2 x 3).
    const at = vecOf(p, [1, 4, 2, 5, 3, 6]);
    const bt = vecOf(p, [1, -1, 0.5, 0, 2, 1]);
    const c2 = makeVec(p, 4);
    K.gemm(true, true, 2, 2, 3, 1, at, 2, bt, 3, 0, c2, 2);
    assert.deepEqual(Array.from(c2), [0.5, 7, 2, 16]);
  }
});

eachPrecision('gemm: awkward shapes, every transpose, leading dimensions larger than the rows', (p, rnd, u) => {
  let t = 0;
  for (const [m, n, k] of AWKWARD_GEMM_SHAPES) {
    for (const [transA, transB] of TRANSPOSES) {
      const pad = [t % 3, (t + 1) % 4, (t + 2) % 5] as const;
      const alpha = [1, -0.5, 3][t % 3];
      const beta = [0, 1, -2][(t >> 1) % 3];
      // Each element: k products summed in float64, one rounding to the precision at the end.
      checkGemm(K.gemm, p, rnd, { transA, transB, m, n, k, alpha, beta, pad, offset: t % 2 }, (mag, e) => 2 * u * Math.abs(e) + (k + 2) * 2 ** -53 * mag);
      t++;
    }
  }
});

// ---------------------------------------------------------------------------------------------
// fillRows, colSum

eachPrecision('fillRows: every row is v, only the first n values of a longer v', (p, rnd) => {
  for (const [m, n] of ROW_SHAPES) {
    const v = randomVec(p, n + 2, rnd);
    const out = output(p, m * n);
    const want = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[i * n + j] = v[j];
    K.fillRows(m, n, v, out);
    assertClose(out, expected(want), () => 0, `fillRows m=${m} n=${n}`);
  }
});

eachPrecision('colSum: scale times the column sums, overwriting out', (p, rnd, u) => {
  for (const [m, n] of ROW_SHAPES) {
    for (const scale of [1, 1 / m, -2.5]) {
      const g = randomVec(p, m * n, rnd, -2, 2);
      const out = output(p, n, 99);
      const want = new Float64Array(n);
      const mag = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          want[j] += g[i * n + j];
          mag[j] += Math.abs(g[i * n + j]);
        }
      }
      for (let j = 0; j < n; j++) want[j] *= scale;
      K.colSum(m, n, g, scale, out);
      // Sequential sum of m terms in the precision: (m - 1) u sum |g|, then the scaling.
      assertClose(out, expected(want), within(n, (j) => (m + 1) * u * Math.abs(scale) * mag[j] + 1e-300), `colSum m=${m} n=${n} scale=${scale}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Batch norm

interface BnCase {
  m: number;
  n: number;
  s: Vec;
  gamma: Vec;
  beta: Vec;
  eps: number;
}

/** Batch values with a constant first column (zero variance) when there are several columns. */
function bnCase(p: Precision, rnd: () => number, m: number, n: number, eps: number): BnCase {
  const s = randomVec(p, m * n, rnd, -3, 5);
  if (n > 1) for (let i = 0; i < m; i++) s[i * n] = 1.5;
  return { m, n, s, gamma: randomVec(p, n, rnd, 0.5, 1.5), beta: randomVec(p, n, rnd, -1, 1), eps };
}

/** Batch norm from its definition: batch mean, biased variance, normalise, scale and shift. */
function bnForwardReference({ m, n, s, gamma, beta, eps }: BnCase) {
  const mean = new Float64Array(n);
  const variance = new Float64Array(n);
  const maxAbs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      mean[j] += s[i * n + j] / m;
      maxAbs[j] = Math.max(maxAbs[j], Math.abs(s[i * n + j]));
    }
    for (let i = 0; i < m; i++) variance[j] += (s[i * n + j] - mean[j]) ** 2 / m;
  }
  const shat = new Float64Array(m * n);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      shat[i * n + j] = (s[i * n + j] - mean[j]) / Math.sqrt(variance[j] + eps);
      out[i * n + j] = gamma[j] * shat[i * n + j] + beta[j];
    }
  }
  return { mean, variance, shat, out, maxAbs };
}

function runBnForward(p: Precision, c: BnCase) {
  const { m, n } = c;
  const o = { mean: output(p, n), variance: output(p, n), shat: output(p, m * n), out: output(p, m * n) };
  K.batchNormForward(m, n, c.s, c.gamma, c.beta, c.eps, o.mean, o.variance, o.shat, o.out);
  return o;
}

eachPrecision('batchNormForward against the definition (biased variance, eps inside the root)', (p, rnd, u) => {
  for (const [m, n] of ROW_SHAPES) {
    for (const eps of [1e-5, 0.5]) {
      const c = bnCase(p, rnd, m, n, eps);
      const r = bnForwardReference(c);
      const got = runBnForward(p, c);
      const what = `batchNormForward m=${m} n=${n} eps=${eps}`;
      // Error bounds of sequential sums in the precision: mean within (m + 1) u max|s|; the
      // variance within (m + 4) u var plus the square of the mean's error; shat inherits both.
      const tMean = (j: number) => (m + 1) * u * r.maxAbs[j];
      const tVar = (j: number) => (m + 4) * u * r.variance[j] + tMean(j) ** 2 + 1e-300;
      const tShat = (idx: number) => {
        const j = idx % n;
        return 4 * u * Math.abs(r.shat[idx]) + (2 * tMean(j)) / Math.sqrt(r.variance[j] + eps) + (Math.abs(r.shat[idx]) * tVar(j)) / (r.variance[j] + eps);
      };
      const tOut = (idx: number) => Math.abs(c.gamma[idx % n]) * tShat(idx) + 2 * u * (Math.abs(r.out[idx]) + Math.abs(c.beta[idx % n]));
      assertClose(got.mean, expected(r.mean), within(n, (j) => 2 * tMean(j) + 1e-300), `${what} mean`);
      assertClose(got.variance, expected(r.variance), within(n, (j) => 2 * tVar(j)), `${what} variance`);
      assertClose(got.shat, expected(r.shat), within(m * n, (idx) => 2 * tShat(idx)), `${what} shat`);
      assertClose(got.out, expected(r.out), within(m * n, (idx) => 2 * tOut(idx)), `${what} out`);
    }
  }
});

test('batchNormForward: one row normalises to zero (out = beta); two rows to -1 and +1', () => {
  for (const p of PRECISIONS) {
    const one = runBnForward(p, { m: 1, n: 3, s: randomVec(p, 3, prng(7)), gamma: randomVec(p, 3, prng(8)), beta: randomVec(p, 3, prng(9)), eps: 1e-5 });
    assert.deepEqual(Array.from(one.variance.subarray(0, 3)), [0, 0, 0]);
    assert.deepEqual(Array.from(one.shat.subarray(0, 3)), [0, 0, 0]);
    // Two rows a, b: mean (a + b) / 2, variance ((a - b) / 2)^2, so shat = -+1 / sqrt(1 + eps / var).
    const two = runBnForward(p, { m: 2, n: 1, s: vecOf(p, [1, 3]), gamma: vecOf(p, [1]), beta: vecOf(p, [0]), eps: 0 });
    assert.deepEqual([two.mean[0], two.variance[0], two.shat[0], two.shat[1]], [2, 1, -1, 1]);
  }
});

eachPrecision('batchNormInference uses the given statistics, not the batch ones', (p, rnd, u) => {
  for (const [m, n] of ROW_SHAPES) {
    const s = randomVec(p, m * n, rnd, -3, 5);
    const mean = randomVec(p, n, rnd, -1, 1);
    const variance = randomVec(p, n, rnd, 0, 3);
    variance[0] = 0;
    const gamma = randomVec(p, n, rnd, -1.5, 1.5);
    const beta = randomVec(p, n, rnd, -1, 1);
    const eps = 1e-3;
    const want = new Float64Array(m * n);
    const mag = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const sd = Math.sqrt(variance[j] + eps);
        want[i * n + j] = (gamma[j] * (s[i * n + j] - mean[j])) / sd + beta[j];
        mag[i * n + j] = (Math.abs(gamma[j]) * (Math.abs(s[i * n + j]) + Math.abs(mean[j]))) / sd + Math.abs(beta[j]);
      }
    }
    const out = output(p, m * n);
    K.batchNormInference(m, n, s, mean, variance, gamma, beta, eps, out);
    // Computed in float64, rounded once to the precision.
    assertClose(out, expected(want), within(m * n, (idx) => 2 * u * Math.abs(want[idx]) + 8 * 2 ** -53 * mag[idx]), `batchNormInference m=${m} n=${n}`);
  }
});

/**
 * The backward pass from the Jacobian of the definition, not from the kernel's factored form:
 * with shat_i = (s_i - mu) / sd, d mu / d s_k = 1 / m and d sd / d s_k = shat_k / m, so
 * d shat_i / d s_k = (delta_ik - 1/m - shat_i shat_k / m) / sd, and dL/ds_k = gamma sum_i g_i d shat_i / d s_k.
 */
function bnBackwardReference(m: number, n: number, g: Vec, shat: Vec, variance: Vec, gamma: Vec, eps: number) {
  const dgamma = new Float64Array(n);
  const dbeta = new Float64Array(n);
  const gIn = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const sd = Math.sqrt(variance[j] + eps);
    for (let i = 0; i < m; i++) {
      dbeta[j] += g[i * n + j];
      dgamma[j] += g[i * n + j] * shat[i * n + j];
    }
    for (let k = 0; k < m; k++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += g[i * n + j] * ((i === k ? 1 : 0) - 1 / m - (shat[i * n + j] * shat[k * n + j]) / m);
      gIn[k * n + j] = (gamma[j] * sum) / sd;
    }
  }
  return { dgamma, dbeta, gIn };
}

eachPrecision('batchNormBackward against the Jacobian of the definition, gIn aliasing g or not', (p, rnd, u) => {
  for (const [m, n] of ROW_SHAPES) {
    const eps = 1e-5;
    const c = bnCase(p, rnd, m, n, eps);
    const fwd = runBnForward(p, c);
    const shat = fwd.shat.subarray(0, m * n);
    const variance = fwd.variance.subarray(0, n);
    const g = randomVec(p, m * n, rnd);
    const r = bnBackwardReference(m, n, g, shat, variance, c.gamma, eps);
    // Magnitudes the sums' rounding errors scale with.
    const sumAbsG = new Float64Array(n);
    const sumAbsGShat = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        sumAbsG[j] += Math.abs(g[i * n + j]);
        sumAbsGShat[j] += Math.abs(g[i * n + j] * shat[i * n + j]);
      }
    }
    const tGIn = (idx: number) => {
      const j = idx % n;
      const scale = Math.abs(c.gamma[j]) / Math.sqrt(variance[j] + eps);
      return 4 * (m + 2) * u * scale * (Math.abs(g[idx]) + (sumAbsG[j] + Math.abs(shat[idx]) * sumAbsGShat[j]) / m) + 1e-300;
    };
    for (const alias of [false, true]) {
      const gArg = g.slice();
      const dgamma = output(p, n);
      const dbeta = output(p, n);
      const gIn = alias ? gArg : output(p, m * n);
      K.batchNormBackward(m, n, gArg, shat, variance, c.gamma, eps, dgamma, dbeta, gIn);
      const what = `batchNormBackward m=${m} n=${n}${alias ? ' (gIn = g)' : ''}`;
      assertClose(dbeta, expected(r.dbeta), within(n, (j) => (m + 1) * u * sumAbsG[j] + 1e-300), `${what} dbeta`);
      assertClose(dgamma, expected(r.dgamma), within(n, (j) => (m + 2) * u * sumAbsGShat[j] + 1e-300), `${what} dgamma`);
      if (alias) assertClose(gIn, r.gIn, tGIn, `${what} gIn`);
      else assertClose(gIn, expected(r.gIn), within(m * n, tGIn), `${what} gIn`);
    }
  }
});

test('batchNormBackward matches centred differences of batchNormForward (float64)', () => {
  const rnd = prng(11);
  const shapes: [number, number][] = [[1, 3], [2, 2], [5, 4], [17, 3]];
  for (const [m, n] of shapes) {
    const eps = 1e-3;
    const c = bnCase('float64', rnd, m, n, eps);
    const s = c.s as Float64Array;
    const gamma = c.gamma as Float64Array;
    const beta = c.beta as Float64Array;
    const G = randomVec('float64', m * n, rnd);
    // L = sum G * out: its gradient with respect to out is G.
    const loss = (): number => {
      const o = runBnForward('float64', c).out;
      let l = 0;
      for (let i = 0; i < m * n; i++) l += G[i] * o[i];
      return l;
    };
    const fwd = runBnForward('float64', c);
    const dgamma = new Float64Array(n);
    const dbeta = new Float64Array(n);
    const gIn = new Float64Array(m * n);
    K.batchNormBackward(m, n, G, fwd.shat, fwd.variance, gamma, eps, dgamma, dbeta, gIn);
    const h = 1e-5;
    const near = (got: number, fd: number, what: string) => assert.ok(Math.abs(got - fd) <= 1e-6 * Math.max(1, Math.abs(fd)), `${what}: kernel ${got}, finite difference ${fd}`);
    for (let i = 0; i < m * n; i++) near(gIn[i], centralDifference(s, i, h, loss), `m=${m} n=${n} dL/ds[${i}]`);
    for (let j = 0; j < n; j++) {
      near(dgamma[j], centralDifference(gamma, j, h, loss), `m=${m} n=${n} dL/dgamma[${j}]`);
      near(dbeta[j], centralDifference(beta, j, h, loss), `m=${m} n=${n} dL/dbeta[${j}]`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Activations

const ACTIVATIONS: [string, ActivationCode, number, (x: number) => number, (x: number) => number][] = [
  // name, kind, alpha, f, f' (at x = 0 the kernels take the x <= 0 branch)
  ['relu', ActivationCode.Relu, 0, (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0)],
  ['leaky relu 0.01', ActivationCode.LeakyRelu, 0.01, (x) => (x > 0 ? x : 0.01 * x), (x) => (x > 0 ? 1 : 0.01)],
  ['leaky relu 0.3', ActivationCode.LeakyRelu, 0.3, (x) => (x > 0 ? x : 0.3 * x), (x) => (x > 0 ? 1 : 0.3)],
  ['elu 1', ActivationCode.Elu, 1, (x) => (x > 0 ? x : Math.exp(x) - 1), (x) => (x > 0 ? 1 : Math.exp(x))],
  ['elu 0.5', ActivationCode.Elu, 0.5, (x) => (x > 0 ? x : 0.5 * (Math.exp(x) - 1)), (x) => (x > 0 ? 1 : 0.5 * Math.exp(x))],
];

/** Random values in [-4, 4] with the edge cases appended: zeros, tiny, large, infinite. */
function activationInputs(p: Precision, len: number, rnd: () => number): Vec {
  const specials = [0, -0, 1e-30, -1e-30, 1e-3, -1e-3, 30, -30, 700, -700, Infinity, -Infinity];
  const x = randomVec(p, len + specials.length, rnd, -4, 4);
  x.set(specials, len);
  return x;
}

eachPrecision('activationForward against f(x), into another array and in place', (p, rnd, u) => {
  for (const len of [1, 2, 7, 1000]) {
    const x = activationInputs(p, len, rnd);
    const total = x.length;
    for (const [name, kind, alpha, f] of ACTIVATIONS) {
      const want = Float64Array.from(x, f);
      // One rounding to the precision; for ELU the reference exp(x) - 1 itself loses up to ~2^-52
      // absolute near x = 0 (the kernel uses expm1), and exp may differ from the kernel's by an ulp.
      const tol = within(total, (i) => 2 * u * Math.abs(want[i]) + (kind === ActivationCode.Elu ? 4 * 2 ** -52 * alpha : 0) + 1e-300);
      const out = output(p, total);
      K.activationForward(kind, alpha, total, x, out);
      assertClose(out, expected(want), tol, `${name} forward len=${total}`);
      const inPlace = x.slice();
      K.activationForward(kind, alpha, total, inPlace, inPlace);
      assertClose(inPlace, want, tol, `${name} forward in place len=${total}`);
    }
  }
});

eachPrecision('activationBackward multiplies g by f\'(x)', (p, rnd, u) => {
  for (const len of [1, 7, 1000]) {
    const x = activationInputs(p, len, rnd);
    const total = x.length;
    for (const [name, kind, alpha, f, df] of ACTIVATIONS) {
      const y = makeVec(p, total);
      for (let i = 0; i < total; i++) y[i] = f(x[i]);
      const g0 = randomVec(p, total, rnd, -2, 2);
      const g = output(p, total);
      g.set(g0);
      const want = expected(Array.from({ length: total }, (_, i) => g0[i] * df(x[i])));
      K.activationBackward(kind, alpha, total, x, y, g);
      // ELU's kernel uses f'(x) = y + alpha with y rounded to the precision: 2 u (|y| + alpha) |g|.
      const tol = within(total, (i) => 2 * u * Math.abs(want[i]) + (kind === ActivationCode.Elu ? 2 * u * (Math.abs(y[i]) + alpha) * Math.abs(g0[i]) : 0) + 1e-300);
      assertClose(g, want, tol, `${name} backward len=${total}`);
    }
  }
});

test('activationBackward matches centred differences of activationForward (float64, away from the kink)', () => {
  const rnd = prng(12);
  const x = randomVec('float64', 400, rnd, -5, 5);
  for (const [name, kind, alpha] of ACTIVATIONS) {
    const y = new Float64Array(x.length);
    K.activationForward(kind, alpha, x.length, x, y);
    const g = randomVec('float64', x.length, rnd, -2, 2);
    const gOut = g.slice();
    K.activationBackward(kind, alpha, x.length, x, y, gOut);
    const one = new Float64Array(1);
    const out = new Float64Array(1);
    for (let i = 0; i < x.length; i++) {
      if (Math.abs(x[i]) < 1e-3) continue;
      one[0] = x[i];
      const d = centralDifference(one, 0, 1e-6, () => {
        K.activationForward(kind, alpha, 1, one, out);
        return out[0];
      });
      assert.ok(Math.abs(gOut[i] - g[i] * d) <= 1e-7 * Math.abs(g[i]) * Math.max(1, Math.abs(d)), `${name} at x = ${x[i]}: kernel ${gOut[i]}, g * finite difference ${g[i] * d}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Softmax cross-entropy

/** Softmax from exp / sum (no shift: logits here are moderate), loss -log p_y, argmax = first maximum. */
function softmaxReference(m: number, k: number, s: Vec, labels: Labels, gradScale: number) {
  const probs = new Float64Array(m * k);
  const grad = new Float64Array(m * k);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.exp(s[i * k + j]);
    let arg = 0;
    for (let j = 0; j < k; j++) {
      probs[i * k + j] = Math.exp(s[i * k + j]) / sum;
      grad[i * k + j] = (probs[i * k + j] - (j === labels[i] ? 1 : 0)) * gradScale;
      if (s[i * k + j] > s[i * k + arg]) arg = j;
    }
    loss -= Math.log(probs[i * k + labels[i]]);
    if (arg === labels[i]) correct++;
  }
  return { probs, grad, loss, correct };
}

eachPrecision('softmaxCrossEntropy against exp / sum, with and without grad, every label type', (p, rnd, u) => {
  // (m, k): one class, one row, two classes, more classes than rows.
  const shapes: [number, number][] = [[1, 1], [1, 10], [3, 2], [7, 3], [100, 10], [5, 33]];
  for (const [m, k] of shapes) {
    for (const [lname, makeLabels] of LABEL_ARRAYS) {
      const s = randomVec(p, m * k, rnd, -6, 6);
      const labels = makeLabels(m);
      for (let i = 0; i < m; i++) labels[i] = Math.floor(rnd() * k);
      const gradScale = 1 / m;
      const r = softmaxReference(m, k, s, labels, gradScale);
      for (const withGrad of [true, false]) {
        const probs = output(p, m * k);
        const grad = withGrad ? output(p, m * k) : null;
        const result = new Float64Array(2);
        K.softmaxCrossEntropy(m, k, s, labels, probs, grad, gradScale, result);
        const what = `softmax m=${m} k=${k} ${lname}${withGrad ? '' : ' without grad'}`;
        // probs: float64 arithmetic (exp within an ulp or two), stored twice (exp, then scaled);
        // grad is p - onehot from the stored p, rounded once more.
        assertClose(probs, expected(r.probs), within(m * k, (i) => 3 * u * r.probs[i] + 16 * 2 ** -53 + 1e-300), `${what} probs`);
        if (grad) assertClose(grad, expected(r.grad), within(m * k, () => (4 * u + 16 * 2 ** -53) * gradScale + 1e-300), `${what} grad`);
        // Loss in float64 throughout: m terms of log(sum) - s_y, each with error ~ k ulps of its terms.
        assert.ok(Math.abs(result[0] - r.loss) <= 64 * (m + k) * 2 ** -53 * (r.loss + m * 10), `${what} loss ${result[0]}, want ${r.loss}`);
        assert.equal(result[1], r.correct, `${what} correct count`);
      }
    }
  }
});

test('softmaxCrossEntropy: huge logits stay finite, ties go to the first maximum', () => {
  for (const p of PRECISIONS) {
    const s = vecOf(p, [1000, 1000, 1000, 0, -1000, 0, 2, 2]);
    const labels = new Uint8Array([0, 1, 0, 0]);
    const probs = makeVec(p, 8);
    const grad = makeVec(p, 8);
    const result = new Float64Array(2);
    K.softmaxCrossEntropy(4, 2, s, labels, probs, grad, 1, result);
    // Rows: [1000 1000] -> p = 1/2, loss log 2; [1000 0] label 1 -> loss 1000 (+ log(1 + e^-1000));
    // [-1000 0] label 0 -> loss 1000; [2 2] label 0 -> loss log 2. Both ties count as correct only
    // if a tie goes to the first maximum.
    assert.deepEqual(Array.from(probs), [0.5, 0.5, 1, 0, 0, 1, 0.5, 0.5]);
    assert.deepEqual(Array.from(grad), [-0.5, 0.5, 1, -1, -1, 1, -0.5, 0.5]);
    assert.ok(Math.abs(result[0] - (2 * Math.LN2 + 2000)) < 1e-9, `loss ${result[0]}`);
    assert.equal(result[1], 2, 'rows 0 and 3 are correct: their ties go to the first maximum, the label');
  }
});

test('softmaxCrossEntropy grad matches centred differences of its loss (float64)', () => {
  const rnd = prng(13);
  const shapes: [number, number][] = [[1, 2], [4, 3], [6, 10]];
  for (const [m, k] of shapes) {
    const s = randomVec('float64', m * k, rnd, -3, 3) as Float64Array;
    const labels = Int32Array.from({ length: m }, () => Math.floor(rnd() * k));
    const probs = new Float64Array(m * k);
    const grad = new Float64Array(m * k);
    const result = new Float64Array(2);
    const gradScale = 0.5;
    K.softmaxCrossEntropy(m, k, s, labels, probs, grad, gradScale, result);
    const loss = (): number => {
      K.softmaxCrossEntropy(m, k, s, labels, new Float64Array(m * k), null, 1, result);
      return result[0];
    };
    for (let i = 0; i < m * k; i++) {
      const fd = gradScale * centralDifference(s, i, 1e-6, loss);
      assert.ok(Math.abs(grad[i] - fd) <= 1e-7, `m=${m} k=${k} grad[${i}]: kernel ${grad[i]}, finite difference ${fd}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// sgdStep, sumSquares, gatherNormalize

eachPrecision('sgdStep: w -= eta (g + l2 w), or with momentum v = rho v + g + l2 w, w -= eta v', (p, rnd, u) => {
  for (const len of [1, 2, 9, 501]) {
    for (const [rho, l2, momentum] of [
      [0, 0, false],
      [0, 5e-3, false],
      [0.9, 1e-2, true],
      [0.5, 0, true],
      [0, 1e-3, true],
    ] as [number, number, boolean][]) {
      const eta = 0.05;
      const w = randomVec(p, len + TAIL, rnd);
      const g = randomVec(p, len + TAIL, rnd);
      const v = randomVec(p, len + TAIL, rnd, -0.5, 0.5);
      w.fill(GUARD, len);
      v.fill(GUARD, len);
      const wantW = f64(w);
      const wantV = f64(v);
      for (let i = 0; i < len; i++) {
        if (momentum) {
          wantV[i] = rho * v[i] + g[i] + l2 * w[i];
          wantW[i] = w[i] - eta * wantV[i];
        } else {
          wantW[i] = w[i] - eta * (g[i] + l2 * w[i]);
        }
      }
      K.sgdStep(len, w, g, momentum ? v : null, eta, rho, l2);
      const what = `sgdStep len=${len} rho=${rho} l2=${l2}${momentum ? ' momentum' : ''}`;
      // float64 arithmetic, one rounding to the precision per stored value.
      assertClose(w, wantW, within(len, (i) => 2 * u * (Math.abs(wantW[i]) + eta * Math.abs(wantV[i])) + 1e-300), `${what} w`);
      assertClose(v, wantV, within(len, (i) => 2 * u * Math.abs(wantV[i]) + 1e-300), `${what} v`);
    }
  }
});

eachPrecision('sumSquares of the first len values only', (p, rnd) => {
  for (const len of [0, 1, 2, 7, 1001]) {
    const w = randomVec(p, len + TAIL, rnd, -2, 2);
    w.fill(1e6, len);
    let want = 0;
    for (let i = 0; i < len; i++) want += w[i] * w[i];
    const got = K.sumSquares(len, w);
    // A float64 sum of len products of stored values.
    assert.ok(Math.abs(got - want) <= (len + 1) * 2 ** -53 * want + 1e-300, `sumSquares(${len}) = ${got}, want ${want}`);
  }
});

eachPrecision('gatherNormalize: out[i, j] = (src[rows[i], j] - mean[j]) * invStd[j]', (p, rnd, u) => {
  const images = 9;
  // d around the kernel's unroll by 4, and the image size.
  for (const d of [1, 3, 4, 5, 7, 8, 3072]) {
    const src = Uint8Array.from({ length: images * d }, () => Math.floor(rnd() * 256));
    const mean = randomVec(p, d, rnd, 100, 150);
    const invStd = randomVec(p, d, rnd, 0.01, 0.03);
    for (const m of [1, 4, 13]) {
      // Repeated rows and the last image.
      const rows = Int32Array.from({ length: m }, (_, i) => (i === 0 ? images - 1 : Math.floor(rnd() * images)));
      if (m > 2) rows[2] = rows[1];
      const want = new Float64Array(m * d);
      for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) want[i * d + j] = (src[rows[i] * d + j] - mean[j]) * invStd[j];
      const out = output(p, m * d);
      K.gatherNormalize(m, d, src, rows, mean, invStd, out);
      assertClose(out, expected(want), within(m * d, (i) => 2 * u * Math.abs(want[i]) + 1e-300), `gatherNormalize m=${m} d=${d}`);
    }
  }
});
