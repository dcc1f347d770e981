// A run's evaluation points as columns (what uPlot draws), with the live rules: points are kept in
// step order and a step already held is never added twice, so a reconnect cannot duplicate one.
import type { MetricPoint } from '../api/types';

export type Split = 'train' | 'validation';
export type Measure = 'loss' | 'cost' | 'accuracy';
export type SeriesKey = `${Split}.${Measure}`;

export const SERIES_KEYS: SeriesKey[] = ['train.loss', 'validation.loss', 'train.cost', 'validation.cost', 'train.accuracy', 'validation.accuracy'];

export interface PointColumns {
  step: number[];
  epoch: number[];
  seconds: (number | null)[];
  lr: number[];
  value: Record<SeriesKey, number[]>;
  /** A thinned bucket's min and max (null for raw points), for the envelope behind each line. */
  lo: Record<SeriesKey, (number | null)[]>;
  hi: Record<SeriesKey, (number | null)[]>;
  /** The coarsest bucket width among the points held (1: all raw). */
  bucketWidth: number;
  /** Whether some bucket merged several points (sparse points fill one bucket each). */
  thinned: boolean;
}

const perSeries = <T>(): Record<SeriesKey, T[]> => Object.fromEntries(SERIES_KEYS.map((k) => [k, []])) as unknown as Record<SeriesKey, T[]>;

export function emptyColumns(): PointColumns {
  return { step: [], epoch: [], seconds: [], lr: [], value: perSeries(), lo: perSeries(), hi: perSeries(), bucketWidth: 1, thinned: false };
}

function push(c: PointColumns, p: MetricPoint): void {
  if ((p.bucket?.count ?? 1) > 1) c.thinned = true;
  c.step.push(p.step);
  c.epoch.push(p.epoch);
  c.seconds.push(p.seconds ?? null);
  c.lr.push(p.lr);
  for (const k of SERIES_KEYS) {
    const [split, measure] = k.split('.') as [Split, Measure];
    c.value[k].push(p[split][measure]);
    c.lo[k].push(p.bucket?.min ? p.bucket.min[split][measure] : null);
    c.hi[k].push(p.bucket?.max ? p.bucket.max[split][measure] : null);
  }
}

function copyRow(to: PointColumns, from: PointColumns, i: number): void {
  to.step.push(from.step[i]);
  to.epoch.push(from.epoch[i]);
  to.seconds.push(from.seconds[i]);
  to.lr.push(from.lr[i]);
  for (const k of SERIES_KEYS) {
    to.value[k].push(from.value[k][i]);
    to.lo[k].push(from.lo[k][i]);
    to.hi[k].push(from.hi[k][i]);
  }
}

export function columnsFrom(points: MetricPoint[], bucketWidth = 1): PointColumns {
  const c = emptyColumns();
  appendPoints(c, points);
  c.bucketWidth = bucketWidth;
  return c;
}

export const lastStep = (c: PointColumns): number | null => (c.step.length ? c.step[c.step.length - 1] : null);

/** Appends the points after the last step held (in place); returns how many were added. */
export function appendPoints(c: PointColumns, points: MetricPoint[]): number {
  let added = 0;
  for (const p of points) {
    const last = lastStep(c);
    if (last !== null && p.step <= last) continue;
    push(c, p);
    added++;
  }
  return added;
}

/** `coarse` with the points in [fromStep, toStep] replaced by the finer `fine` ones. */
export function spliceRange(coarse: PointColumns, fine: PointColumns, fromStep: number, toStep: number): PointColumns {
  const out = emptyColumns();
  let i = 0;
  while (i < coarse.step.length && coarse.step[i] < fromStep) copyRow(out, coarse, i++);
  for (let j = 0; j < fine.step.length; j++) if (fine.step[j] >= fromStep && fine.step[j] <= toStep) copyRow(out, fine, j);
  while (i < coarse.step.length && coarse.step[i] <= toStep) i++;
  while (i < coarse.step.length) copyRow(out, coarse, i++);
  out.bucketWidth = Math.max(coarse.bucketWidth, fine.bucketWidth);
  out.thinned = coarse.thinned || fine.thinned;
  return out;
}
