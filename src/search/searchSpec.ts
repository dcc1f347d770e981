// The search request: a base experiment spec, a space of parameters, a strategy, an objective,
// a budget and optional pruning. Shared by the API, the worker and `trainyard search`.
import { z } from 'zod';
import { experimentSpecSchema, formatIssues, parseSpec, type SpecProblem } from '../experiment/experimentSpec.js';
import { applyParameters, resolveParameterPath } from './parameters.js';
import { gridAxis, gridSize } from './sampling.js';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** One dimension of the space. logUniform bounds are base-10 exponents, as the reports write them. */
export const dimensionSchema = z.union([
  z.strictObject({ values: z.array(z.unknown()).min(1).max(1000) }),
  z.strictObject({ uniform: z.tuple([finite, finite]), points: z.int().min(1).max(1000).optional() }),
  z.strictObject({ logUniform: z.tuple([z.number().min(-30).max(30), z.number().min(-30).max(30)]), points: z.int().min(1).max(1000).optional() }),
  z.strictObject({ intRange: z.strictObject({ min: z.int(), max: z.int(), step: z.int().min(1).default(1) }) }),
]);
export type Dimension = z.output<typeof dimensionSchema>;

export const objectiveMetrics = ['validationAccuracy', 'validationLoss', 'validationCost', 'trainAccuracy', 'trainLoss'] as const;
export type ObjectiveMetric = (typeof objectiveMetrics)[number];

const strategySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('grid') }),
  z.strictObject({ kind: z.literal('random'), trials: z.int().min(1).max(10_000), seed: z.int().min(0).default(1) }),
  z.strictObject({
    kind: z.literal('coarseToFine'),
    /** Trials per stage. */
    trials: z.int().min(2).max(1000).default(10),
    stages: z.int().min(1).max(10).default(2),
    sampling: z.enum(['random', 'grid']).default('random'),
    seed: z.int().min(0).default(1),
    /** Retrain the winner with these parameter overrides (e.g. {"training.schedule.cycles": 3}). */
    finalRetrain: z.strictObject({ overrides: z.record(z.string(), z.unknown()).default({}) }).optional(),
  }),
]);

export const searchSpecSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  base: z.unknown(),
  space: z.record(z.string(), dimensionSchema).refine((s) => Object.keys(s).length > 0, 'the space needs at least one parameter'),
  strategy: strategySchema,
  objective: z
    .strictObject({
      metric: z.enum(objectiveMetrics).default('validationAccuracy'),
      direction: z.enum(['maximize', 'minimize']).optional(),
    })
    .prefault({}),
  budget: z
    .strictObject({
      maxTrials: z.int().min(1).max(10_000).default(200),
      maxParallel: z.int().min(1).max(256).default(32),
    })
    .prefault({}),
  pruning: z
    .strictObject({
      kind: z.literal('successiveHalving'),
      /** Keep the best 1/reduction of trials at each rung. */
      reduction: z.int().min(2).max(10).default(3),
    })
    .optional(),
  /** Train compatible trials fused (one stacked first-layer product per group). */
  fuse: z.boolean().default(true),
});

export type SearchSpecInput = z.input<typeof searchSpecSchema>;
export type SearchSpec = Omit<z.output<typeof searchSpecSchema>, 'base'> & { base: z.output<typeof experimentSpecSchema> };

export type SearchSpecResult = { ok: true; search: SearchSpec } | { ok: false; problems: SpecProblem[] };

export function objectiveDirection(s: SearchSpec): 'maximize' | 'minimize' {
  return s.objective.direction ?? (s.objective.metric.endsWith('Accuracy') ? 'maximize' : 'minimize');
}

/** Validates the request, the base spec, every parameter path, and one sample of the space. */
export function parseSearchSpec(input: unknown): SearchSpecResult {
  const r = searchSpecSchema.safeParse(input);
  const rawBase = input && typeof input === 'object' ? (input as { base?: unknown }).base : undefined;
  const base = parseSpec(rawBase);
  const baseProblems = base.ok ? [] : base.problems.map((p) => ({ path: p.path === '(root)' ? 'base' : `base.${p.path}`, message: rawBase === undefined ? 'required: the base experiment spec' : p.message }));
  // Every problem at once: the request's own fields and the base spec's.
  if (!r.success) return { ok: false, problems: [...formatIssues(r.error.issues), ...baseProblems] };
  if (!base.ok) return { ok: false, problems: baseProblems };
  const problems: SpecProblem[] = [];
  for (const [name, dim] of Object.entries(r.data.space)) {
    const path = resolveParameterPath(name);
    if (!path) {
      problems.push({ path: `space.${name}`, message: 'unknown parameter: use a dotted spec path (e.g. training.lambda) or one of the short names in the docs' });
      continue;
    }
    if ('uniform' in dim && !(dim.uniform[0] <= dim.uniform[1])) problems.push({ path: `space.${name}.uniform`, message: 'the lower bound must not exceed the upper bound' });
    if ('logUniform' in dim && !(dim.logUniform[0] <= dim.logUniform[1])) problems.push({ path: `space.${name}.logUniform`, message: 'the lower exponent must not exceed the upper exponent' });
    if ('intRange' in dim && dim.intRange.min > dim.intRange.max) problems.push({ path: `space.${name}.intRange`, message: 'min must not exceed max' });
    // Every listed value and both ends of a range must give a valid spec.
    for (const v of probeValues(dim)) {
      const check = parseSpec(applyParameters(base.spec, { [name]: v }));
      if (!check.ok) problems.push({ path: `space.${name}`, message: `value ${preview(v)} makes an invalid spec: ${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` });
    }
  }
  if (r.data.strategy.kind === 'grid') {
    for (const [name, dim] of Object.entries(r.data.space)) {
      if (('uniform' in dim || 'logUniform' in dim) && dim.points === undefined) problems.push({ path: `space.${name}.points`, message: 'a grid over a continuous range needs "points" (how many values)' });
    }
    // The grid is planned whole: it must fit the budget (sizes only, nothing is listed).
    const size = gridSize(Object.values(r.data.space).map(gridAxis));
    if (problems.length === 0 && size > r.data.budget.maxTrials) {
      problems.push({
        path: 'space',
        message: `the grid has ${size > 1e15 ? size.toExponential(2) : size} points, more than budget.maxTrials (${r.data.budget.maxTrials}): use fewer values or points, or raise budget.maxTrials (at most 10000)`,
      });
    }
  }
  if (r.data.strategy.kind === 'coarseToFine' && r.data.strategy.finalRetrain) {
    for (const [name, value] of Object.entries(r.data.strategy.finalRetrain.overrides)) {
      const path = `strategy.finalRetrain.overrides.${name}`;
      if (!resolveParameterPath(name)) {
        problems.push({ path, message: 'unknown parameter: use a dotted spec path (e.g. training.schedule.cycles) or one of the short names in the docs' });
        continue;
      }
      const check = parseSpec(applyParameters(base.spec, { [name]: value }));
      if (!check.ok) problems.push({ path, message: `makes an invalid spec: ${check.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, search: { ...r.data, base: base.spec } };
}

/** A value as it appears in a message: short, whatever it holds. */
function preview(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return 'this value';
  }
}

function probeValues(dim: Dimension): unknown[] {
  if ('values' in dim) return dim.values;
  if ('uniform' in dim) return [dim.uniform[0], dim.uniform[1]];
  if ('logUniform' in dim) return [10 ** dim.logUniform[0], 10 ** dim.logUniform[1]];
  return [dim.intRange.min, dim.intRange.max];
}
