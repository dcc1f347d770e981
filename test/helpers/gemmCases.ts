// One gemm test case, for any implementation against gemmReference (the definition, summing in
// float64): the TypeScript blocked gemm and the native OpenBLAS one share this harness and differ
// only in the tolerance they allow.
import type { Precision, Vec } from '../../src/core/kernels/kernels.js';
import { gemmReference } from '../../src/core/kernels/tsGemm.js';
import { assertClose, makeVec } from './numeric.js';

export type GemmFn = (transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number) => void;

export interface GemmCase {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra row stride beyond the width of a, b and c (default none). */
  pad?: readonly [number, number, number];
  /** Start a, b, c this many elements into their buffers (non-zero byteOffset). */
  offset?: number;
}

export const TRANSPOSES: readonly (readonly [boolean, boolean])[] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

/** (m, n, k) that are not multiples of any tile: single rows and columns, k = 1, one long row. */
export const AWKWARD_GEMM_SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 7, 3],
  [1, 7, 5],
  [5, 1, 3],
  [5, 1, 9],
  [3, 4, 1],
  [3, 5, 1],
  [2, 3, 4],
  [7, 11, 13],
  [13, 17, 19],
  [9, 10, 50],
  [9, 31, 200],
  [33, 17, 9],
  [33, 65, 129],
  [100, 10, 50],
  [1, 50, 3072],
];

/** Allowed |got - want| of one element, given its magnitude bound (gemmMagnitude) and want. */
export type GemmTolerance = (magnitude: number, expected: number) => number;

/**
 * Runs one case of `gemm` against gemmReference and asserts, over the whole of c's buffer:
 * - every element of the m x n result is within `tol` of the reference;
 * - everything else (the stride padding, before the offset, past the end) keeps its guard value.
 * a and b hold NaN in their padding and around them, so reading outside the matrices poisons the
 * result; with beta = 0 the result window of c starts as NaN and Infinity, which must be ignored.
 */
export function checkGemm(gemm: GemmFn, p: Precision, rnd: () => number, cs: GemmCase, tol: GemmTolerance): void {
  const { transA, transB, m, n, k, alpha, beta } = cs;
  const [padA, padB, padC] = cs.pad ?? [0, 0, 0];
  const off = cs.offset ?? 0;
  const aRows = transA ? k : m, aCols = transA ? m : k;
  const bRows = transB ? n : k, bCols = transB ? k : n;
  const lda = aCols + padA, ldb = bCols + padB, ldc = n + padC;
  const uniform = (): number => 2 * rnd() - 1;
  const GUARD = 12345;
  /** A buffer of `off + rows * ld + 3` elements: `value()` in the rows x cols window, `guard` elsewhere. */
  const matrix = (rows: number, cols: number, ld: number, value: (i: number, j: number) => number, guard: number): Vec => {
    const v = makeVec(p, off + rows * ld + 3).fill(guard);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) v[off + i * ld + j] = value(i, j);
    return v;
  };
  const a = matrix(aRows, aCols, lda, uniform, NaN).subarray(off);
  const b = matrix(bRows, bCols, ldb, uniform, NaN).subarray(off);
  const c0 = matrix(m, n, ldc, beta === 0 ? (i, j) => ((i + j) % 2 ? NaN : Infinity) : uniform, GUARD);
  const got = c0.slice();
  const want = c0.slice();
  gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, got.subarray(off), ldc);
  gemmReference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, want.subarray(off), ldc);
  const magnitude = gemmMagnitude(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c0.subarray(off), ldc);
  const inResult = (idx: number): boolean => idx >= off && Math.floor((idx - off) / ldc) < m && (idx - off) % ldc < n;
  // Outside the result the tolerance is 0: guards must be left exactly as they were.
  const elementTol = (idx: number, e: number): number => (inResult(idx) ? tol(magnitude[idx - off], e) : 0);
  assertClose(got, want, elementTol, describeGemmCase(p, cs));
}

export function describeGemmCase(p: Precision, cs: GemmCase): string {
  const op = `${cs.transA ? 'T' : 'N'}${cs.transB ? 'T' : 'N'}`;
  return `gemm ${p} ${op} m=${cs.m} n=${cs.n} k=${cs.k} alpha=${cs.alpha} beta=${cs.beta} pad=${cs.pad ?? [0, 0, 0]} offset=${cs.offset ?? 0}`;
}

/**
 * The magnitude a rounding error of c = alpha op(a) op(b) + beta c scales with, element by element:
 * |alpha| |op(a)| |op(b)| + |beta| |c| (Higham's bound), in c's layout (same length and strides).
 * With beta = 0, c is not read, so NaN there is fine.
 */
export function gemmMagnitude(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): Float64Array {
  const absA = Float64Array.from(a, Math.abs);
  const absB = Float64Array.from(b, Math.abs);
  const absC = Float64Array.from(c, (x) => (Number.isFinite(x) ? Math.abs(x) : 0));
  gemmReference(transA, transB, m, n, k, Math.abs(alpha), absA, lda, absB, ldb, beta === 0 ? 0 : Math.abs(beta), absC, ldc);
  return absC;
}
