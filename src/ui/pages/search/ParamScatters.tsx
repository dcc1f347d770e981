// One scatter per searched parameter against the objective (uPlot points, so thousands of trials
// draw at once). Log axes for log-uniform parameters; `values` parameters are spread a little
// sideways so equal values do not hide each other. Pruned trials, valued mid-training at their
// rung, are drawn apart and can be hidden.
import { useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { LeaderboardEntry } from '../../api/types';
import { UPlotChart } from '../../components/UPlotChart';
import { cssVar, useColorScheme } from '../../components/useColorScheme';
import { num } from '../../lib/format';
import { splitColor } from '../../lib/palette';
import { categoryOf, type Axis } from '../../lib/searchAxes';
import './paramScatters.css';

interface Props {
  axes: Axis[];
  entries: LeaderboardEntry[];
  objectiveLabel: string;
  hovered: string | null;
  onHover: (runId: string | null) => void;
  onOpen: (runId: string) => void;
}

/** A fixed offset in [-0.18, 0.18] per trial, so the spread is the same on every redraw. */
const jitter = (i: number) => ((((i * 2654435761) >>> 0) % 1000) / 1000 - 0.5) * 0.36;

interface Points {
  data: uPlot.AlignedData;
  runs: string[];
}

function scatterData(axis: Axis, entries: LeaderboardEntry[], withPruned: boolean): Points {
  const rows: { x: number; y: number; pruned: boolean; run: string }[] = [];
  for (const e of entries) {
    if (e.objective === null || !Number.isFinite(e.objective) || (!withPruned && e.status === 'pruned')) continue;
    const v = e.params[axis.key];
    let x: number;
    if (axis.kind === 'categorical') {
      const i = axis.categories.indexOf(categoryOf(v));
      if (i < 0) continue;
      x = i + jitter(e.stage * 100_000 + e.trialIndex);
    } else if (typeof v === 'number' && Number.isFinite(v) && (axis.kind !== 'log' || v > 0)) x = v;
    else continue;
    rows.push({ x, y: e.objective, pruned: e.status === 'pruned', run: e.runId });
  }
  rows.sort((a, b) => a.x - b.x);
  return {
    data: [rows.map((r) => r.x), rows.map((r) => (r.pruned ? null : r.y)), rows.map((r) => (r.pruned ? r.y : null))],
    runs: rows.map((r) => r.run),
  };
}

function Scatter({ axis, points, objectiveLabel, onHover, onOpen }: { axis: Axis; points: Points; objectiveLabel: string; onHover: Props['onHover']; onOpen: Props['onOpen'] }) {
  const scheme = useColorScheme();
  // The chart's listeners outlive renders; they read the latest points through this.
  const latest = useRef(points);
  latest.current = points;
  const options = useMemo((): Omit<uPlot.Options, 'width' | 'height'> => {
    const text = cssVar('--muted');
    const grid = cssVar('--border');
    const done = splitColor('train', scheme);
    const pruned = cssVar('--pruned');
    const cats = axis.categories.map((c) => c.replace(/^"|"$/g, ''));
    const style = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 4 }, font: '11px system-ui, sans-serif', labelFont: '12px system-ui, sans-serif' };
    const dots = (color: string, filled: boolean): uPlot.Series => ({ stroke: color, fill: filled ? `${color}aa` : 'transparent', paths: () => null, points: { show: true, size: 6, width: 1.2, stroke: color, fill: filled ? `${color}99` : 'transparent' } });
    return {
      scales: {
        x: axis.kind === 'log' ? { time: false, distr: 3, log: 10 } : axis.kind === 'categorical' ? { time: false, range: [-0.5, Math.max(0.5, cats.length - 0.5)] } : { time: false },
        y: { auto: true },
      },
      axes: [
        {
          ...style,
          label: axis.label + (axis.kind === 'log' ? ' (log)' : ''),
          labelSize: 18,
          splits: axis.kind === 'categorical' ? () => cats.map((_, i) => i) : undefined,
          // uPlot passes null for the log-axis ticks it leaves unlabelled.
          values: (_u, splits) => splits.map((v) => (v === null ? '' : axis.kind === 'categorical' ? (cats[Math.round(v)] ?? '') : num(v, 3))),
        },
        { ...style, label: objectiveLabel, labelSize: 18, size: 52, values: (_u, splits) => splits.map((v) => (v === null ? '' : num(v, 3))) },
      ],
      series: [{}, { ...dots(done, true), label: 'finished' }, { ...dots(pruned, false), label: 'pruned (at its rung)' }],
      legend: { show: false },
      cursor: { points: { show: false }, drag: { x: false, y: false, setScale: false }, x: false, y: false },
    };
  }, [axis, scheme, objectiveLabel]);

  // Nearest point in screen space, not nearest x (uPlot's default), so overlapping x values work.
  const ready = (u: uPlot | null) => {
    if (!u) return;
    const find = (ev: MouseEvent) => {
      const box = u.over.getBoundingClientRect();
      const px = ev.clientX - box.left;
      const py = ev.clientY - box.top;
      const xs = u.data[0];
      let best = -1;
      let bestD = 64;
      for (let i = 0; i < xs.length; i++) {
        const y = u.data[1][i] ?? u.data[2][i];
        if (y === null || y === undefined) continue;
        const d = (u.valToPos(xs[i], 'x') - px) ** 2 + (u.valToPos(y, 'y') - py) ** 2;
        if (d < bestD) (bestD = d), (best = i);
      }
      return best;
    };
    u.over.addEventListener('mousemove', (ev) => {
      const i = find(ev);
      onHover(i >= 0 ? latest.current.runs[i] : null);
      u.over.style.cursor = i >= 0 ? 'pointer' : 'default';
    });
    u.over.addEventListener('mouseleave', () => onHover(null));
    u.over.addEventListener('click', (ev) => {
      const i = find(ev);
      if (i >= 0) onOpen(latest.current.runs[i]);
    });
  };

  return <UPlotChart options={options} data={points.data} height={220} label={`${objectiveLabel} against ${axis.label}, ${points.runs.length} trials`} onReady={ready} />;
}

export function ParamScatters({ axes, entries, objectiveLabel, hovered, onHover, onOpen }: Props) {
  const [withPruned, setWithPruned] = useState(true);
  const params = axes.filter((a) => a.key !== '__objective');
  const all = useMemo(() => params.map((a) => scatterData(a, entries, withPruned)), [axes, entries, withPruned]);
  const hot = entries.find((e) => e.runId === hovered);
  return (
    <div class="scatters">
      <div class="toolbar">
        <label class="inline">
          <input type="checkbox" checked={withPruned} onChange={(e) => setWithPruned(e.currentTarget.checked)} />
          Show pruned trials (hollow, valued at their rung)
        </label>
        <span class="muted small-note" aria-live="polite">
          {hot ? `${hot.name ?? `trial ${hot.trialIndex}`}: ${objectiveLabel} ${num(hot.objective, 4)}, ${Object.entries(hot.params).map(([k, v]) => `${k} = ${typeof v === 'number' ? num(v, 4) : JSON.stringify(v)}`).join(', ')}` : 'Point at a trial for its values; click to open it.'}
        </span>
      </div>
      <div class="scatter-grid">
        {params.map((a, i) => (
          <Scatter key={`${a.key}-${withPruned}`} axis={a} points={all[i]} objectiveLabel={objectiveLabel} onHover={onHover} onOpen={onOpen} />
        ))}
      </div>
    </div>
  );
}
