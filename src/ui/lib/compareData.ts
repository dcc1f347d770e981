// Several runs' curves on one x axis for compare: uPlot draws series that share one x array, so
// each run's points are joined on the union of x values (gaps where a run has no point there).
import { ema } from './ema';
import { xColumn, type XMode } from './chartData';
import type { Measure, PointColumns, Split } from './pointColumns';

export type Metric = Measure | 'lr';

/** [x, run 0, run 1, ...]; with smoothing, each run's line is its EMA. */
export function alignRuns(runs: PointColumns[], mode: XMode, split: Split, metric: Metric, smoothing: number, log: boolean): (number | null)[][] {
  const xs = new Set<number>();
  const perRun = runs.map((c) => {
    const x = xColumn(c, mode);
    const y = metric === 'lr' ? c.lr : c.value[`${split}.${metric}`];
    const m = new Map<number, number>();
    for (let i = 0; i < x.length; i++) {
      const xv = x[i];
      if (xv === null) continue;
      xs.add(xv);
      m.set(xv, y[i]);
    }
    return m;
  });
  const x = [...xs].sort((a, b) => a - b);
  const out: (number | null)[][] = [x];
  for (const m of perRun) {
    const line = x.map((v) => {
      const y = m.get(v);
      return y === undefined || (log && y <= 0) ? null : y;
    });
    out.push(smoothing > 0 ? smoothedAcrossGaps(line, smoothing) : line);
  }
  return out;
}

/** EMA over a run's own points; the alignment gaps stay gaps. */
function smoothedAcrossGaps(line: (number | null)[], w: number): (number | null)[] {
  const idx: number[] = [];
  const vals: number[] = [];
  line.forEach((v, i) => v !== null && (idx.push(i), vals.push(v)));
  const s = ema(vals, w);
  const out: (number | null)[] = new Array(line.length).fill(null);
  idx.forEach((i, k) => (out[i] = s[k]));
  return out;
}
