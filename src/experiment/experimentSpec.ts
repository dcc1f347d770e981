// The experiment spec: the one schema shared by the CLI, the API, the worker and searches.
// Field names are a public contract (openapi.yaml, docs, users' files): add, never rename.
import { z } from 'zod';
import { workProblems } from './workBounds.js';

export const CIFAR10_BATCHES = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'] as const;
export const CIFAR10_BATCH_SIZE = 10_000;

/** Bounds that keep one spec from tying up a worker for days. */
export const LIMITS = {
  maxHiddenLayers: 32,
  maxWidth: 4096,
  maxEpochs: 1000,
  maxCycles: 200,
  maxStepSize: 1_000_000,
  maxBatchSize: 50_000,
  maxSyntheticSamples: 200_000,
  maxSyntheticFeatures: 3072 * 4,
  maxSyntheticClasses: 256,
} as const;

const batchName = z.enum(CIFAR10_BATCHES);

const cifar10Data = z.strictObject({
  dataset: z.literal('cifar10'),
  train: z.array(batchName).min(1).max(5).default(['data_batch_1']),
  validation: z.array(batchName).max(5).optional(),
  holdout: z.int().min(0).max(45_000).optional(),
  test: z.array(batchName).min(1).max(6).default(['test_batch']),
  subset: z.int().min(1).max(50_000).optional().describe('use only the first N training images'),
});

const syntheticData = z.strictObject({
  dataset: z.literal('synthetic'),
  trainSize: z.int().min(2).max(LIMITS.maxSyntheticSamples).default(10_000),
  validationSize: z.int().min(1).max(LIMITS.maxSyntheticSamples).default(1_000),
  testSize: z.int().min(1).max(LIMITS.maxSyntheticSamples).default(1_000),
  features: z.int().min(1).max(LIMITS.maxSyntheticFeatures).default(3072),
  classes: z.int().min(2).max(LIMITS.maxSyntheticClasses).default(10),
  holdout: z.int().min(0).max(0).optional().describe('synthetic data has its own validation split'),
  subset: z.int().min(1).max(LIMITS.maxSyntheticSamples).optional(),
  /** How far apart the class means are; smaller is harder. */
  separation: z.number().min(0).max(100).default(1),
});

const activation = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('relu') }),
  z.strictObject({ kind: z.literal('leakyRelu'), alpha: z.number().min(0).max(1).default(0.01) }),
  z.strictObject({ kind: z.literal('elu'), alpha: z.number().gt(0).max(10).default(0.01) }),
]);

const init = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('he') }),
  z.strictObject({ kind: z.literal('xavier') }),
  z.strictObject({ kind: z.literal('normal'), sigma: z.number().gt(0).max(10) }),
]);

const positiveRate = z.number().gt(0).max(10);

const schedule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), eta: positiveRate, epochs: z.int().min(1).max(LIMITS.maxEpochs) }),
  z.strictObject({
    kind: z.literal('stepDecay'),
    eta: positiveRate,
    decay: z.number().gt(0).max(1).default(0.95),
    epochs: z.int().min(1).max(LIMITS.maxEpochs),
  }),
  z.strictObject({
    kind: z.literal('cyclical'),
    etaMin: z.number().min(0).max(10),
    etaMax: positiveRate,
    stepSize: z.int().min(1).max(LIMITS.maxStepSize),
    cycles: z.int().min(1).max(LIMITS.maxCycles),
  }),
]);

const model = z.strictObject({
  hidden: z.array(z.int().min(1).max(LIMITS.maxWidth)).max(LIMITS.maxHiddenLayers).default([50]),
  batchNorm: z.enum(['none', 'before', 'after']).default('none'),
  /** Weight of the old value in the running mean/variance used at evaluation (the reports' a). */
  batchNormMomentum: z.number().min(0).max(1).default(0.9),
  activation: activation.prefault({ kind: 'relu' }),
  init: init.prefault({ kind: 'he' }),
});

const training = z.strictObject({
  batchSize: z.int().min(1).max(LIMITS.maxBatchSize).default(100),
  lambda: z.number().min(0).max(100).default(0),
  schedule: schedule.prefault({ kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 800, cycles: 3 }),
  momentum: z.number().min(0).lt(1).default(0),
  augment: z
    .strictObject({
      /** Gaussian noise with std = noise * the batch's std. */
      noise: z.number().min(0).max(10).default(0),
      flip: z.boolean().default(false),
    })
    .prefault({}),
  evalsPerEpoch: z.int().min(0).max(100).default(10),
  /** Intermediate evaluation points use at most this many samples of each split (epoch ends use all). */
  evalSamples: z.int().min(100).max(1_000_000).default(2000),
});

