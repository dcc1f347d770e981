// Everything a run will cost, estimated from its spec before it is accepted: updates, training and
// evaluation arithmetic, data held in memory, stored evaluation points, and the size of its
// checkpoint and weights artifact. A spec past any bound is rejected with the bound, the estimate
// and how far over it is, so no accepted run can tie up or crash a worker.
import type { ExperimentSpec } from './experimentSpec.js';
import { classCount, CIFAR10_BATCH_SIZE, featureCount, parameterCount, resolvedHoldout, totalEpochs, totalUpdates, trainingSampleCount } from './experimentSpec.js';

export const WORK_LIMITS = {
  /** One learning rate per update is kept for the schedule plot. */
  maxUpdates: 2_000_000,
  maxEpochs: 10_000,
  /** Multiply-adds of training (forward and backward, ~3 per weight and sample) and of every evaluation. */
  maxMultiplyAdds: 6e14,
  /** Evaluation points stored, one row each. */
  maxPoints: 1_000_000,
  /** Images held in memory, one byte per feature. */
  maxDataBytes: 1e9,
  /** The checkpoint is one Postgres bytea, written every epoch. */
  maxCheckpointBytes: 256e6,
  /** weights.json holds every parameter as decimal text. */
  maxWeightsArtifactBytes: 256e6,
} as const;

export interface WorkEstimate {
  updates: number;
  epochs: number;
  trainingMultiplyAdds: number;
  evaluationMultiplyAdds: number;
  points: number;
  dataBytes: number;
  checkpointBytes: number;
  /** Of which the recorded history (points and epochs travel in the checkpoint). */
  checkpointHistoryBytes: number;
  weightsArtifactBytes: number;
}

/** Bytes per parameter written as JSON text in weights.json (a float32 prints as ~10-20 characters). */
const JSON_BYTES_PER_PARAMETER = 22;
/** Bytes a stored evaluation point takes inside a checkpoint's history. */
const CHECKPOINT_BYTES_PER_POINT = 120;

function splitSizes(spec: ExperimentSpec): { train: number; validation: number; test: number; held: number } {
  const d = spec.data;
  if (d.dataset === 'synthetic') return { train: trainingSampleCount(spec), validation: d.validationSize, test: d.testSize, held: d.trainSize + d.validationSize + d.testSize };
  const holdout = resolvedHoldout(spec);
  const validation = holdout > 0 ? holdout : (d.validation?.length ?? 0) * CIFAR10_BATCH_SIZE;
  const test = d.test.length * CIFAR10_BATCH_SIZE;
  return { train: trainingSampleCount(spec), validation, test, held: (d.train.length + (d.validation?.length ?? 0)) * CIFAR10_BATCH_SIZE + test };
}

export function estimateWork(spec: ExperimentSpec): WorkEstimate {
  const params = parameterCount(spec);
  const updates = totalUpdates(spec);
  const epochs = totalEpochs(spec);
  const n = splitSizes(spec);
  const t = spec.training;
  const perEpochEval = t.evalsPerEpoch * (Math.min(t.evalSamples, n.train) + Math.min(t.evalSamples, n.validation)) + n.train + n.validation;
  const stateBytes = params * (spec.precision === 'float64' ? 8 : 4) * (t.momentum > 0 ? 2 : 1);
  const points = epochs * (t.evalsPerEpoch + 1);
  return {
    updates,
    epochs,
    trainingMultiplyAdds: 3 * updates * t.batchSize * params,
    evaluationMultiplyAdds: (epochs * perEpochEval + n.test) * params,
    points,
    dataBytes: n.held * featureCount(spec),
    checkpointBytes: stateBytes + points * CHECKPOINT_BYTES_PER_POINT + classCount(spec) * 64,
    checkpointHistoryBytes: points * CHECKPOINT_BYTES_PER_POINT,
    weightsArtifactBytes: params * JSON_BYTES_PER_PARAMETER,
  };
}

const fmt = (x: number) => (x >= 1e6 ? x.toExponential(2) : String(Math.round(x)));
const over = (value: number, limit: number) => `${(value / limit).toFixed(value / limit < 10 ? 1 : 0)}x the limit`;

/** Every bound the spec exceeds: the field to change, the estimate, the limit and how far over it is. */
export function workProblems(spec: ExperimentSpec): { path: string; message: string }[] {
  const w = estimateWork(spec);
  const L = WORK_LIMITS;
  const out: { path: string; message: string }[] = [];
  const schedule = 'training.schedule';
  if (w.updates > L.maxUpdates) out.push({ path: schedule, message: `the schedule makes ${fmt(w.updates)} updates, ${over(w.updates, L.maxUpdates)} of ${fmt(L.maxUpdates)}: use fewer epochs, cycles or a smaller stepSize` });
  if (w.epochs > L.maxEpochs) out.push({ path: schedule, message: `the schedule runs ${fmt(w.epochs)} epochs, ${over(w.epochs, L.maxEpochs)} of ${fmt(L.maxEpochs)}` });
  const macs = w.trainingMultiplyAdds + w.evaluationMultiplyAdds;
  if (macs > L.maxMultiplyAdds) {
    out.push({
      path: w.evaluationMultiplyAdds > w.trainingMultiplyAdds ? 'training.evalsPerEpoch' : schedule,
      message: `this run would do ${fmt(macs)} multiply-adds (training ${fmt(w.trainingMultiplyAdds)}, evaluation ${fmt(w.evaluationMultiplyAdds)}), ${over(macs, L.maxMultiplyAdds)} of ${L.maxMultiplyAdds.toExponential(0)}: train fewer updates, evaluate less often (evalsPerEpoch, evalSamples) or use a smaller network`,
    });
  }
  if (w.points > L.maxPoints) out.push({ path: 'training.evalsPerEpoch', message: `the run would store ${fmt(w.points)} evaluation points, ${over(w.points, L.maxPoints)} of ${fmt(L.maxPoints)}: evaluate less often` });
  if (w.dataBytes > L.maxDataBytes) out.push({ path: 'data', message: `the data would take ${(w.dataBytes / 1e9).toFixed(1)} GB in memory, ${over(w.dataBytes, L.maxDataBytes)} of ${L.maxDataBytes / 1e9} GB: use fewer samples or features` });
  if (w.checkpointBytes > L.maxCheckpointBytes) {
    const history = w.checkpointHistoryBytes > w.checkpointBytes / 2;
    out.push({
      path: history ? 'training.evalsPerEpoch' : 'model.hidden',
      message: `the run's checkpoint would be ${(w.checkpointBytes / 1e6).toFixed(0)} MB (${history ? 'mostly its recorded history of points' : 'mostly the network'}), ${over(w.checkpointBytes, L.maxCheckpointBytes)} of ${L.maxCheckpointBytes / 1e6} MB: ${history ? 'evaluate less often or train fewer epochs' : 'use fewer or narrower hidden layers'}`,
    });
  }
  if (w.weightsArtifactBytes > L.maxWeightsArtifactBytes) out.push({ path: 'model.hidden', message: `the network has ${fmt(parameterCount(spec))} parameters; its weights.json would be ${(w.weightsArtifactBytes / 1e6).toFixed(0)} MB, ${over(w.weightsArtifactBytes, L.maxWeightsArtifactBytes)} of ${L.maxWeightsArtifactBytes / 1e6} MB` });
  return out;
}
