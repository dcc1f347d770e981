// The final weights as JSON: per layer W (nOut x nIn, row-major), b, and batch-norm parameters
// with running statistics, enough to evaluate the network elsewhere.
import type { Network } from '../core/network/network.js';
import type { Artifact } from './runArtifacts.js';

export function weightsArtifact(net: Network): Artifact {
  const arr = (v: ArrayLike<number> | null) => (v ? Array.from(v) : null);
  const layers = net.layers.map((l) => ({
    nIn: l.nIn,
    nOut: l.nOut,
    W: arr(l.W),
    b: arr(l.b),
    ...(l.norm ? { gamma: arr(l.norm.gamma), beta: arr(l.norm.beta), runningMean: arr(l.norm.runMean), runningVar: arr(l.norm.runVar) } : {}),
  }));
  const body = { sizes: net.shape.sizes, batchNorm: net.shape.batchNorm, activation: net.shape.activation, alpha: net.shape.alpha, layers };
  return { name: 'weights.json', contentType: 'application/json', body: Buffer.from(JSON.stringify(body)) };
}
