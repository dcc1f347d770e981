// Mini-batch gradient descent for one network or a fused group of trials that share data, batch
// order and schedule shape (and differ in lambda, learning rates, momentum or init). Runs as a
// generator so callers can report progress, checkpoint or stop between any two updates.
import type { DatasetSplits } from '../data/dataset.js';
import { trainingSetNormalisation } from '../data/normalisation.js';
import { allocate, allocator, type Kernels, type Precision, type Vec } from '../kernels/kernels.js';
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
  type NetworkShape,
  type ParameterTensor,
  type Workspace,
} from '../network/network.js';
import { createRng, loadRng, nextInt, saveRng, shuffle, type Rng } from '../random.js';
import { layerSizes, stepsPerEpoch, totalEpochs, totalUpdates, type ExperimentSpec } from '../../experiment/experimentSpec.js';
import { augmentBatch, createAugmentation, createBatch, fillBatch, type Normaliser } from './batchSource.js';
import { decodeCheckpoint, encodeCheckpoint, type StoredArray } from './checkpointFormat.js';
import { allRows, createEvaluator, evaluate } from './evaluate.js';
import { createFusedFirstLayer, fusedAffine, trialStorage, type FusedFirstLayer } from './fusedFirstLayer.js';
import { learningRate } from './learningRate.js';
import type { EpochSummary, EvalPoint, SplitMetrics, TrainingEvent, TrainingResult } from './metrics.js';

/** Batch-norm epsilon: small, because with sigma = 1e-4 inits the variances of S are ~1e-7. */
export const BN_EPS = 1e-8;

export type GroupEvent =
  | { kind: 'step'; step: number; epoch: number; lrs: number[] }
  | { kind: 'eval'; trial: number; point: EvalPoint }
  | { kind: 'epoch'; trial: number; summary: EpochSummary };

export interface TrainingGroup {
  readonly specs: ExperimentSpec[];
  readonly kernels: Kernels;
  readonly networks: Network[];
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly totalEpochs: number;
  /** Updates done so far (the same for every trial). */
  stepsDone(): number;
  /** Runs to the end, yielding after every update; returns each trial's final result. */
  run(): Generator<GroupEvent, TrainingResult[], void>;
  /** Trial t's whole state, resumable alone (createTraining) or in a group. */
  checkpoint(trial: number): Uint8Array;
  history(trial: number): { points: EvalPoint[]; epochs: EpochSummary[] };
  /** Every trial's metrics on the whole validation set now (for pruning decisions between steps). */
  validationMetrics(): SplitMetrics[];
  /** Whether every event of the last step has been handed out: a safe point to stop or regroup. */
  atStepBoundary(): boolean;
}

export interface TrainingGroupOptions {
  specs: ExperimentSpec[];
  data: DatasetSplits;
  kernels: Kernels;
  /** One checkpoint per trial, all taken at the same step, to resume from. */
  resumeFrom?: Uint8Array[];
}

interface Trial {
  spec: ExperimentSpec;
  net: Network;
  params: ParameterTensor[];
  velocity: Vec[] | null;
  ws: Workspace;
  points: EvalPoint[];
  epochs: EpochSummary[];
}

/** The data stream every trial of a group shares. */
interface Stream {
  step: number;
  order: Int32Array;
  shuffleRng: Rng;
  augRng: Rng;
  epochTrainSeconds: number;
  /**
   * Events of the current step computed but not yet handed out. A checkpoint taken between two
   * of them keeps the rest, so the consumer still receives (and stores) them after a resume.
   */
  pending: GroupEvent[];
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
  pending: TrainingEvent[];
}

/** Trials with equal keys can train fused: everything but seed, lambda, momentum, rates and init may differ. */
export function fusionKey(spec: ExperimentSpec): string {
  const { name: _n, seed: _s, dataSeed, training, model, ...rest } = spec;
  const { lambda: _l, momentum: _m, schedule, ...trainingRest } = training;
  const { init: _i, ...modelRest } = model;
  const shape =
    schedule.kind === 'cyclical' ? { kind: schedule.kind, stepSize: schedule.stepSize, cycles: schedule.cycles } : { kind: schedule.kind, epochs: schedule.epochs };
  return JSON.stringify({ ...rest, dataSeed: dataSeed ?? spec.seed, model: modelRest, training: { ...trainingRest, schedule: shape } });
}

export function dataSeedOf(spec: ExperimentSpec): number {
  return spec.dataSeed ?? spec.seed;
}

