// "Refine from selection": a child coarse-to-fine search over the ranges brushed on the parallel
// coordinates. Same base and objective as the parent; each brushed parameter's dimension narrows
// (log10 exponents for log axes, plain bounds for linear ones, the kept subset for `values`);
// unbrushed parameters keep the parent's dimension.
import type { Dimension, Search, Strategy } from '../api/types';
import { coordinateAt, OBJECTIVE, type Axis, type Brushes } from './searchAxes';

export type Refinement = { ok: true; body: Record<string, unknown> } | { ok: false; problems: string[] };

const round = (v: number, digits = 6) => Number(v.toPrecision(digits));

const DEFAULT_STRATEGY = { kind: 'coarseToFine', trials: 10, stages: 2, sampling: 'random', seed: 1 } as const;

function childStrategy(parent: Strategy): Record<string, unknown> {
  if (parent.kind !== 'coarseToFine') return { ...DEFAULT_STRATEGY };
  const { trials, stages, sampling, seed, finalRetrain } = parent;
  return { kind: 'coarseToFine', trials, stages, sampling, seed, ...(finalRetrain ? { finalRetrain } : {}) };
}

function narrowed(axis: Axis, dim: Dimension, [t0, t1]: [number, number], grid: boolean): Dimension | string {
  const a = coordinateAt(axis, t0);
  const b = coordinateAt(axis, t1);
  const points = grid && 'points' in dim && dim.points ? { points: dim.points } : {};
  if ('logUniform' in dim) {
    const lo = round(a, 4);
    const hi = round(b, 4);
    return lo < hi ? { logUniform: [lo, hi], ...points } : `the brush on ${axis.label} is too narrow`;
  }
  if ('uniform' in dim) {
    const lo = round(a);
    const hi = round(b);
    return lo < hi ? { uniform: [lo, hi], ...points } : `the brush on ${axis.label} is too narrow`;
  }
  if ('intRange' in dim) {
    const { min, step } = dim.intRange;
    const lo = min + Math.ceil((a - min) / step - 1e-9) * step;
    const hi = min + Math.floor((b - min) / step + 1e-9) * step;
    return lo <= hi ? { intRange: { min: lo, max: hi, step } } : `the brush on ${axis.label} holds no value of its grid`;
  }
  const n = axis.categories.length;
  const kept = dim.values.filter((_, i) => {
    const t = n === 1 ? 0.5 : i / (n - 1);
    return t >= t0 - 1e-9 && t <= t1 + 1e-9;
  });
  return kept.length ? { values: kept } : `the brush on ${axis.label} keeps none of its values`;
}

export function refineSearch(parent: Search, axes: Axis[], brushes: Brushes): Refinement {
  const problems: string[] = [];
  const space: Record<string, Dimension> = {};
  const strategy = childStrategy(parent.spec.strategy);
  for (const [key, dim] of Object.entries(parent.spec.space)) {
    const axis = axes.find((a) => a.key === key);
    const brush = brushes.get(key);
    if (!axis || !brush) {
      space[key] = dim;
      continue;
    }
    const d = narrowed(axis, dim, brush, strategy.sampling === 'grid');
    if (typeof d === 'string') problems.push(d);
    else space[key] = d;
  }
  if (![...brushes.keys()].some((k) => k !== OBJECTIVE && k in parent.spec.space)) problems.push('brush at least one parameter axis first');
  if (problems.length) return { ok: false, problems };
  const { base, objective, budget, pruning, fuse } = parent.spec;
  return {
    ok: true,
    body: {
      name: `${parent.name ?? 'search'} (refined)`.slice(0, 200),
      parentSearchId: parent.id,
      base,
      space,
      strategy,
      objective,
      budget,
      ...(pruning ? { pruning } : {}),
      fuse,
    },
  };
}
