// Analytic gradients against finite differences, per parameter tensor, in float64, on the first
// `features` inputs and `samples` images (as the reports do).
import type { ImageSet } from '../data/dataset.js';
import { byteScaleNormalisation, computeNormalisation } from '../data/normalisation.js';
import type { Kernels } from '../kernels/kernels.js';
import { backward, createNetwork, createWorkspace, forward, l2Penalty, outputLoss, parameterTensors } from '../network/network.js';
import { createRng } from '../random.js';
import type { ExperimentSpec } from '../../experiment/experimentSpec.js';
import { networkShape } from '../training/trainingGroup.js';

export interface GradientCheckOptions {
  features: number;
  samples: number;
  h: number;
  method: 'centred' | 'forward';
}

export interface TensorCheck {
  name: string;
  size: number;
  /** ||ga - gn|| / max(1e-6, ||ga|| + ||gn||): the figure that is bounded. */
  relError: number;
  /** max_i |ga_i - gn_i| / max(1e-10, |ga_i| + |gn_i|), as the reports show it. */
  maxElementRelError: number;
  analyticNorm: number;
}

export interface GradientCheckResult {
  method: 'centred' | 'forward';
  h: number;
  features: number;
  samples: number;
  sizes: number[];
  tensors: TensorCheck[];
  maxRelError: number;
}

export const DEFAULT_GRADCHECK: GradientCheckOptions = { features: 20, samples: 10, h: 1e-5, method: 'centred' };

/** The first `features` normalised features of the first `samples` training images, in float64. */
export function gradientCheckInputs(train: ImageSet, features: number, samples: number): { X: Float64Array; labels: Uint8Array; d: number; m: number } {
  const d = Math.min(features, train.d);
  const m = Math.min(samples, train.n);
  const norm = byteScaleNormalisation(computeNormalisation(train));
  const X = new Float64Array(m * d);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) X[i * d + j] = (train.x[i * train.d + j] - norm.mean[j]) * norm.invStd[j];
  return { X, labels: train.y.slice(0, m), d, m };
}

export function gradientCheck(k: Kernels, spec: ExperimentSpec, input: { X: Float64Array; labels: Uint8Array; d: number; m: number; classes: number }, opts: GradientCheckOptions): GradientCheckResult {
  const { X, labels, d, m } = input;
  const sizes = [d, ...spec.model.hidden, input.classes];
  const net = createNetwork({ ...networkShape(spec, sizes), precision: 'float64', bf16FirstLayer: false }, spec.model.init, createRng(spec.seed, 1));
  const ws = createWorkspace(net, m);
  const lambda = spec.training.lambda;
  const cost = () => {
    forward(k, net, ws, X, m, 'trainNoRunning');
    return outputLoss(k, net, ws, labels, m, false).lossSum / m + l2Penalty(k, net, lambda);
  };

  forward(k, net, ws, X, m, 'trainNoRunning');
  outputLoss(k, net, ws, labels, m, true);
  backward(k, net, ws, X, m);
  const tensors = parameterTensors(net).map((p) => {
    const ga = Float64Array.from(p.grad);
    if (p.regularised) for (let i = 0; i < ga.length; i++) ga[i] += 2 * lambda * p.value[i];
    const gn = numericGradient(p.value as Float64Array, cost, opts);
    return compare(p.name, ga, gn);
  });
  return {
    method: opts.method,
    h: opts.h,
    features: d,
    samples: m,
    sizes,
    tensors,
    maxRelError: Math.max(...tensors.map((t) => t.relError)),
  };
}

function numericGradient(w: Float64Array, cost: () => number, opts: GradientCheckOptions): Float64Array {
  const g = new Float64Array(w.length);
  const base = opts.method === 'forward' ? cost() : 0;
  for (let i = 0; i < w.length; i++) {
    const old = w[i];
    w[i] = old + opts.h;
    const plus = cost();
    if (opts.method === 'forward') {
      g[i] = (plus - base) / opts.h;
    } else {
      w[i] = old - opts.h;
      g[i] = (plus - cost()) / (2 * opts.h);
    }
    w[i] = old;
  }
  return g;
}

function compare(name: string, ga: Float64Array, gn: Float64Array): TensorCheck {
  let diff2 = 0;
  let a2 = 0;
  let n2 = 0;
  let maxEl = 0;
  for (let i = 0; i < ga.length; i++) {
    const dlt = ga[i] - gn[i];
    diff2 += dlt * dlt;
    a2 += ga[i] * ga[i];
    n2 += gn[i] * gn[i];
    maxEl = Math.max(maxEl, Math.abs(dlt) / Math.max(1e-10, Math.abs(ga[i]) + Math.abs(gn[i])));
  }
  const relError = Math.sqrt(diff2) / Math.max(1e-6, Math.sqrt(a2) + Math.sqrt(n2));
  return { name, size: ga.length, relError, maxElementRelError: maxEl, analyticNorm: Math.sqrt(a2) };
}