export function networkShape(spec: ExperimentSpec, sizes: number[]): NetworkShape {
  const act = spec.model.activation;
  return {
    sizes,
    batchNorm: spec.model.batchNorm,
    activation: activationCode(act.kind),
    alpha: 'alpha' in act ? act.alpha : 0,
    bnEps: BN_EPS,
    bnMomentum: spec.model.batchNormMomentum,
    // bfloat16 is a product precision: weights, activations and sums stay float32.
    precision: spec.precision === 'float64' ? 'float64' : 'float32',
    bf16FirstLayer: spec.precision === 'bfloat16',
  };
}

export function createTrainingGroup({ specs, data, kernels: k, resumeFrom }: TrainingGroupOptions): TrainingGroup {
  if (specs.length === 0) throw new Error('a training group needs at least one spec');
  const key = fusionKey(specs[0]);
  specs.forEach((s, t) => {
    if (fusionKey(s) !== key) throw new Error(`trial ${t} differs from trial 0 in more than seed, lambda, momentum, learning rates or init; it cannot train in the same group`);
  });
  const spec0 = specs[0];
  const sizes = layerSizes(spec0);
  const d = sizes[0];
  if (data.train.d !== d) throw new Error(`data has ${data.train.d} features but the spec's network expects ${d}`);
  const T = specs.length;
  const spe = stepsPerEpoch(spec0);
  const total = totalUpdates(spec0);
  const B = spec0.training.batchSize;
  const shape = networkShape(spec0, sizes);
  const precision: Precision = shape.precision;
  const firstHasBias = !(sizes.length > 2 && spec0.model.batchNorm === 'before');
  // The first layer's weights and the batches are the operands of the two large products: placed
  // the way the kernels read them fastest (k.allocate). A lone trial's layer 1 is a group of one.
  const alloc = allocator(k);
  const fused: FusedFirstLayer | null = T > 1 ? createFusedFirstLayer(precision, T, sizes[1], d, firstHasBias, alloc, shape.bf16FirstLayer) : null;
  const single = T === 1 && sizes.length > 1 ? createFusedFirstLayer(precision, 1, sizes[1], d, firstHasBias, alloc, shape.bf16FirstLayer) : null;

  const trials: Trial[] = specs.map((spec, t) => {
    const firstLayer = fused ? trialStorage(fused, t) : single ? trialStorage(single, 0) : undefined;
    const net = createNetwork(shape, spec.model.init, createRng(spec.seed, 1), firstLayer);
    const params = parameterTensors(net);
    return {
      spec,
      net,
      params,
      velocity: spec.training.momentum > 0 ? params.map((p) => allocate(precision, p.value.length)) : null,
      ws: createWorkspace(net, B),
      points: [],
      epochs: [],
    };
  });
  const nets = trials.map((tr) => tr.net);
  const workspaces = trials.map((tr) => tr.ws);
  const S = fused ? allocate(precision, B * T * fused.n1) : null;

  const dataSeed = dataSeedOf(spec0);
  const norm = toNormaliser(data, precision);
  const batch = createBatch(precision, B, d, alloc);
  const ev = createEvaluator(nets, d, fused, k);
  const aug = createAugmentation(spec0.training.augment.noise, spec0.training.augment.flip, data.imageShape, dataSeed);
  const evalRows = {
    trainAll: allRows(data.train.n),
    validationAll: allRows(data.validation.n),
    testAll: allRows(data.test.n),
    trainSubset: subsetRows(data.train.n, spec0.training.evalSamples, createRng(dataSeed, 3)),
    validationSubset: subsetRows(data.validation.n, spec0.training.evalSamples, createRng(dataSeed, 4)),
  };
  const evalsPerEpoch = spec0.training.evalsPerEpoch;
  const pointSteps = evalPointSteps(spe, evalsPerEpoch);
  const identities = specs.map((s) => checkpointIdentity(s, data));
  const st: Stream = { step: 0, order: allRows(data.train.n), shuffleRng: createRng(dataSeed, 2), augRng: createRng(dataSeed, 5), epochTrainSeconds: 0, pending: [] };
  if (resumeFrom) {
    if (resumeFrom.length !== T) throw new Error(`resuming a group of ${T} trials needs ${T} checkpoints, got ${resumeFrom.length}`);
    const pending = resumeFrom.map((buf, t) => restore(buf, identities[t], trials[t], st, t === 0));
    st.pending = mergePending(pending);
  }

  const penalties = () => trials.map((tr) => l2Penalty(k, tr.net, tr.spec.training.lambda));
  const measure = (full: boolean): { train: SplitMetrics; validation: SplitMetrics }[] => {
    const p = penalties();
    const train = evaluate(k, ev, data.train, norm, full ? evalRows.trainAll : evalRows.trainSubset, p);
    const validation = evaluate(k, ev, data.validation, norm, full ? evalRows.validationAll : evalRows.validationSubset, p);
    return trials.map((_, t) => ({ train: train[t], validation: validation[t] }));
  };
  const lrsAt = (t: number) => trials.map((tr) => learningRate(tr.spec.training.schedule, t, spe));

  function step(start: number, lrs: number[]): void {
    fillBatch(k, data.train, norm, st.order, start, B, batch);
    if (aug.flip || aug.noiseTable) augmentBatch(aug, data.train, norm, batch, B, st.augRng);
    if (fused) fusedAffine(k, fused, batch.X, B, S!, workspaces);
    // Every trial's weight gradient takes this batch: in bfloat16 it is converted once for all.
    const hold = shape.bf16FirstLayer && T > 1 && k.holdOperands;
    if (hold) k.holdOperands!(true);
    try {
      trials.forEach((tr, t) => {
        const { lambda } = tr.spec.training;
        forward(k, tr.net, tr.ws, batch.X, B, 'train', fused !== null);
        outputLoss(k, tr.net, tr.ws, batch.labels, B, true);
        // Without momentum the weight matrices are updated inside their gradient products (a fused
        // trial's first layer too: its rows of the stacked matrix, after the group's forward product).
        backward(k, tr.net, tr.ws, batch.X, B, false, tr.velocity ? null : { lr: lrs[t], l2: 2 * lambda });
      });
    } finally {
      if (hold) k.holdOperands!(false);
    }
    trials.forEach((tr, t) => {
      const { lambda, momentum } = tr.spec.training;
      for (let i = 0; i < tr.params.length; i++) {
        const p = tr.params[i];
        if (!tr.velocity && p.regularised) continue;
        k.sgdStep(p.value.length, p.value, p.grad, tr.velocity ? tr.velocity[i] : null, lrs[t], momentum, p.regularised ? 2 * lambda : 0);
      }
    });
  }

  function* drain(): Generator<GroupEvent, void, void> {
    while (st.pending.length > 0) yield st.pending.shift()!;
  }

  function* run(): Generator<GroupEvent, TrainingResult[], void> {
    yield* drain();
    if (st.step === 0 && trials[0].points.length === 0 && evalsPerEpoch > 0) {
      const m = measure(false);
      const lrs = lrsAt(0);
      for (let t = 0; t < T; t++) {
        const point: EvalPoint = { step: 0, epoch: 0, lr: lrs[t], full: false, ...m[t] };
        trials[t].points.push(point);
        st.pending.push({ kind: 'eval', trial: t, point });
      }
      yield* drain();
    }
    while (st.step < total) {
      const t0 = st.step;
      const lrs = lrsAt(t0);
      const started = performance.now();
      if (t0 % spe === 0) shuffle(st.shuffleRng, st.order);
      step((t0 % spe) * B, lrs);
      st.epochTrainSeconds += (performance.now() - started) / 1000;
      st.step = t0 + 1;
      const epoch = st.step / spe;
      // Everything this step records is computed and kept before its first event is handed out.
      st.pending.push({ kind: 'step', step: st.step, epoch, lrs });
      const epochEnd = st.step % spe === 0 || st.step === total;
      if (epochEnd || pointSteps.has(st.step % spe)) {
        const m = measure(epochEnd);
        const seconds = st.epochTrainSeconds;
        if (epochEnd) st.epochTrainSeconds = 0;
        for (let t = 0; t < T; t++) {
          const point: EvalPoint = { step: st.step, epoch, lr: lrs[t], full: epochEnd, ...m[t] };
          if (evalsPerEpoch > 0 || !epochEnd) {
            trials[t].points.push(point);
            st.pending.push({ kind: 'eval', trial: t, point });
          }
          if (epochEnd) {
            const summary: EpochSummary = { epoch: Math.ceil(epoch), step: st.step, lr: lrs[t], trainSeconds: seconds, ...m[t] };
            trials[t].epochs.push(summary);
            st.pending.push({ kind: 'epoch', trial: t, summary });
          }
        }
      }
      yield* drain();
    }
    const p = penalties();
    const test = evaluate(k, ev, data.test, norm, evalRows.testAll, p);
    const needsFinal = trials[0].epochs.length === 0;
    const finalMetrics = needsFinal ? measure(true) : null;
    return trials.map((tr, t) => {
      const last = tr.epochs[tr.epochs.length - 1];
      return {
        steps: st.step,
        epochs: tr.epochs,
        points: tr.points,
        train: last ? last.train : finalMetrics![t].train,
        validation: last ? last.validation : finalMetrics![t].validation,
        test: test[t],
        trainSeconds: tr.epochs.reduce((s, e) => s + e.trainSeconds, 0),
      };
    });
  }

  return {
    specs,
    kernels: k,
    networks: nets,
    stepsPerEpoch: spe,
    totalSteps: total,
    totalEpochs: totalEpochs(spec0),
    stepsDone: () => st.step,
    run,
    checkpoint: (t) => save(identities[t], trials[t], t, st),
    history: (t) => ({ points: trials[t].points, epochs: trials[t].epochs }),
    validationMetrics: () => evaluate(k, ev, data.validation, norm, evalRows.validationAll, penalties()),
    atStepBoundary: () => st.pending.length === 0,
  };
}

