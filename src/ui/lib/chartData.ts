// A run's columns as uPlot data for one chart: the chosen x (step, epoch or wall seconds; points
// without that x are left out), the envelope of thinned buckets, the lines, and EMA-smoothed
// lines when smoothing is on. On a log axis values that are not positive become gaps.
import { ema } from './ema';
import type { Measure, PointColumns, SeriesKey } from './pointColumns';

export type XMode = 'step' | 'epoch' | 'seconds';

type Column = (number | null)[];

export function xColumn(c: PointColumns, mode: XMode): Column {
  return mode === 'step' ? c.step : mode === 'epoch' ? c.epoch : c.seconds;
}

export const hasWallTime = (c: PointColumns): boolean => c.seconds.some((s) => s !== null);

/** Row indices that have an x value in this mode. */
function rowsWithX(xs: Column): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) if (xs[i] !== null) out.push(i);
  return out;
}

const positive = (v: number | null) => (v !== null && v > 0 ? v : null);

function pick(col: ArrayLike<number | null>, rows: number[], log: boolean): Column {
  const out: Column = new Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = log ? positive(col[rows[k]]) : col[rows[k]];
  return out;
}

/**
 * [x, trainLo, trainHi, validationLo, validationHi, train, validation, (trainSmooth, validationSmooth)]
 * The smoothed pair is present only when smoothing > 0.
 */
export function measureData(c: PointColumns, mode: XMode, measure: Measure, smoothing: number, log: boolean): Column[] {
  const xs = xColumn(c, mode);
  const rows = rowsWithX(xs);
  const keys: SeriesKey[] = [`train.${measure}`, `validation.${measure}`];
  const out: Column[] = [pick(xs, rows, false)];
  for (const k of keys) out.push(pick(c.lo[k], rows, log), pick(c.hi[k], rows, log));
  const lines = keys.map((k) => pick(c.value[k], rows, log));
  out.push(...lines);
  if (smoothing > 0) out.push(...lines.map((l) => ema(l, smoothing)));
  return out;
}

export function learningRateData(c: PointColumns, mode: XMode, log: boolean): Column[] {
  const xs = xColumn(c, mode);
  const rows = rowsWithX(xs);
  return [pick(xs, rows, false), pick(c.lr, rows, log)];
}
