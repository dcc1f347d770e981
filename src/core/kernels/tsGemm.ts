// Matrix product in TypeScript. gemmReference is the plain definition, kept as the oracle.
import type { Vec } from './kernels.js';

/** c (m x n) = alpha * op(a) op(b) + beta * c, computed straight from the definition. */
export function gemmReference(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * lda + i] : a[i * lda + p];
        const bv = transB ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
      }
      c[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * ldc + j]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fast gemm: GotoBLAS-style blocking with packing, done the way V8 compiles well.
//
// * op(A) and op(B) are copied ("packed") into one scratch Float64Array, in the exact order the
//   micro-kernel reads them, whatever the transposes, strides and input precision. The kernel
//   therefore only ever sees one Float64Array: monomorphic, no float32 -> float64 conversions in
//   the inner loop (float32 inputs are widened once while packing), and sums accumulate in double.
// * The scratch is a fixed-size module-level const, allocated once. Because the binding never
//   changes, TurboFan embeds the array's address and length as constants: the inner loop then has
//   no map checks and no per-iteration reloads of the array header, and each bounds check is a
//   compare against an immediate. Passing the same array as a parameter (or keeping it in a
//   growable `let`) makes the kernel ~1.5x slower.
// * The micro-kernel is 2x3 (6 accumulators + 5 loaded values): TurboFan schedules all loads of an
//   iteration before the arithmetic and x64 has 15 allocatable XMM registers, so larger tiles
//   (4x4, 2x4, 3x3) spill and run slower despite loading less per flop.
// * Partial sums across k-blocks live in an accumulator block inside the scratch; c is touched
//   once, at the end, with alpha and beta (beta = 0 never reads c, so NaN garbage is ignored).
//   Each element is summed in double, in increasing p, as gemmReference does, so today the two
//   agree bit for bit; the tests still allow a rounding tolerance.
// ---------------------------------------------------------------------------------------------

/** Micro-tile rows (of op(A)) and columns (of op(B)). */
const MR = 2;
const NR = 3;
/** Block sizes: depth (k), rows (multiple of MR) and columns (multiple of NR). */
const KC = 512;
const MC = 128;
const NC = 192;

/** Scratch layout: packed A block (MC x KC) | packed B block (KC x NC) | accumulators (MC x NC, row stride NC). */
const A_OFF = 0;
const B_OFF = A_OFF + MC * KC;
const C_OFF = B_OFF + KC * NC;
const WS = new Float64Array(C_OFF + MC * NC); // 1.5 MB

/**
 * Packs op(A)[i0 .. i0+mc) x [p0 .. p0+kc) as panels of MR = 2 rows: panel r holds, for each p,
 * the pair (op(A)[2r, p], op(A)[2r+1, p]). An odd last row is paired with zeros.
 */
function packA(transA: boolean, a: Vec, lda: number, i0: number, p0: number, mc: number, kc: number): void {
  const w = WS;
  const mFull = mc - (mc % MR);
  for (let i = 0; i < mFull; i += MR) {
    let d = A_OFF + i * kc;
    if (!transA) {
      const s0 = (i0 + i) * lda + p0, s1 = s0 + lda;
      for (let p = 0; p < kc; p++) {
        w[d] = a[s0 + p];
        w[d + 1] = a[s1 + p];
        d += 2;
      }
    } else {
      let s = p0 * lda + i0 + i;
      for (let p = 0; p < kc; p++) {
        w[d] = a[s];
        w[d + 1] = a[s + 1];
        d += 2;
        s += lda;
      }
    }
  }
  if (mFull < mc) {
    let d = A_OFF + mFull * kc;
    const row = i0 + mFull;
    for (let p = 0; p < kc; p++) {
      w[d] = transA ? a[(p0 + p) * lda + row] : a[row * lda + p0 + p];
      w[d + 1] = 0;
      d += 2;
    }
  }
}

/**
 * Packs op(B)[p0 .. p0+kc) x [j0 .. j0+nc) as panels of NR = 3 columns: panel q holds, for each p,
 * the triple op(B)[p, 3q .. 3q+2]. Missing columns of the last panel are zeros.
 */
function packB(transB: boolean, b: Vec, ldb: number, p0: number, j0: number, kc: number, nc: number): void {
  const w = WS;
  const nFull = nc - (nc % NR);
  const rem = nc - nFull;
  if (transB) {
    // Rows of b are columns of op(B): read three rows side by side, contiguously.
    for (let j = 0; j < nFull; j += NR) {
      const s0 = (j0 + j) * ldb + p0, s1 = s0 + ldb, s2 = s1 + ldb;
      let d = B_OFF + j * kc;
      for (let p = 0; p < kc; p++) {
        w[d] = b[s0 + p];
        w[d + 1] = b[s1 + p];
        w[d + 2] = b[s2 + p];
        d += 3;
      }
    }
    if (rem > 0) {
      const s0 = (j0 + nFull) * ldb + p0, s1 = s0 + ldb;
      let d = B_OFF + nFull * kc;
      for (let p = 0; p < kc; p++) {
        w[d] = b[s0 + p];
        w[d + 1] = rem > 1 ? b[s1 + p] : 0;
        w[d + 2] = 0;
        d += 3;
      }
    }
  } else {
    // Row by row, so b is read sequentially; each row scatters one triple into every panel.
    const step = NR * kc;
    for (let p = 0; p < kc; p++) {
      const s = (p0 + p) * ldb + j0;
      let d = B_OFF + p * NR;
      for (let j = 0; j < nFull; j += NR) {
        w[d] = b[s + j];
        w[d + 1] = b[s + j + 1];
        w[d + 2] = b[s + j + 2];
        d += step;
      }
      if (rem > 0) {
        w[d] = b[s + nFull];
        w[d + 1] = rem > 1 ? b[s + nFull + 1] : 0;
        w[d + 2] = 0;
      }
    }
  }
}

