// Loss, cost and accuracy of a network on (a subset of) an image set, in fixed-size chunks so
// memory stays flat whatever the set size.
import type { ImageSet } from '../data/dataset.js';
import type { Kernels } from '../kernels/kernels.js';
import { createWorkspace, forward, outputLoss, type Network, type Workspace } from '../network/network.js';
import { createBatch, fillBatch, type Batch, type Normaliser } from './batchSource.js';
import type { SplitMetrics } from './metrics.js';

export const EVAL_CHUNK = 500;

export interface Evaluator {
  readonly ws: Workspace;
  readonly batch: Batch;
}

export function createEvaluator(net: Network, d: number): Evaluator {
  return { ws: createWorkspace(net, EVAL_CHUNK), batch: createBatch(net.shape.precision, EVAL_CHUNK, d) };
}

/** Metrics over set rows listed in rows (all rows when null), using running batch-norm statistics. */
export function evaluate(k: Kernels, net: Network, ev: Evaluator, set: ImageSet, norm: Normaliser, rows: Int32Array, penalty: number): SplitMetrics {
  const n = rows.length;
  if (n === 0) return { loss: NaN, cost: NaN, accuracy: NaN };
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const m = Math.min(EVAL_CHUNK, n - start);
    fillBatch(k, set, norm, rows, start, m, ev.batch);
    forward(k, net, ev.ws, ev.batch.X, m, 'eval');
    const r = outputLoss(k, net, ev.ws, ev.batch.labels, m, false);
    lossSum += r.lossSum;
    correct += r.correct;
  }
  const loss = lossSum / n;
  return { loss, cost: loss + penalty, accuracy: correct / n };
}

export function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}
