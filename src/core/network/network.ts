// A k-layer fully connected network: s = W h + b, optional batch norm (before or after the
// activation) on hidden layers, softmax cross-entropy output, hand-written backward pass.
// Rows are samples: a batch is m x d, W_l is nOut x nIn, so S = H W^T (+ b).
import { ActivationCode, allocate, type Kernels, type Labels, type Precision, type Vec } from '../kernels/kernels.js';
import { nextGaussian, type Rng } from '../random.js';

export type BatchNormPlacement = 'none' | 'before' | 'after';
export type InitKind = { kind: 'he' } | { kind: 'xavier' } | { kind: 'normal'; sigma: number };

export interface NetworkShape {
  /** Layer sizes from input to output, e.g. [3072, 50, 50, 10]. */
  readonly sizes: readonly number[];
  readonly batchNorm: BatchNormPlacement;
  readonly activation: ActivationCode;
  readonly alpha: number;
  readonly bnEps: number;
  /** Weight of the old running statistic: run = a * run + (1 - a) * batch. */
  readonly bnMomentum: number;
  readonly precision: Precision;
  /** The first layer's two products (forward, weight gradient) in bfloat16 (k.gemmBf16); float32 storage and sums. */
  readonly bf16FirstLayer?: boolean;
}

export interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly W: Vec;
  readonly dW: Vec;
  /** Absent on hidden layers followed by batch norm: beta already shifts them, and b's gradient is zero. */
  readonly b: Vec | null;
  readonly db: Vec | null;
  readonly norm: BatchNormParams | null;
}

export interface BatchNormParams {
  readonly gamma: Vec;
  readonly beta: Vec;
  readonly dgamma: Vec;
  readonly dbeta: Vec;
  readonly runMean: Vec;
  readonly runVar: Vec;
  /** Running statistics start from the first batch's values (as in the reports). */
  initialised: boolean;
}

export interface Network {
  readonly shape: NetworkShape;
  readonly layers: Layer[];
}

/** Per-batch buffers, allocated once for a batch size m and reused every step. */
export interface Workspace {
  readonly m: number;
  /** Affine outputs S_l (m x nOut). */
  readonly S: Vec[];
  /** Batch-norm shat, and Z: BN output ('before') or activation output ('after'). */
  readonly shat: Vec[];
  readonly Z: Vec[];
  /** Layer outputs H_l (m x nOut); for the output layer, the softmax probabilities. */
  readonly A: Vec[];
  /** Gradients w.r.t. S_l (m x nOut). */
  readonly G: Vec[];
  readonly mean: Vec[];
  readonly variance: Vec[];
  /** result[0] summed loss, result[1] correct count of the last softmax. */
  readonly result: Float64Array;
}

/** Views into stacked storage for layer 1, so fused trials share one matrix product. */
export interface FirstLayerStorage {
  W: Vec;
  dW: Vec;
  b: Vec | null;
  db: Vec;
}

export function createNetwork(shape: NetworkShape, init: InitKind, rng: Rng, firstLayer?: FirstLayerStorage): Network {
  const layers: Layer[] = [];
  const L = shape.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const nIn = shape.sizes[l];
    const nOut = shape.sizes[l + 1];
    const hidden = l < L - 1;
    const own = l > 0 || !firstLayer;
    const W = own ? allocate(shape.precision, nOut * nIn) : firstLayer!.W;
    const std = init.kind === 'he' ? Math.sqrt(2 / nIn) : init.kind === 'xavier' ? Math.sqrt(1 / nIn) : init.sigma;
    for (let i = 0; i < W.length; i++) W[i] = std * nextGaussian(rng);
    const withNorm = hidden && shape.batchNorm !== 'none';
    const withBias = !(hidden && shape.batchNorm === 'before');
    layers.push({
      nIn,
      nOut,
      W,
      dW: own ? allocate(shape.precision, nOut * nIn) : firstLayer!.dW,
      b: !withBias ? null : own ? allocate(shape.precision, nOut) : firstLayer!.b,
      db: !withBias ? null : own ? allocate(shape.precision, nOut) : firstLayer!.db,
      norm: withNorm ? createBatchNorm(shape.precision, nOut) : null,
    });
  }
  return { shape, layers };
}

function createBatchNorm(precision: Precision, n: number): BatchNormParams {
  const gamma = allocate(precision, n).fill(1);
  const runVar = allocate(precision, n).fill(1);
  return {
    gamma,
    beta: allocate(precision, n),
    dgamma: allocate(precision, n),
    dbeta: allocate(precision, n),
    runMean: allocate(precision, n),
    runVar,
    initialised: false,
  };
}

