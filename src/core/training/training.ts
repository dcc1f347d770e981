// Training one network: a fused training group of one trial, with per-trial events.
import type { DatasetSplits } from '../data/dataset.js';
import type { Kernels } from '../kernels/kernels.js';
import type { Network } from '../network/network.js';
import type { ExperimentSpec } from '../../experiment/experimentSpec.js';
import type { EpochSummary, EvalPoint, TrainingEvent, TrainingResult } from './metrics.js';
import { createTrainingGroup } from './trainingGroup.js';


export interface Training {
  readonly spec: ExperimentSpec;
  readonly kernels: Kernels;
  readonly network: Network;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly totalEpochs: number;
  /** Updates done so far. */
  stepsDone(): number;
  /** Runs to the end, yielding after every update; returns the final result. */
  run(): Generator<TrainingEvent, TrainingResult, void>;
  /** The whole state (parameters, running averages, momentum, RNG, position, history). */
  checkpoint(): Uint8Array;
  /** Metrics recorded so far. */
  history(): { points: EvalPoint[]; epochs: EpochSummary[] };
}

export interface TrainingOptions {
  spec: ExperimentSpec;
  data: DatasetSplits;
  kernels: Kernels;
  /** A checkpoint from Training.checkpoint() of the same spec and data, to resume from. */
  resumeFrom?: Uint8Array;
}

export function createTraining({ spec, data, kernels, resumeFrom }: TrainingOptions): Training {
  const group = createTrainingGroup({ specs: [spec], data, kernels, resumeFrom: resumeFrom ? [resumeFrom] : undefined });
  function* run(): Generator<TrainingEvent, TrainingResult, void> {
    const gen = group.run();
    for (let r = gen.next(); ; r = gen.next()) {
      if (r.done) return r.value[0];
      const e = r.value;
      if (e.kind === 'step') yield { kind: 'step', step: e.step, epoch: e.epoch, lr: e.lrs[0] };
      else if (e.kind === 'eval') yield { kind: 'eval', point: e.point };
      else yield { kind: 'epoch', summary: e.summary };
    }
  }
  return {
    spec,
    kernels,
    network: group.networks[0],
    stepsPerEpoch: group.stepsPerEpoch,
    totalSteps: group.totalSteps,
    totalEpochs: group.totalEpochs,
    stepsDone: group.stepsDone,
    run,
    checkpoint: () => group.checkpoint(0),
    history: () => group.history(0),
  };
}
