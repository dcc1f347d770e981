// How many trials to fuse into one pass: enough that the stacked first layer is a wide matrix
// product (BLAS is most efficient from a few hundred columns), few enough that a group's
// evaluation and memory stay small. See BENCHMARKS.md (bench:search) for the measurements.
import { layerSizes, type ExperimentSpec } from '../experiment/experimentSpec.js';

export const MAX_FUSED_WIDTH = 512;
export const MAX_FUSED_TRIALS = 16;

export function fusedGroupSize(spec: ExperimentSpec): number {
  const n1 = layerSizes(spec)[1];
  return Math.max(1, Math.min(MAX_FUSED_TRIALS, Math.floor(MAX_FUSED_WIDTH / n1)));
}
