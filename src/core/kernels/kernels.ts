// The operations training needs, on typed arrays. The network calls only these, so a native
// (OpenBLAS) implementation replaces the TypeScript one without touching the network code.
// All matrices are row-major; every array passed to one call has the same precision.

export type Vec = Float32Array | Float64Array;
export type Labels = Uint8Array | Uint16Array | Int32Array;
export type Precision = 'float32' | 'float64';

/** 0 relu, 1 leaky relu, 2 elu: numeric so native code can switch on it. */
export const ActivationCode = { Relu: 0, LeakyRelu: 1, Elu: 2 } as const;
export type ActivationCode = (typeof ActivationCode)[keyof typeof ActivationCode];

export interface Kernels {
  /** 'ts' or 'native'. */
  readonly backend: string;
  /** Human-readable detail (BLAS library and threads for native). */
  readonly detail: string;

  /** c (m x n) = alpha * op(a) * op(b) + beta * c; op(a) is m x k, op(b) is k x n; ld* are row strides. */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): void;

  /**
   * gemm on the operands rounded to bfloat16 (nearest, ties to even), products summed in float32:
   * the first layer's products under the spec's "precision": "bfloat16". float32 arrays, and only
   * a b^T (the forward product) or a^T b (the weight gradient): transA !== transB.
   */
  gemmBf16(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, a: Vec, lda: number, b: Vec, ldb: number, beta: number, c: Vec, ldc: number): void;

  /**
   * Optional: while on, a product (gemm a b^T, gemmBf16) whose b is the same array, strides and
   * shape as the previous such call's may reuse the copy it prepared of b (packed, converted). The
   * caller promises b does not change until it turns this off (a fused group's trials take one
   * batch; an evaluation's chunks one weight matrix). Speed only: the results are the same.
   */
  holdOperands?(on: boolean): void;

  /** out (m x n) = every row set to v (n): the bias, before a gemm with beta = 1. */
  fillRows(m: number, n: number, v: Vec, out: Vec): void;

  /** out (n) = scale * column sums of g (m x n). */
  colSum(m: number, n: number, g: Vec, scale: number, out: Vec): void;

  /**
   * Training-mode batch norm over the m rows of s (m x n): writes the batch mean and (biased)
   * variance (n), shat = (s - mean) / sqrt(var + eps) and out = gamma * shat + beta (m x n).
   */
  batchNormForward(m: number, n: number, s: Vec, gamma: Vec, beta: Vec, eps: number, mean: Vec, variance: Vec, shat: Vec, out: Vec): void;

  /** Evaluation-mode batch norm with running statistics: out = gamma * (s - mean) / sqrt(var + eps) + beta. */
  batchNormInference(m: number, n: number, s: Vec, mean: Vec, variance: Vec, gamma: Vec, beta: Vec, eps: number, out: Vec): void;

  /**
   * Backward of batchNormForward: g (m x n) is dL/d(out); writes dgamma, dbeta (n) as sums over
   * the rows, and gIn = dL/ds (m x n). gIn may alias g.
   */
  batchNormBackward(m: number, n: number, g: Vec, shat: Vec, variance: Vec, gamma: Vec, eps: number, dgamma: Vec, dbeta: Vec, gIn: Vec): void;

  /** out = f(x) elementwise over len values; out may alias x. */
  activationForward(kind: ActivationCode, alpha: number, len: number, x: Vec, out: Vec): void;

  /** g *= f'(x), given the pre-activation x and the output y = f(x). */
  activationBackward(kind: ActivationCode, alpha: number, len: number, x: Vec, y: Vec, g: Vec): void;

  /**
   * Row softmax of s (m x k) into probs; result[0] = summed cross-entropy, result[1] = number of
   * rows whose argmax is the label. When grad is given it receives (probs - onehot) * gradScale.
   */
  softmaxCrossEntropy(m: number, k: number, s: Vec, labels: Labels, probs: Vec, grad: Vec | null, gradScale: number, result: Float64Array): void;

  /** w -= eta * step, where step = g + l2 * w, or with momentum v = rho * v + step, step = v. */
  sgdStep(len: number, w: Vec, g: Vec, v: Vec | null, eta: number, rho: number, l2: number): void;

  /** Sum of squares of the first len values. */
  sumSquares(len: number, w: Vec): number;

  /** out (m x d): out[i, j] = (src[rows[i] * d + j] - mean[j]) * invStd[j], from 8-bit images. */
  gatherNormalize(m: number, d: number, src: Uint8Array, rows: Int32Array, mean: Vec, invStd: Vec, out: Vec): void;

  /**
   * Optional: a zeroed array laid out the way this backend reads fastest (native: data on a
   * 64-byte boundary). Only speed depends on it, never a result; without it, allocate() below.
   */
  allocate?(precision: Precision, n: number): Vec;
}

export function allocate(precision: Precision, n: number): Vec {
  return precision === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** k.allocate when the backend has one, else allocate: for the arrays the large products read. */
export function allocator(k: Kernels): (precision: Precision, n: number) => Vec {
  return k.allocate ? (p, n) => k.allocate!(p, n) : allocate;
}
