// Mini-batch gradient descent over a network, as a generator of events so that callers (CLI,
// worker, search) can report progress, checkpoint, or stop between any two updates.
import type { DatasetSplits } from '../data/dataset.js';
import { byteScaleNormalisation, computeNormalisation } from '../data/normalisation.js';
import { allocate, type Kernels, type Vec } from '../kernels/kernels.js';
import {
  activationCode,
  backward,
  createNetwork,
  createWorkspace,
  forward,
  l2Penalty,
  outputLoss,
  parameterTensors,
  runningTensors,
  type Network,
  type ParameterTensor,
  type Workspace,
} from '../network/network.js';
import { createRng, loadRng, nextInt, saveRng, shuffle, type Rng } from '../random.js';
import { layerSizes, stepsPerEpoch, totalEpochs, totalUpdates, type ExperimentSpec } from '../../spec/experimentSpec.js';
import { augmentBatch, createAugmentation, createBatch, fillBatch, type Augmentation, type Batch, type Normaliser } from './batchSource.js';
import { decodeCheckpoint, encodeCheckpoint, type StoredArray } from './checkpointFormat.js';
import { allRows, createEvaluator, evaluate, type Evaluator } from './evaluate.js';
import { learningRate } from './learningRate.js';
import type { EpochSummary, EvalPoint, SplitMetrics, TrainingEvent, TrainingResult } from './metrics.js';

/** Batch-norm epsilon: small, because with sigma = 1e-4 inits the variances of S are ~1e-7. */
export const BN_EPS = 1e-8;

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

interface State {
  step: number;
  order: Int32Array;
  shuffleRng: Rng;
  augRng: Rng;
  velocity: Vec[] | null;
  points: EvalPoint[];
  epochs: EpochSummary[];
  epochTrainSeconds: number;
}

interface CheckpointHeader {
  identity: string;
  step: number;
  shuffleRng: number[];
  augRng: number[];
  bnInitialised: boolean[];
  points: EvalPoint[];
  epochs: EpochSummary[];
  epochTrainSeconds: number;
}

export interface TrainingOptions {
  spec: ExperimentSpec;
  data: DatasetSplits;
  kernels: Kernels;
  /** A checkpoint from Training.checkpoint() of the same spec and data, to resume from. */
  resumeFrom?: Uint8Array;
}

