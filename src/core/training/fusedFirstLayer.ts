// Fused trials: the first layers of T networks stacked into one (T*n1 x d) matrix, so the forward
// product X W^T runs once for the whole group (N = T*n1). The weight-gradient product runs per
// trial in backward (network.ts), on the trial's rows of the stacked matrices: with SGD without
// momentum it updates W_t inside the product (W_t <- (1 - lr l2) W_t - lr G_t^T X), one pass over
// W_t instead of a stacked dW and a separate update pass over it.
import { allocate, type Kernels, type Precision, type Vec } from '../kernels/kernels.js';
import type { FirstLayerStorage, Workspace } from '../network/network.js';

export interface FusedFirstLayer {
  readonly trials: number;
  /** Units of layer 1 per trial. */
  readonly n1: number;
  /** Input features. */
  readonly d: number;
  readonly W: Vec;
  readonly dW: Vec;
  /** Stacked biases, or null when layer 1 has none (batch norm before the activation). */
  readonly b: Vec | null;
  readonly db: Vec;
  /** The forward product in bfloat16 (k.gemmBf16). */
  readonly bf16: boolean;
}

/** alloc (default allocate) places W and dW, the operands of the large products. */
export function createFusedFirstLayer(precision: Precision, trials: number, n1: number, d: number, withBias: boolean, alloc: (p: Precision, n: number) => Vec = allocate, bf16 = false): FusedFirstLayer {
  return {
    bf16,
    trials,
    n1,
    d,
    W: alloc(precision, trials * n1 * d),
    dW: alloc(precision, trials * n1 * d),
    b: withBias ? allocate(precision, trials * n1) : null,
    db: allocate(precision, trials * n1),
  };
}

/** Trial t's rows of the stacked matrices, as the network's own layer-1 storage. */
export function trialStorage(f: FusedFirstLayer, t: number): FirstLayerStorage {
  const w = f.n1 * f.d;
  return {
    W: f.W.subarray(t * w, (t + 1) * w),
    dW: f.dW.subarray(t * w, (t + 1) * w),
    b: f.b ? f.b.subarray(t * f.n1, (t + 1) * f.n1) : null,
    db: f.db.subarray(t * f.n1, (t + 1) * f.n1),
  };
}

/** S (m x T*n1) = X W^T + b for all trials, then each trial's block into its workspace's S_1. */
export function fusedAffine(k: Kernels, f: FusedFirstLayer, X: Vec, m: number, S: Vec, workspaces: Workspace[]): void {
  const width = f.trials * f.n1;
  if (f.b) k.fillRows(m, width, f.b, S);
  (f.bf16 ? k.gemmBf16 : k.gemm)(false, true, m, width, f.d, 1, X, f.d, f.W, f.d, f.b ? 1 : 0, S, width);
  for (let t = 0; t < f.trials; t++) {
    const dst = workspaces[t].S[0];
    for (let i = 0; i < m; i++) dst.set(S.subarray(i * width + t * f.n1, i * width + (t + 1) * f.n1), i * f.n1);
  }
}
