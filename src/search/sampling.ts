// Drawing parameter values from a search space: grids (cartesian products) and seeded random draws.
// Dimensions are never listed out: an axis has a size and gives its i-th value, so an integer
// range of 2^32 values or a grid of a billion points costs no memory; only the points drawn exist.
import { nextFloat, nextInt, nextUint32, type Rng } from '../core/random.js';
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

/** A dimension's values by index. */
export interface Axis {
  size: number;
  at(i: number): unknown;
}

export function discreteAxis(dim: Dimension): Axis {
  if ('values' in dim) return { size: dim.values.length, at: (i) => dim.values[i] };
  if ('intRange' in dim) {
    const { min, max, step } = dim.intRange;
    return { size: Math.floor((max - min) / step) + 1, at: (i) => min + i * step };
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

/** The first `limit` points of the cartesian product, in a stable order (first parameter slowest). */
export function cartesian(axes: [string, Axis][], limit: number): ParameterValues[] {
  const size = gridSize(axes.map(([, a]) => a));
  const out: ParameterValues[] = [];
  for (let n = 0; n < Math.min(limit, size); n++) {
    const p: ParameterValues = {};
    let rest = n;
    for (let a = axes.length - 1; a >= 0; a--) {
      const [name, axis] = axes[a];
      p[name] = axis.at(rest % axis.size);
      rest = Math.floor(rest / axis.size);
    }
    out.push(Object.fromEntries(axes.map(([name]) => [name, p[name]])));
  }
  return out;
}

/** Points of the grid (Infinity past 2^53). */
export function gridSize(axes: Axis[]): number {
  return axes.reduce((n, a) => n * a.size, 1);
}

/** Every value a grid search visits for this dimension. */
export function gridAxis(dim: Dimension): Axis {
  const iv = intervalOf(dim);
  if (!iv) return discreteAxis(dim);
  return listAxis(linspace(iv, (dim as { points?: number }).points ?? 5));
}

export const listAxis = (values: unknown[]): Axis => ({ size: values.length, at: (i) => values[i] });

/** Uniform integer in [0, n) for n up to 2^53 (nextInt's draws, unchanged, up to 2^32). */
export function nextIndex(rng: Rng, n: number): number {
  if (n <= 4294967296) return nextInt(rng, n);
  const limit = Math.floor(2 ** 53 / n) * n;
  for (;;) {
    const x = (nextUint32(rng) >>> 11) * 4294967296 + nextUint32(rng);
    if (x < limit) return x % n;
  }
}

/** One random point: each continuous parameter drawn within its interval, each discrete one from its values. */
export function randomPoint(space: [string, Dimension][], intervals: Map<string, Interval>, rng: Rng): ParameterValues {
  const p: ParameterValues = {};
  for (const [name, dim] of space) {
    const iv = intervals.get(name) ?? intervalOf(dim);
    if (iv) p[name] = sampleInterval(iv, rng);
    else {
      const axis = discreteAxis(dim);
      p[name] = axis.at(nextIndex(rng, axis.size));
    }
  }
  return p;
}