/**
 * Micro-kernel, shape: acc (2 x 3) (+)= Apanel (2 x kc) * Bpanel (kc x 3).
 * Apanel at WS[ia], pairs per p; Bpanel at WS[ib], triples per p; acc rows at WS[ic] and
 * WS[ic + NC]. first: start from zero instead of the stored partial sums.
 * The `| 0` on index arithmetic makes V8 use plain int32 adds without overflow checks.
 */
function kernel2x3(kc: number, ia: number, ib: number, ic: number, first: boolean): void {
  const w = WS;
  const ic1 = ic + NC;
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  if (!first) {
    c00 = w[ic]; c01 = w[ic + 1]; c02 = w[ic + 2];
    c10 = w[ic1]; c11 = w[ic1 + 1]; c12 = w[ic1 + 2];
  }
  const end = ia + 2 * kc;
  while (ia < end) {
    const a0 = w[ia], a1 = w[(ia + 1) | 0];
    const b0 = w[ib], b1 = w[(ib + 1) | 0], b2 = w[(ib + 2) | 0];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    ia = (ia + 2) | 0;
    ib = (ib + 3) | 0;
  }
  w[ic] = c00; w[ic + 1] = c01; w[ic + 2] = c02;
  w[ic1] = c10; w[ic1 + 1] = c11; w[ic1 + 2] = c12;
}

/** All micro-tiles of one packed block pair. The B panel (kc x 3) stays in L1 across the A panels. */
function macroKernel(mTiles: number, nTiles: number, kc: number, first: boolean): void {
  for (let jp = 0; jp < nTiles; jp++) {
    const ib = B_OFF + jp * NR * kc;
    for (let ip = 0; ip < mTiles; ip++) {
      kernel2x3(kc, A_OFF + ip * MR * kc, ib, C_OFF + ip * MR * NC + jp * NR, first);
    }
  }
}

/** c block (mc x nc at c[co], row stride ldc) = alpha * acc + beta * c. */
function writeBack(mc: number, nc: number, alpha: number, beta: number, c: Vec, co: number, ldc: number): void {
  const w = WS;
  for (let i = 0; i < mc; i++) {
    const o = co + i * ldc;
    const s = C_OFF + i * NC;
    if (beta === 0) {
      for (let j = 0; j < nc; j++) c[o + j] = alpha * w[s + j];
    } else if (beta === 1) {
      for (let j = 0; j < nc; j++) c[o + j] += alpha * w[s + j];
    } else {
      for (let j = 0; j < nc; j++) c[o + j] = alpha * w[s + j] + beta * c[o + j];
    }
  }
}

/** c (m x n) *= beta, with beta = 0 writing zeros (so NaN in c does not survive). */
function scaleC(m: number, n: number, beta: number, c: Vec, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const o = i * ldc;
    if (beta === 0) c.fill(0, o, o + n);
    else for (let j = 0; j < n; j++) c[o + j] *= beta;
  }
}

/** Splits len into ceil(len / max) near-equal blocks, each a multiple of unit (except the last). */
function blockStep(len: number, max: number, unit: number): number {
  const blocks = Math.ceil(len / max);
  return Math.ceil(Math.ceil(len / blocks) / unit) * unit;
}

/**
 * c (m x n) = alpha * op(a) op(b) + beta * c, row-major; op(x) = x or x^T. lda, ldb, ldc are row
 * strides. BLAS conventions: when k = 0 or alpha = 0, a and b are not read (c = beta * c), and
 * beta = 0 overwrites c without reading it. c must not overlap a or b.
 */
export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha === 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  // Near-equal blocks avoid a thin, inefficient last block (e.g. k = 520 -> 260 + 260, not 512 + 8).
  const ncStep = blockStep(n, NC, NR);
  const mcStep = blockStep(m, MC, MR);
  const kcStep = blockStep(k, KC, 1);
  for (let j0 = 0; j0 < n; j0 += ncStep) {
    const nc = Math.min(ncStep, n - j0);
    const nTiles = Math.ceil(nc / NR);
    for (let i0 = 0; i0 < m; i0 += mcStep) {
      const mc = Math.min(mcStep, m - i0);
      const mTiles = Math.ceil(mc / MR);
      for (let p0 = 0; p0 < k; p0 += kcStep) {
        const kc = Math.min(kcStep, k - p0);
        packB(transB, b, ldb, p0, j0, kc, nc);
        packA(transA, a, lda, i0, p0, mc, kc);
        macroKernel(mTiles, nTiles, kc, p0 === 0);
      }
      writeBack(mc, nc, alpha, beta, c, i0 * ldc + j0, ldc);
    }
  }
}