export function createWorkspace(net: Network, m: number): Workspace {
  const p = net.shape.precision;
  const sized = (f: (layer: Layer) => number) => net.layers.map((layer) => allocate(p, f(layer)));
  const hasNorm = (layer: Layer) => (layer.norm ? m * layer.nOut : 0);
  return {
    m,
    S: sized((l) => m * l.nOut),
    shat: sized(hasNorm),
    Z: sized(hasNorm),
    A: sized((l) => m * l.nOut),
    G: sized((l) => m * l.nOut),
    mean: sized((l) => (l.norm ? l.nOut : 0)),
    variance: sized((l) => (l.norm ? l.nOut : 0)),
    result: new Float64Array(2),
  };
}

export type ForwardMode = 'train' | 'trainNoRunning' | 'eval';

/** Layer l's products (forward and weight gradient): the first layer's in bfloat16 when the shape asks. */
function product(k: Kernels, net: Network, l: number): Kernels['gemm'] {
  return l === 0 && net.shape.bf16FirstLayer ? k.gemmBf16 : k.gemm;
}

/**
 * Output logits of the last layer end in ws.S[L-1]. 'train' uses batch statistics and updates the
 * running ones. With firstAffineDone, ws.S[0] already holds X W_1^T + b_1 (computed for a fused group).
 */
export function forward(k: Kernels, net: Network, ws: Workspace, X: Vec, m: number, mode: ForwardMode, firstAffineDone = false): void {
  const { activation, alpha, batchNorm } = net.shape;
  let H = X;
  for (let l = 0; l < net.layers.length; l++) {
    const layer = net.layers[l];
    const S = ws.S[l];
    const len = m * layer.nOut;
    if (l > 0 || !firstAffineDone) {
      if (layer.b) k.fillRows(m, layer.nOut, layer.b, S);
      product(k, net, l)(false, true, m, layer.nOut, layer.nIn, 1, H, layer.nIn, layer.W, layer.nIn, layer.b ? 1 : 0, S, layer.nOut);
    }
    if (l === net.layers.length - 1) return;
    const A = ws.A[l];
    const norm = layer.norm;
    if (!norm) {
      k.activationForward(activation, alpha, len, S, A);
    } else if (batchNorm === 'before') {
      normalise(k, net, ws, l, S, ws.Z[l], m, mode);
      k.activationForward(activation, alpha, len, ws.Z[l], A);
    } else {
      k.activationForward(activation, alpha, len, S, ws.Z[l]);
      normalise(k, net, ws, l, ws.Z[l], A, m, mode);
    }
    H = A;
  }
}

function normalise(k: Kernels, net: Network, ws: Workspace, l: number, input: Vec, out: Vec, m: number, mode: ForwardMode): void {
  const layer = net.layers[l];
  const norm = layer.norm!;
  const n = layer.nOut;
  const eps = net.shape.bnEps;
  if (mode === 'eval') {
    k.batchNormInference(m, n, input, norm.runMean, norm.runVar, norm.gamma, norm.beta, eps, out);
    return;
  }
  k.batchNormForward(m, n, input, norm.gamma, norm.beta, eps, ws.mean[l], ws.variance[l], ws.shat[l], out);
  if (mode === 'train') updateRunning(norm, ws.mean[l], ws.variance[l], n, net.shape.bnMomentum);
}

function updateRunning(norm: BatchNormParams, mean: Vec, variance: Vec, n: number, a: number): void {
  if (!norm.initialised) {
    norm.runMean.set(mean.subarray(0, n));
    norm.runVar.set(variance.subarray(0, n));
    norm.initialised = true;
    return;
  }
  for (let j = 0; j < n; j++) {
    norm.runMean[j] = a * norm.runMean[j] + (1 - a) * mean[j];
    norm.runVar[j] = a * norm.runVar[j] + (1 - a) * variance[j];
  }
}

/** Softmax cross-entropy of the last forward pass; with grad, seeds ws.G for backward (mean loss). */
export function outputLoss(k: Kernels, net: Network, ws: Workspace, labels: Labels, m: number, grad: boolean): { lossSum: number; correct: number } {
  const L = net.layers.length - 1;
  const K = net.layers[L].nOut;
  k.softmaxCrossEntropy(m, K, ws.S[L], labels, ws.A[L], grad ? ws.G[L] : null, 1 / m, ws.result);
  return { lossSum: ws.result[0], correct: ws.result[1] };
}

/** Plain SGD applied inside the weight-gradient product: W <- (1 - lr * l2) W - lr * G^T H. */
export interface FusedUpdate {
  lr: number;
  l2: number;
}

