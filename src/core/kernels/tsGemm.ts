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

const MR = 2;
const NR = 3;
const KC = 256;
const MC = 256;
const NC = 384;
const A_OFF = 0;
const B_OFF = A_OFF + MC * KC;
const C_OFF = B_OFF + KC * NC;
const WS = new Float64Array(C_OFF + MC * NC);

function scaleC(m: number, n: number, beta: number, c: Vec, ldc: number): void {
  for (let i = 0; i < m; i++) {
    const o = i * ldc;
    if (beta === 0) c.fill(0, o, o + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) c[o + j] *= beta;
  }
}

function packA(transA: boolean, a: Vec, lda: number, i0: number, p0: number, mc: number, kc: number): void {
  const w = WS;
  for (let i = 0; i < mc; i += MR) {
    const two = mc - i >= 2;
    let d = A_OFF + i * kc;
    if (!transA) {
      const r0 = (i0 + i) * lda + p0;
      const r1 = two ? r0 + lda : r0;
      const z = two ? 1 : 0;
      for (let p = 0; p < kc; p++) {
        w[d] = a[r0 + p];
        w[d + 1] = z * a[r1 + p];
        d += 2;
      }
    } else {
      let s = p0 * lda + i0 + i;
      const o1 = two ? 1 : 0;
      const z = two ? 1 : 0;
      for (let p = 0; p < kc; p++) {
        w[d] = a[s];
        w[d + 1] = z * a[s + o1];
        d += 2;
        s += lda;
      }
    }
  }
}

function packB(transB: boolean, b: Vec, ldb: number, p0: number, j0: number, kc: number, nc: number): void {
  const w = WS;
  for (let j = 0; j < nc; j += NR) {
    const cols = nc - j;
    // Missing columns of the last panel read column 0 again and are multiplied by 0.
    const o1 = cols >= 2 ? 1 : 0, o2 = cols >= 3 ? 2 : 0;
    const z1 = cols >= 2 ? 1 : 0, z2 = cols >= 3 ? 1 : 0;
    let d = B_OFF + j * kc;
    if (transB) {
      const s0 = (j0 + j) * ldb + p0, s1 = s0 + o1 * ldb, s2 = s0 + o2 * ldb;
      for (let p = 0; p < kc; p++) {
        w[d] = b[s0 + p];
        w[d + 1] = z1 * b[s1 + p];
        w[d + 2] = z2 * b[s2 + p];
        d += 3;
      }
    } else {
      let s = p0 * ldb + j0 + j;
      for (let p = 0; p < kc; p++) {
        w[d] = b[s];
        w[d + 1] = z1 * b[s + o1];
        w[d + 2] = z2 * b[s + o2];
        d += 3;
        s += ldb;
      }
    }
  }
}

function kernel2x3(kc: number, ia: number, ib: number, ic: number, first: boolean): void {
  const w = WS;
  let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
  const ic1 = ic + NC;
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

function macro(mTiles: number, nTiles: number, kc: number, first: boolean): void {
  for (let jp = 0; jp < nTiles; jp++) {
    const ib = B_OFF + jp * NR * kc;
    for (let ip = 0; ip < mTiles; ip++) {
      kernel2x3(kc, A_OFF + ip * MR * kc, ib, C_OFF + ip * MR * NC + jp * NR, first);
    }
  }
}

function writeBack(mc: number, nc: number, alpha: number, beta: number, c: Vec, co: number, ldc: number): void {
  const w = WS;
  for (let i = 0; i < mc; i++) {
    const o = co + i * ldc;
    const s = C_OFF + i * NC;
    if (beta === 0) for (let j = 0; j < nc; j++) c[o + j] = alpha * w[s + j];
    else for (let j = 0; j < nc; j++) c[o + j] = alpha * w[s + j] + beta * c[o + j];
  }
}

export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha === 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    const nTiles = Math.ceil(nc / NR);
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = Math.min(MC, m - i0);
      const mTiles = Math.ceil(mc / MR);
      for (let p0 = 0; p0 < k; p0 += KC) {
        const kc = Math.min(KC, k - p0);
        packB(transB, b, ldb, p0, j0, kc, nc);
        packA(transA, a, lda, i0, p0, mc, kc);
        macro(mTiles, nTiles, kc, p0 === 0);
      }
      writeBack(mc, nc, alpha, beta, c, i0 * ldc + j0, ldc);
    }
  }
}
export const __internals = { packA, packB, kernel2x3, macro, writeBack };
