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

export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): void {
  gemmReference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