function toNormaliser(data: DatasetSplits, precision: Precision): Normaliser {
  const bytes = trainingSetNormalisation(data.train);
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

/** What must match for a checkpoint to resume a trial: everything but the name. */
function checkpointIdentity(spec: ExperimentSpec, data: DatasetSplits): string {
  const { name: _name, ...rest } = spec;
  return JSON.stringify({ spec: { ...rest, dataSeed: dataSeedOf(spec) }, n: [data.train.n, data.validation.n, data.test.n], d: data.train.d });
}

function save(identity: string, tr: Trial, trial: number, st: Stream): Uint8Array {
  const header: CheckpointHeader = {
    identity,
    step: st.step,
    shuffleRng: saveRng(st.shuffleRng),
    augRng: saveRng(st.augRng),
    bnInitialised: tr.net.layers.map((l) => l.norm?.initialised ?? false),
    points: tr.points,
    epochs: tr.epochs,
    epochTrainSeconds: st.epochTrainSeconds,
    pending: st.pending.flatMap((e): TrainingEvent[] => {
      if (e.kind === 'step') return [{ kind: 'step', step: e.step, epoch: e.epoch, lr: e.lrs[trial] }];
      if (e.trial !== trial) return [];
      return e.kind === 'eval' ? [{ kind: 'eval', point: e.point }] : [{ kind: 'epoch', summary: e.summary }];
    }),
  };
  const arrays: { name: string; value: StoredArray }[] = [
    ...tr.params.map((p) => ({ name: p.name, value: p.value })),
    ...runningTensors(tr.net),
    ...(tr.velocity ?? []).map((v, i) => ({ name: `velocity:${tr.params[i].name}`, value: v })),
    { name: 'order', value: st.order },
  ];
  return encodeCheckpoint(header, arrays);
}

/** Trial t's not-yet-handed-out events, and the step's shared event once, back in group order. */
function mergePending(perTrial: TrainingEvent[][]): GroupEvent[] {
  const out: GroupEvent[] = [];
  const steps = perTrial.map((events) => events.find((e) => e.kind === 'step'));
  const first = steps[0];
  if (first && first.kind === 'step') out.push({ kind: 'step', step: first.step, epoch: first.epoch, lrs: steps.map((e) => (e && e.kind === 'step' ? e.lr : NaN)) });
  perTrial.forEach((events, trial) => {
    for (const e of events) {
      if (e.kind === 'eval') out.push({ kind: 'eval', trial, point: e.point });
      else if (e.kind === 'epoch') out.push({ kind: 'epoch', trial, summary: e.summary });
    }
  });
  return out;
}

/** Restores trial state (and the shared stream from the first checkpoint); returns its pending events. */
function restore(buf: Uint8Array, identity: string, tr: Trial, st: Stream, restoreStream: boolean): TrainingEvent[] {
  const { header, arrays } = decodeCheckpoint<CheckpointHeader>(buf);
  if (header.identity !== identity) throw new Error('checkpoint was written for a different spec or dataset; it cannot resume this one');
  if (!restoreStream && header.step !== st.step) throw new Error(`checkpoints of one group must be taken at the same step (${header.step} vs ${st.step})`);
  const put = (name: string, target: Vec | Int32Array) => {
    const a = arrays.get(name);
    if (!a || a.length !== target.length) throw new Error(`checkpoint is missing array ${name} or has the wrong size`);
    target.set(a);
  };
  tr.params.forEach((p) => put(p.name, p.value));
  runningTensors(tr.net).forEach((r) => put(r.name, r.value));
  tr.velocity?.forEach((v, i) => put(`velocity:${tr.params[i].name}`, v));
  tr.net.layers.forEach((l, i) => {
    if (l.norm) l.norm.initialised = header.bnInitialised[i];
  });
  tr.points = header.points;
  tr.epochs = header.epochs;
  if (restoreStream) {
    put('order', st.order);
    st.step = header.step;
    st.shuffleRng = loadRng(header.shuffleRng);
    st.augRng = loadRng(header.augRng);
    st.epochTrainSeconds = header.epochTrainSeconds;
  }
  return header.pending ?? [];
}


