// One axis per searched parameter plus the objective, as parallel coordinates and the scatters
// draw them: log10 for logUniform dimensions, a point per value for `values` dimensions, linear
// otherwise. Positions run 0 (bottom) to 1 (top); brushes are ranges of positions.
import type { Dimension, LeaderboardEntry, Search } from '../api/types';
import { metricWords, num } from './format';

export type AxisKind = 'linear' | 'log' | 'categorical';

export interface Axis {
  key: string;
  label: string;
  kind: AxisKind;
  /** linear: values; log: log10 of values; categorical: unused ([0, n - 1]). */
  domain: [number, number];
  categories: string[];
  dim: Dimension | null;
}

export const OBJECTIVE = '__objective';

/** Categorical values compare by their JSON text ([50, 50] and "before" alike). */
export const categoryOf = (v: unknown): string => JSON.stringify(v);

export function axisValue(e: LeaderboardEntry, key: string): unknown {
  return key === OBJECTIVE ? e.objective : e.params[key];
}

function extent(values: number[], seed: [number, number] | null): [number, number] {
  let [lo, hi] = seed ?? [Infinity, -Infinity];
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

const numbers = (vals: unknown[]) => vals.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function paramAxis(key: string, dim: Dimension, values: unknown[]): Axis {
  const base = { key, label: key, dim };
  if ('logUniform' in dim) {
    const logs = numbers(values).filter((v) => v > 0).map(Math.log10);
    return { ...base, kind: 'log', domain: extent(logs, [Math.min(...dim.logUniform), Math.max(...dim.logUniform)]), categories: [] };
  }
  if ('uniform' in dim) return { ...base, kind: 'linear', domain: extent(numbers(values), [Math.min(...dim.uniform), Math.max(...dim.uniform)]), categories: [] };
  if ('intRange' in dim) return { ...base, kind: 'linear', domain: extent(numbers(values), [dim.intRange.min, dim.intRange.max]), categories: [] };
  const cats = dim.values.map(categoryOf);
  for (const v of values) if (!cats.includes(categoryOf(v))) cats.push(categoryOf(v));
  return { ...base, kind: 'categorical', domain: [0, Math.max(0, cats.length - 1)], categories: cats };
}

export function axesFor(search: Search, entries: LeaderboardEntry[]): Axis[] {
  const axes = Object.entries(search.spec.space).map(([k, dim]) => paramAxis(k, dim, entries.map((e) => e.params[k]).filter((v) => v !== undefined)));
  const objectives = numbers(entries.map((e) => e.objective));
  const better = search.objective.direction === 'maximize' ? '↑' : '↓';
  axes.push({ key: OBJECTIVE, label: `${metricWords(search.objective.metric)} ${better}`, kind: 'linear', domain: extent(objectives, null), categories: [], dim: null });
  return axes;
}

/** Where a value sits on the axis, 0 (bottom) to 1 (top); null when it cannot be placed. */
export function position(axis: Axis, value: unknown): number | null {
  if (axis.kind === 'categorical') {
    const i = axis.categories.indexOf(categoryOf(value));
    if (i < 0) return null;
    return axis.categories.length === 1 ? 0.5 : i / (axis.categories.length - 1);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  if (axis.kind === 'log' && value <= 0) return null;
  const x = axis.kind === 'log' ? Math.log10(value) : value;
  const [lo, hi] = axis.domain;
  return (x - lo) / (hi - lo);
}

/** The axis coordinate at position t: a value for linear axes, a log10 exponent for log axes. */
export function coordinateAt(axis: Axis, t: number): number {
  const [lo, hi] = axis.domain;
  return lo + t * (hi - lo);
}

export interface Tick {
  t: number;
  label: string;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

export function ticks(axis: Axis, count = 5): Tick[] {
  if (axis.kind === 'categorical') return axis.categories.map((c) => ({ t: position(axis, JSON.parse(c))!, label: c.replace(/^"|"$/g, '') }));
  const [lo, hi] = axis.domain;
  const out: Tick[] = [];
  if (axis.kind === 'log') {
    const step = Math.max(1, Math.ceil((hi - lo) / count));
    for (let e = Math.ceil(lo); e <= hi + 1e-9; e += step) out.push({ t: (e - lo) / (hi - lo), label: `1e${e}` });
    return out;
  }
  const step = niceStep(hi - lo, count);
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push({ t: (v - lo) / (hi - lo), label: num(Number(v.toPrecision(12)), 3) });
  return out;
}

export type Brushes = Map<string, [number, number]>;

/** Does the entry lie inside every brushed range? */
export function inBrushes(axes: Axis[], brushes: Brushes, e: LeaderboardEntry): boolean {
  for (const axis of axes) {
    const b = brushes.get(axis.key);
    if (!b) continue;
    const t = position(axis, axisValue(e, axis.key));
    if (t === null || t < b[0] - 1e-9 || t > b[1] + 1e-9) return false;
  }
  return true;
}
