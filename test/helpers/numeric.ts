// Shared pieces of the numeric tests (kernels, gemm, native addon): a seeded PRNG, random typed
// arrays and an elementwise closeness assertion. gemm cases are in gemmCases.ts.
import assert from 'node:assert/strict';
import type { Labels, Precision, Vec } from '../../src/core/kernels/kernels.js';

export const PRECISIONS: Precision[] = ['float32', 'float64'];

/** Unit roundoff of each precision. */
export const UNIT: Record<Precision, number> = { float32: 2 ** -24, float64: 2 ** -53 };

/** Every array type labels may come in, by name. */
export const LABEL_ARRAYS: [string, (n: number) => Labels][] = [
  ['Uint8Array', (n) => new Uint8Array(n)],
  ['Uint16Array', (n) => new Uint16Array(n)],
  ['Int32Array', (n) => new Int32Array(n)],
];

/** mulberry32: small seeded PRNG so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeVec(p: Precision, n: number): Vec {
  return p === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** n values uniform in [lo, hi), rounded to the precision. */
export function randomVec(p: Precision, n: number, rnd: () => number, lo = -1, hi = 1): Vec {
  const v = makeVec(p, n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd();
  return v;
}

/**
 * Elementwise comparison over the whole arrays (so writes outside the logical result are caught
 * too): NaNs must match, otherwise |a - e| <= tol(i, e). Reports the worst offender.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: (i: number, e: number) => number, what: string): void {
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

/** Tolerance of n units of roundoff relative to the expected value, plus atol. */
export function ulps(p: Precision, n: number, atol = 0): (i: number, e: number) => number {
  const u = UNIT[p];
  return (_i, e) => n * u * Math.abs(e) + atol;
}