export function createTraining({ spec, data, kernels: k, resumeFrom }: TrainingOptions): Training {
  const sizes = layerSizes(spec);
  if (data.train.d !== sizes[0]) throw new Error(`data has ${data.train.d} features but the spec's network expects ${sizes[0]}`);
  const spe = stepsPerEpoch(spec);
  const total = totalUpdates(spec);
  const B = spec.training.batchSize;
  const precision = spec.precision;
  const net = createNetwork(
    {
      sizes,
      batchNorm: spec.model.batchNorm,
      activation: activationCode(spec.model.activation.kind),
      alpha: 'alpha' in spec.model.activation ? spec.model.activation.alpha : 0,
      bnEps: BN_EPS,
      bnMomentum: spec.model.batchNormMomentum,
      precision,
    },
    spec.model.init,
    createRng(spec.seed, 1),
  );
  const params = parameterTensors(net);
  const norm = toNormaliser(data, precision);
  const ws = createWorkspace(net, B);
  const batch = createBatch(precision, B, data.train.d);
  const ev = createEvaluator(net, data.train.d);
  const aug = createAugmentation(spec.training.augment.noise, spec.training.augment.flip, data.imageShape, spec.seed);
  const evalRows = {
    trainAll: allRows(data.train.n),
    validationAll: allRows(data.validation.n),
    testAll: allRows(data.test.n),
    trainSubset: subsetRows(data.train.n, spec.training.evalSamples, createRng(spec.seed, 3)),
    validationSubset: subsetRows(data.validation.n, spec.training.evalSamples, createRng(spec.seed, 4)),
  };
  const pointSteps = evalPointSteps(spe, spec.training.evalsPerEpoch);
  const identity = checkpointIdentity(spec, data);

  const st: State = {
    step: 0,
    order: allRows(data.train.n),
    shuffleRng: createRng(spec.seed, 2),
    augRng: createRng(spec.seed, 5),
    velocity: spec.training.momentum > 0 ? params.map((p) => allocate(precision, p.value.length)) : null,
    points: [],
    epochs: [],
    epochTrainSeconds: 0,
  };
  if (resumeFrom) restore(resumeFrom, identity, net, params, st);

  const penalty = () => l2Penalty(k, net, spec.training.lambda);
  const measure = (full: boolean): { train: SplitMetrics; validation: SplitMetrics } => {
    const p = penalty();
    return {
      train: evaluate(k, net, ev, data.train, norm, full ? evalRows.trainAll : evalRows.trainSubset, p),
      validation: evaluate(k, net, ev, data.validation, norm, full ? evalRows.validationAll : evalRows.validationSubset, p),
    };
  };

  function* run(): Generator<TrainingEvent, TrainingResult, void> {
    if (st.step === 0 && st.points.length === 0 && spec.training.evalsPerEpoch > 0) {
      const point: EvalPoint = { step: 0, epoch: 0, lr: learningRate(spec.training.schedule, 0, spe), full: false, ...measure(false) };
      st.points.push(point);
      yield { kind: 'eval', point };
    }
    while (st.step < total) {
      const t = st.step;
      const j = t % spe;
      const lr = learningRate(spec.training.schedule, t, spe);
      const started = performance.now();
      if (j === 0) shuffle(st.shuffleRng, st.order);
      update(k, net, ws, params, batch, st, data, norm, aug, j * B, lr, spec.training.lambda, spec.training.momentum);
      st.epochTrainSeconds += (performance.now() - started) / 1000;
      st.step = t + 1;
      const epochFloat = st.step / spe;
      yield { kind: 'step', step: st.step, epoch: epochFloat, lr };
      const epochEnd = st.step % spe === 0 || st.step === total;
      if (epochEnd) {
        const metrics = measure(true);
        const point: EvalPoint = { step: st.step, epoch: epochFloat, lr, full: true, ...metrics };
        const summary: EpochSummary = { epoch: Math.ceil(epochFloat), step: st.step, lr, trainSeconds: st.epochTrainSeconds, ...metrics };
        st.epochTrainSeconds = 0;
        if (spec.training.evalsPerEpoch > 0) st.points.push(point);
        st.epochs.push(summary);
        if (spec.training.evalsPerEpoch > 0) yield { kind: 'eval', point };
        yield { kind: 'epoch', summary };
      } else if (pointSteps.has(st.step % spe)) {
        const point: EvalPoint = { step: st.step, epoch: epochFloat, lr, full: false, ...measure(false) };
        st.points.push(point);
        yield { kind: 'eval', point };
      }
    }
    return finalResult();
  }

  function finalResult(): TrainingResult {
    const last = st.epochs[st.epochs.length - 1];
    const p = penalty();
    return {
      steps: st.step,
      epochs: st.epochs,
      points: st.points,
      train: last ? last.train : evaluate(k, net, ev, data.train, norm, evalRows.trainAll, p),
      validation: last ? last.validation : evaluate(k, net, ev, data.validation, norm, evalRows.validationAll, p),
      test: evaluate(k, net, ev, data.test, norm, evalRows.testAll, p),
      trainSeconds: st.epochs.reduce((s, e) => s + e.trainSeconds, 0),
    };
  }

  return {
    spec,
    kernels: k,
    network: net,
    stepsPerEpoch: spe,
    totalSteps: total,
    totalEpochs: totalEpochs(spec),
    stepsDone: () => st.step,
    run,
    checkpoint: () => save(identity, net, params, st),
    history: () => ({ points: st.points, epochs: st.epochs }),
  };
}