export const experimentSpecSchema = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    data: z.discriminatedUnion('dataset', [cifar10Data, syntheticData]).prefault({ dataset: 'cifar10' }),
    model: model.prefault({}),
    training: training.prefault({}),
    /**
     * float32 (default) or float64 throughout; bfloat16 (opt-in, faster on CPUs with AVX512-BF16):
     * the first layer's forward (training and evaluation) and weight-gradient products on
     * bf16-rounded operands with float32 sums; weights and every other product stay float32.
     */
    precision: z
      .enum(['float32', 'float64', 'bfloat16'])
      .default('float32')
      .describe('float32 or float64 throughout; bfloat16 (opt-in): the first layer\'s two products (forward, weight gradient) on bf16-rounded operands with float32 sums, weights and every other product in float32'),
    seed: z.int().min(0).max(2 ** 32 - 1).default(1),
    /** Seed of batch order, augmentation and evaluation subsets; defaults to seed. Trials that share it can train fused. */
    dataSeed: z.int().min(0).max(2 ** 32 - 1).optional(),
  })
  .superRefine((spec, ctx) => {
    const d = spec.data;
    if (d.dataset === 'cifar10') {
      if (d.validation && d.validation.length > 0 && d.holdout !== undefined && d.holdout > 0) {
        ctx.addIssue({ code: 'custom', path: ['data', 'holdout'], message: 'give either validation batches or a holdout size, not both' });
      }
      const overlap = d.train.filter((b) => d.validation?.includes(b) || d.test.includes(b));
      if (overlap.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['data', 'train'], message: `batches ${overlap.join(', ')} are also used for validation or test` });
      }
    }
    const n = trainingSampleCount(spec as ExperimentSpec);
    if (n < 1) {
      ctx.addIssue({ code: 'custom', path: ['data', 'holdout'], message: 'holdout leaves no training samples; lower it' });
      return;
    }
    if (spec.training.batchSize > n) {
      ctx.addIssue({ code: 'custom', path: ['training', 'batchSize'], message: `batch size ${spec.training.batchSize} exceeds the ${n} training samples` });
    }
  })
  // The work a run would do is priced only from a spec that is otherwise valid: a batch size of 0
  // would be reported as Infinity updates beside the problem that says what to fix.
  .superRefine(
    (spec, ctx) => {
      for (const p of workProblems(spec as ExperimentSpec)) ctx.addIssue({ code: 'custom', path: p.path.split('.'), message: p.message });
    },
    { when: (payload) => payload.issues.length === 0 },
  );

export type ExperimentSpecInput = z.input<typeof experimentSpecSchema>;
export type ExperimentSpec = z.output<typeof experimentSpecSchema>;
export type DataSpec = ExperimentSpec['data'];
export type ModelSpec = ExperimentSpec['model'];
export type TrainingSpec = ExperimentSpec['training'];
export type ScheduleSpec = TrainingSpec['schedule'];
export type ActivationSpec = ModelSpec['activation'];
export type InitSpec = ModelSpec['init'];

export type SpecProblem = { path: string; message: string };

export type SpecResult = { ok: true; spec: ExperimentSpec } | { ok: false; problems: SpecProblem[] };

/** Validates and fills defaults; reports every problem at once, each with its dotted path. */
export function parseSpec(input: unknown): SpecResult {
  const r = experimentSpecSchema.safeParse(input);
  if (r.success) return { ok: true, spec: r.data };
  return { ok: false, problems: formatIssues(r.error.issues) };
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): SpecProblem[] {
  return issues.map((i) => {
    const path = i.path.map(String).join('.') || '(root)';
    if (i.code === 'unrecognized_keys') {
      return { path, message: `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}` };
    }
    return { path, message: i.message };
  });
}

/** Samples the model is trained on, after holdout and subset. */
export function trainingSampleCount(spec: ExperimentSpec): number {
  const d = spec.data;
  const full = d.dataset === 'cifar10' ? d.train.length * CIFAR10_BATCH_SIZE : d.trainSize;
  const held = d.dataset === 'cifar10' ? resolvedHoldout(spec) : 0;
  const n = full - held;
  return d.subset !== undefined ? Math.min(d.subset, n) : n;
}

/** Validation taken from the training batches when no validation batches are named. */
export function resolvedHoldout(spec: ExperimentSpec): number {
  const d = spec.data;
  if (d.dataset !== 'cifar10') return 0;
  if (d.holdout !== undefined) return d.holdout;
  return d.validation && d.validation.length > 0 ? 0 : Math.min(5000, Math.floor((d.train.length * CIFAR10_BATCH_SIZE) / 10));
}

export function featureCount(spec: ExperimentSpec): number {
  return spec.data.dataset === 'cifar10' ? 3072 : spec.data.features;
}

export function classCount(spec: ExperimentSpec): number {
  return spec.data.dataset === 'cifar10' ? 10 : spec.data.classes;
}

/** Layer sizes from input to output, e.g. [3072, 50, 10]. */
export function layerSizes(spec: ExperimentSpec): number[] {
  return [featureCount(spec), ...spec.model.hidden, classCount(spec)];
}

export function parameterCount(spec: ExperimentSpec): number {
  const s = layerSizes(spec);
  let n = 0;
  for (let l = 0; l + 1 < s.length; l++) n += s[l] * s[l + 1] + s[l + 1];
  return n;
}

/** Full batches per epoch; the remainder of a shuffled epoch is left out (a fixed batch size keeps buffers fixed). */
export function stepsPerEpoch(spec: ExperimentSpec): number {
  return Math.floor(trainingSampleCount(spec) / spec.training.batchSize);
}

/** Number of parameter updates the schedule asks for. */
export function totalUpdates(spec: ExperimentSpec): number {
  const s = spec.training.schedule;
  if (s.kind === 'cyclical') return 2 * s.stepSize * s.cycles;
  return s.epochs * stepsPerEpoch(spec);
}

export function totalEpochs(spec: ExperimentSpec): number {
  return Math.ceil(totalUpdates(spec) / stepsPerEpoch(spec));
}