/**
 * Gradients of the mean loss (without the L2 term) into every layer's dW, db, dgamma, dbeta.
 * With firstWeightGradDeferred, dW_1 is left to the caller (one product for a fused group).
 * With update (SGD without momentum), each W is updated by its gradient product directly and
 * dW is not written: one pass over W instead of three.
 */
export function backward(k: Kernels, net: Network, ws: Workspace, X: Vec, m: number, firstWeightGradDeferred = false, update: FusedUpdate | null = null): void {
  const { activation, alpha, batchNorm, bnEps } = net.shape;
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l];
    const G = ws.G[l];
    const H = l === 0 ? X : ws.A[l - 1];
    if (layer.db) k.colSum(m, layer.nOut, G, 1, layer.db);
    // The gradient w.r.t. the layer's input uses W before it is updated.
    if (l > 0) k.gemm(false, false, m, layer.nIn, layer.nOut, 1, G, layer.nOut, layer.W, layer.nIn, 0, ws.G[l - 1], layer.nIn);
    if (l > 0 || !firstWeightGradDeferred) {
      const gemm = product(k, net, l);
      if (update) gemm(true, false, layer.nOut, layer.nIn, m, -update.lr, G, layer.nOut, H, layer.nIn, 1 - update.lr * update.l2, layer.W, layer.nIn);
      else gemm(true, false, layer.nOut, layer.nIn, m, 1, G, layer.nOut, H, layer.nIn, 0, layer.dW, layer.nIn);
    }
    if (l === 0) return;
    const prev = net.layers[l - 1];
    const Gp = ws.G[l - 1];
    const len = m * prev.nOut;
    const norm = prev.norm;
    if (!norm) {
      k.activationBackward(activation, alpha, len, ws.S[l - 1], ws.A[l - 1], Gp);
    } else if (batchNorm === 'before') {
      k.activationBackward(activation, alpha, len, ws.Z[l - 1], ws.A[l - 1], Gp);
      k.batchNormBackward(m, prev.nOut, Gp, ws.shat[l - 1], ws.variance[l - 1], norm.gamma, bnEps, norm.dgamma, norm.dbeta, Gp);
    } else {
      k.batchNormBackward(m, prev.nOut, Gp, ws.shat[l - 1], ws.variance[l - 1], norm.gamma, bnEps, norm.dgamma, norm.dbeta, Gp);
      k.activationBackward(activation, alpha, len, ws.S[l - 1], ws.Z[l - 1], Gp);
    }
  }
}

export interface ParameterTensor {
  /** W1, b1, gamma1, beta1, ... (1-based layer numbers, as in the reports). */
  readonly name: string;
  readonly value: Vec;
  readonly grad: Vec;
  /** Whether the L2 penalty applies (weights only). */
  readonly regularised: boolean;
}

export function parameterTensors(net: Network): ParameterTensor[] {
  const out: ParameterTensor[] = [];
  net.layers.forEach((layer, i) => {
    const l = i + 1;
    out.push({ name: `W${l}`, value: layer.W, grad: layer.dW, regularised: true });
    if (layer.b && layer.db) out.push({ name: `b${l}`, value: layer.b, grad: layer.db, regularised: false });
    if (layer.norm) {
      out.push({ name: `gamma${l}`, value: layer.norm.gamma, grad: layer.norm.dgamma, regularised: false });
      out.push({ name: `beta${l}`, value: layer.norm.beta, grad: layer.norm.dbeta, regularised: false });
    }
  });
  return out;
}

/** Running statistics: state that is not trained by gradients but must be checkpointed. */
export function runningTensors(net: Network): { name: string; value: Vec }[] {
  const out: { name: string; value: Vec }[] = [];
  net.layers.forEach((layer, i) => {
    if (!layer.norm) return;
    out.push({ name: `runMean${i + 1}`, value: layer.norm.runMean });
    out.push({ name: `runVar${i + 1}`, value: layer.norm.runVar });
  });
  return out;
}

/** lambda * sum_l ||W_l||_F^2. */
export function l2Penalty(k: Kernels, net: Network, lambda: number): number {
  if (lambda === 0) return 0;
  let s = 0;
  for (const layer of net.layers) s += k.sumSquares(layer.W.length, layer.W);
  return lambda * s;
}

export function activationCode(kind: 'relu' | 'leakyRelu' | 'elu'): ActivationCode {
  return kind === 'relu' ? ActivationCode.Relu : kind === 'leakyRelu' ? ActivationCode.LeakyRelu : ActivationCode.Elu;
}
