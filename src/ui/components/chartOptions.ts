// uPlot options shared by the line charts (run page and compare): theme colours, axes for the
// chosen x, a log or linear y, drag-to-zoom handed to the page (which asks the server for finer
// points), double-click to reset, and cursors synced across the charts of a page.
import type uPlot from 'uplot';
import type { XMode } from '../lib/chartData';
import { duration, num } from '../lib/format';
import { cssVar } from './useColorScheme';

export interface LineChartSetup {
  title: string;
  xMode: XMode;
  logY: boolean;
  syncKey: string;
  onZoom: (min: number, max: number) => void;
  onResetZoom: () => void;
  yFormat?: (v: number) => string;
}

const xFormat = (mode: XMode) => (mode === 'seconds' ? (v: number) => duration(v) : mode === 'epoch' ? (v: number) => num(v, 3) : (v: number) => String(Math.round(v)));

export const X_LABEL: Record<XMode, string> = { step: 'update step', epoch: 'epoch', seconds: 'wall time' };

export function lineChartOptions(s: LineChartSetup, series: uPlot.Series[], bands: uPlot.Band[] = []): Omit<uPlot.Options, 'width' | 'height'> {
  const text = cssVar('--muted');
  const grid = cssVar('--border');
  const axis = (label: string, values: (v: number) => string, size?: number): uPlot.Axis => ({
    // An empty label still takes its labelSize of room; an absent one takes none (the y axes).
    ...(label ? { label } : {}),
    labelSize: 18,
    labelFont: '12px system-ui, sans-serif',
    font: '11px system-ui, sans-serif',
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1, size: 4 },
    values: (_u, splits) => splits.map((v) => (v === null ? '' : values(v))),
    // uPlot takes a present-but-undefined size as 0 (the axis vanishes): set it only when given.
    ...(size ? { size } : {}),
  });
  const fx = xFormat(s.xMode);
  const fy = s.yFormat ?? ((v: number) => num(v, 3));
  return {
    title: s.title,
    scales: { x: { time: false }, y: s.logY ? { distr: 3, log: 10 } : { auto: true } },
    axes: [axis(X_LABEL[s.xMode], fx, 40), axis('', fy, 58)],
    series: [{ label: X_LABEL[s.xMode], value: (_u, v) => (v === null ? '—' : fx(v)) }, ...series],
    bands,
    legend: { live: true },
    cursor: {
      sync: { key: s.syncKey },
      drag: { x: true, y: false, setScale: false },
      bind: {
        mousedown: (u, _target, handler) => (e) => {
          dragOrigin = u;
          return handler(e);
        },
        dblclick: () => () => {
          s.onResetZoom();
          return null;
        },
      },
    },
    hooks: {
      // Away from the cursor the legend shows the latest values instead of dashes.
      ready: [showLatest],
      setData: [showLatest],
      setCursor: [(u) => u.cursor.idx == null && showLatest(u)],
      setSelect: [
        (u) => {
          // Synced charts mirror the selection in their own pixels (their plot areas differ in
          // width): only the chart the drag was on says where the zoom goes.
          if (u.select.width > 3 && (dragOrigin === null || dragOrigin === u)) {
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            if (max > min) s.onZoom(min, max);
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        },
      ],
    },
  };
}

// The chart the last drag started on (a page's charts are synced; one drag at a time).
let dragOrigin: uPlot | null = null;

function showLatest(u: uPlot): void {
  const n = u.data[0]?.length ?? 0;
  if (n > 0 && u.cursor.idx == null) u.setLegend({ idx: n - 1 });
}

/** A line series, with the EMA convention: the raw line faint behind its smoothed twin. */
export function line(label: string, color: string, opts: { faint?: boolean; width?: number; cls?: string; fmt?: (v: number) => string } = {}): uPlot.Series {
  return {
    label,
    stroke: opts.faint ? `${color}55` : color,
    width: opts.width ?? 1.6,
    spanGaps: true,
    points: { show: false },
    class: opts.cls,
    value: (_u, v) => (v === null ? '—' : (opts.fmt ?? ((x: number) => num(x, 4)))(v)),
  };
}

/** An invisible series bounding a min-max band (hidden from the legend). */
export const bandEdge = (label: string): uPlot.Series => ({ label, stroke: 'transparent', width: 0, points: { show: false }, class: 'band-edge', spanGaps: false });