/** One update: batch, forward, backward, SGD (with L2 decay 2 * lambda * W and optional momentum). */
function update(
  k: Kernels,
  net: Network,
  ws: Workspace,
  params: ParameterTensor[],
  batch: Batch,
  st: State,
  data: DatasetSplits,
  norm: Normaliser,
  aug: Augmentation,
  start: number,
  lr: number,
  lambda: number,
  momentum: number,
): void {
  const m = ws.m;
  fillBatch(k, data.train, norm, st.order, start, m, batch);
  if (aug.flip || aug.noiseTable) augmentBatch(aug, data.train, norm, batch, m, st.augRng);
  forward(k, net, ws, batch.X, m, 'train');
  outputLoss(k, net, ws, batch.labels, m, true);
  backward(k, net, ws, batch.X, m);
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    k.sgdStep(p.value.length, p.value, p.grad, st.velocity ? st.velocity[i] : null, lr, momentum, p.regularised ? 2 * lambda : 0);
  }
}

function toNormaliser(data: DatasetSplits, precision: 'float32' | 'float64'): Normaliser {
  const bytes = byteScaleNormalisation(computeNormalisation(data.train));
  const mean = allocate(precision, bytes.mean.length);
  const invStd = allocate(precision, bytes.invStd.length);
  mean.set(bytes.mean);
  invStd.set(bytes.invStd);
  return { mean, invStd };
}

/** A fixed random subset (sorted, for memory locality) used for the intermediate evaluation points. */
function subsetRows(n: number, limit: number, rng: Rng): Int32Array {
  if (n <= limit) return allRows(n);
  const all = allRows(n);
  for (let i = 0; i < limit; i++) {
    const j = i + nextInt(rng, n - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, limit).sort();
}

/** Positions within an epoch (1 .. spe-1) after which an intermediate point is measured. */
function evalPointSteps(spe: number, perEpoch: number): Set<number> {
  const s = new Set<number>();
  for (let i = 1; i < perEpoch; i++) {
    const at = Math.round((spe * i) / perEpoch);
    if (at > 0 && at < spe) s.add(at);
  }
  return s;
}

/** What must match for a checkpoint to resume this training: everything but the name. */
function checkpointIdentity(spec: ExperimentSpec, data: DatasetSplits): string {
  const { name: _name, ...rest } = spec;
  return JSON.stringify({ spec: rest, n: [data.train.n, data.validation.n, data.test.n], d: data.train.d });
}

function save(identity: string, net: Network, params: ParameterTensor[], st: State): Uint8Array {
  const header: CheckpointHeader = {
    identity,
    step: st.step,
    shuffleRng: saveRng(st.shuffleRng),
    augRng: saveRng(st.augRng),
    bnInitialised: net.layers.map((l) => l.norm?.initialised ?? false),
    points: st.points,
    epochs: st.epochs,
    epochTrainSeconds: st.epochTrainSeconds,
  };
  const arrays: { name: string; value: StoredArray }[] = [
    ...params.map((p) => ({ name: p.name, value: p.value })),
    ...runningTensors(net),
    ...(st.velocity ?? []).map((v, i) => ({ name: `velocity:${params[i].name}`, value: v })),
    { name: 'order', value: st.order },
  ];
  return encodeCheckpoint(header, arrays);
}

function restore(buf: Uint8Array, identity: string, net: Network, params: ParameterTensor[], st: State): void {
  const { header, arrays } = decodeCheckpoint<CheckpointHeader>(buf);
  if (header.identity !== identity) throw new Error('checkpoint was written for a different spec or dataset; it cannot resume this one');
  const put = (name: string, target: Vec | Int32Array) => {
    const a = arrays.get(name);
    if (!a || a.length !== target.length) throw new Error(`checkpoint is missing array ${name} or has the wrong size`);
    target.set(a);
  };
  params.forEach((p) => put(p.name, p.value));
  runningTensors(net).forEach((r) => put(r.name, r.value));
  st.velocity?.forEach((v, i) => put(`velocity:${params[i].name}`, v));
  put('order', st.order);
  net.layers.forEach((l, i) => {
    if (l.norm) l.norm.initialised = header.bnInitialised[i];
  });
  st.step = header.step;
  st.shuffleRng = loadRng(header.shuffleRng);
  st.augRng = loadRng(header.augRng);
  st.points = header.points;
  st.epochs = header.epochs;
  st.epochTrainSeconds = header.epochTrainSeconds;
}
