// Loss, cost and accuracy of one or more networks (a fused group) on (a subset of) an image set,
// in fixed-size chunks so memory stays flat whatever the set size.
import type { ImageSet } from '../data/dataset.js';
import { allocate, allocator, type Kernels } from '../kernels/kernels.js';
import { createWorkspace, forward, outputLoss, type Network, type Workspace } from '../network/network.js';
import { createBatch, fillBatch, type Batch, type Normaliser } from './batchSource.js';
import { fusedAffine, type FusedFirstLayer } from './fusedFirstLayer.js';
import type { SplitMetrics } from './metrics.js';
import type { Vec } from '../kernels/kernels.js';

export const EVAL_CHUNK = 500;

export interface Evaluator {
  readonly nets: Network[];
  readonly workspaces: Workspace[];
  readonly batch: Batch;
  readonly fused: FusedFirstLayer | null;
  /** Stacked layer-1 outputs for a chunk, when fused. */
  readonly S: Vec | null;
}

/** With k, the chunk buffer is allocated the way k's products read fastest (k.allocate). */
export function createEvaluator(nets: Network[], d: number, fused: FusedFirstLayer | null, k?: Kernels): Evaluator {
  const precision = nets[0].shape.precision;
  return {
    nets,
    workspaces: nets.map((n) => createWorkspace(n, EVAL_CHUNK)),
    batch: createBatch(precision, EVAL_CHUNK, d, k ? allocator(k) : allocate),
    fused,
    S: fused ? allocate(precision, EVAL_CHUNK * fused.trials * fused.n1) : null,
  };
}

/** Metrics of every network over the listed rows of set, using running batch-norm statistics. */
export function evaluate(k: Kernels, ev: Evaluator, set: ImageSet, norm: Normaliser, rows: Int32Array, penalties: number[]): SplitMetrics[] {
  const n = rows.length;
  const T = ev.nets.length;
  if (n === 0) return penalties.map(() => ({ loss: NaN, cost: NaN, accuracy: NaN }));
  const lossSum = new Float64Array(T);
  const correct = new Float64Array(T);
  // The weights stay as they are for the whole evaluation: the products prepare them once.
  k.holdOperands?.(true);
  try {
    evaluateChunks(k, ev, set, norm, rows, lossSum, correct);
  } finally {
    k.holdOperands?.(false);
  }
  return penalties.map((p, t) => ({ loss: lossSum[t] / n, cost: lossSum[t] / n + p, accuracy: correct[t] / n }));
}

function evaluateChunks(k: Kernels, ev: Evaluator, set: ImageSet, norm: Normaliser, rows: Int32Array, lossSum: Float64Array, correct: Float64Array): void {
  const n = rows.length;
  const T = ev.nets.length;
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, n - start);
    fillBatch(k, set, norm, rows, start, m, ev.batch);
    if (ev.fused) fusedAffine(k, ev.fused, ev.batch.X, m, ev.S!, ev.workspaces);
    for (let t = 0; t < T; t++) {
      forward(k, ev.nets[t], ev.workspaces[t], ev.batch.X, m, 'eval', ev.fused !== null);
      const r = outputLoss(k, ev.nets[t], ev.workspaces[t], ev.batch.labels, m, false);
      lossSum[t] += r.lossSum;
      correct[t] += r.correct;
    }
  }
}

export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}
