// Pure-TypeScript kernels: the fallback backend and the oracle every fast path is tested against.
import { ActivationCode, type Kernels, type Labels, type Vec } from './kernels.js';
import { gemmBf16Rounded } from './bfloat16.js';
import { gemm } from './tsGemm.js';

export function fillRows(m: number, n: number, v: Vec, out: Vec): void {
  const row = v.length === n ? v : v.subarray(0, n);
  for (let i = 0; i < m; i++) out.set(row, i * n);
}

export function colSum(m: number, n: number, g: Vec, scale: number, out: Vec): void {
  out.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[j] += g[o + j];
  }
  for (let j = 0; j < n; j++) out[j] *= scale;
}

/** Per-column 1 / sqrt(var + eps), computed once per call (a square root per element is slow). */
let inverseStd = new Float64Array(256);
function columnInverseStd(n: number, variance: Vec, eps: number): Float64Array {
  if (inverseStd.length < n) inverseStd = new Float64Array(n);
  for (let j = 0; j < n; j++) inverseStd[j] = 1 / Math.sqrt(variance[j] + eps);
  return inverseStd;
}

export function batchNormForward(m: number, n: number, s: Vec, gamma: Vec, beta: Vec, eps: number, mean: Vec, variance: Vec, shat: Vec, out: Vec): void {
  // Two passes (mean, then squared deviations) keep float32 variance accurate.
  mean.fill(0, 0, n);
  variance.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) mean[j] += s[o + j];
  }
  for (let j = 0; j < n; j++) mean[j] /= m;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) {
      const d = s[o + j] - mean[j];
      variance[j] += d * d;
    }
  }
  for (let j = 0; j < n; j++) variance[j] /= m;
  const inv = columnInverseStd(n, variance, eps);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) {
      const h = (s[o + j] - mean[j]) * inv[j];
      shat[o + j] = h;
      out[o + j] = gamma[j] * h + beta[j];
    }
  }
}

export function batchNormInference(m: number, n: number, s: Vec, mean: Vec, variance: Vec, gamma: Vec, beta: Vec, eps: number, out: Vec): void {
  const inv = columnInverseStd(n, variance, eps);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) out[o + j] = gamma[j] * (s[o + j] - mean[j]) * inv[j] + beta[j];
  }
}

export function batchNormBackward(m: number, n: number, g: Vec, shat: Vec, variance: Vec, gamma: Vec, eps: number, dgamma: Vec, dbeta: Vec, gIn: Vec): void {
  // dL/ds = gamma / sqrt(var + eps) * (g - mean(g) - shat * mean(g * shat)), means over rows.
  dgamma.fill(0, 0, n);
  dbeta.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) {
      dbeta[j] += g[o + j];
      dgamma[j] += g[o + j] * shat[o + j];
    }
  }
  const inv = columnInverseStd(n, variance, eps);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) {
      gIn[o + j] = gamma[j] * inv[j] * (g[o + j] - dbeta[j] / m - (shat[o + j] * dgamma[j]) / m);
    }
  }
}

export function activationForward(kind: ActivationCode, alpha: number, len: number, x: Vec, out: Vec): void {
  if (kind === ActivationCode.Relu) {
    for (let i = 0; i < len; i++) out[i] = x[i] > 0 ? x[i] : 0;
  } else if (kind === ActivationCode.LeakyRelu) {
    for (let i = 0; i < len; i++) out[i] = x[i] > 0 ? x[i] : alpha * x[i];
  } else {
    for (let i = 0; i < len; i++) out[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
  }
}

export function activationBackward(kind: ActivationCode, alpha: number, len: number, x: Vec, y: Vec, g: Vec): void {
  if (kind === ActivationCode.Relu) {
    for (let i = 0; i < len; i++) if (!(x[i] > 0)) g[i] = 0;
  } else if (kind === ActivationCode.LeakyRelu) {
    for (let i = 0; i < len; i++) if (!(x[i] > 0)) g[i] *= alpha;
  } else {
    // ELU'(x) = alpha * exp(x) = y + alpha for x <= 0.
    for (let i = 0; i < len; i++) if (!(x[i] > 0)) g[i] *= y[i] + alpha;
  }
}

export function softmaxCrossEntropy(m: number, k: number, s: Vec, labels: Labels, probs: Vec, grad: Vec | null, gradScale: number, result: Float64Array): void {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < m; i++) {
    const o = i * k;
    let max = s[o];
    let arg = 0;
    for (let j = 1; j < k; j++) {
      if (s[o + j] > max) {
        max = s[o + j];
        arg = j;
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(s[o + j] - max);
      probs[o + j] = e;
      sum += e;
    }
    const y = labels[i];
    // log p_y computed from the shifted logits: exact even when p_y underflows.
    loss += Math.log(sum) - (s[o + y] - max);
    if (arg === y) correct++;
    const inv = 1 / sum;
    for (let j = 0; j < k; j++) probs[o + j] *= inv;
    if (grad) {
      for (let j = 0; j < k; j++) grad[o + j] = (probs[o + j] - (j === y ? 1 : 0)) * gradScale;
    }
  }
  result[0] = loss;
  result[1] = correct;
}

export function sgdStep(len: number, w: Vec, g: Vec, v: Vec | null, eta: number, rho: number, l2: number): void {
  if (v) {
    for (let i = 0; i < len; i++) {
      const vi = rho * v[i] + g[i] + l2 * w[i];
      v[i] = vi;
      w[i] -= eta * vi;
    }
  } else {
    for (let i = 0; i < len; i++) w[i] -= eta * (g[i] + l2 * w[i]);
  }
}

export function sumSquares(len: number, w: Vec): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += w[i] * w[i];
  return s;
}

export function gatherNormalize(m: number, d: number, src: Uint8Array, rows: Int32Array, mean: Vec, invStd: Vec, out: Vec): void {
  for (let i = 0; i < m; i++) {
    const si = rows[i] * d;
    const o = i * d;
    let j = 0;
    // Unrolled by 4: a quarter fewer loop checks, ~25 % faster in V8 on 3072-feature rows.
    for (; j + 3 < d; j += 4) {
      out[o + j] = (src[si + j] - mean[j]) * invStd[j];
      out[o + j + 1] = (src[si + j + 1] - mean[j + 1]) * invStd[j + 1];
      out[o + j + 2] = (src[si + j + 2] - mean[j + 2]) * invStd[j + 2];
      out[o + j + 3] = (src[si + j + 3] - mean[j + 3]) * invStd[j + 3];
    }
    for (; j < d; j++) out[o + j] = (src[si + j] - mean[j]) * invStd[j];
  }
}

export const tsKernels: Kernels = {
  backend: 'ts',
  detail: 'pure TypeScript (cache-blocked gemm)',
  gemm,
  gemmBf16: gemmBf16Rounded(gemm),
  fillRows,
  colSum,
  batchNormForward,
  batchNormInference,
  batchNormBackward,
  activationForward,
  activationBackward,
  softmaxCrossEntropy,
  sgdStep,
  sumSquares,
  gatherNormalize,
};
