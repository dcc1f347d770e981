// Drawing parameter values from a search space: grids (cartesian products) and seeded random draws.
import { nextFloat, nextInt, type Rng } from '../core/random.js';
import type { Dimension } from './searchSpec.js';
import type { ParameterValues } from './parameters.js';

/** A continuous interval, in log10 units when log is set. */
export interface Interval {
  lo: number;
  hi: number;
  log: boolean;
}

/** The search dimension as a continuous interval, or null for lists and integer ranges. */
export function intervalOf(dim: Dimension): Interval | null {
  if ('uniform' in dim) return { lo: dim.uniform[0], hi: dim.uniform[1], log: false };
  if ('logUniform' in dim) return { lo: dim.logUniform[0], hi: dim.logUniform[1], log: true };
  return null;
}

export function discreteValues(dim: Dimension): unknown[] {
  if ('values' in dim) return dim.values;
  if ('intRange' in dim) {
    const out: number[] = [];
    for (let v = dim.intRange.min; v <= dim.intRange.max; v += dim.intRange.step) out.push(v);
    return out;
  }
  throw new Error('not a discrete dimension');
}

/** n evenly spaced values over the interval, both ends included. */
export function linspace(iv: Interval, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = n === 1 ? (iv.lo + iv.hi) / 2 : iv.lo + ((iv.hi - iv.lo) * i) / (n - 1);
    out.push(fromUnits(iv, t));
  }
  return out;
}

export function sampleInterval(iv: Interval, rng: Rng): number {
  return fromUnits(iv, iv.lo + (iv.hi - iv.lo) * nextFloat(rng));
}

export function fromUnits(iv: Interval, t: number): number {
  return iv.log ? 10 ** t : t;
}

export function toUnits(iv: Interval, v: number): number {
  return iv.log ? Math.log10(v) : v;
}

/** Cartesian product of per-parameter value lists, in a stable order (first parameter slowest). */
export function cartesian(axes: [string, unknown[]][]): ParameterValues[] {
  let out: ParameterValues[] = [{}];
  for (const [name, values] of axes) {
    const next: ParameterValues[] = [];
    for (const partial of out) for (const v of values) next.push({ ...partial, [name]: v });
    out = next;
  }
  return out;
}

/** Every value a grid search visits for this dimension. */
export function gridAxis(dim: Dimension): unknown[] {
  const iv = intervalOf(dim);
  if (!iv) return discreteValues(dim);
  return linspace(iv, (dim as { points?: number }).points ?? 5);
}

/** One random point: each continuous parameter drawn within its interval, each discrete one from its values. */
export function randomPoint(space: [string, Dimension][], intervals: Map<string, Interval>, rng: Rng): ParameterValues {
  const p: ParameterValues = {};
  for (const [name, dim] of space) {
    const iv = intervals.get(name) ?? intervalOf(dim);
    if (iv) p[name] = sampleInterval(iv, rng);
    else {
      const vals = discreteValues(dim);
      p[name] = vals[nextInt(rng, vals.length)];
    }
  }
  return p;
}
