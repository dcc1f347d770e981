// The run's curves: loss, cost and accuracy (training and validation, with the min-max envelope
// of thinned buckets) and the learning rate. x by step, epoch or wall time; log y; EMA smoothing.
// Dragging zooms every chart and asks the server for finer points in the zoomed range; live
// points append without resetting a zoom.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { useApi } from '../../app/apiContext';
import { bandEdge, line, lineChartOptions } from '../../components/chartOptions';
import { errorText } from '../../components/ErrorNote';
import { ChartControls } from '../../components/ChartControls';
import { UPlotChart } from '../../components/UPlotChart';
import { useColorScheme } from '../../components/useColorScheme';
import { hasWallTime, learningRateData, measureData, xColumn, type XMode } from '../../lib/chartData';
import { num, pct } from '../../lib/format';
import { splitColor } from '../../lib/palette';
import { columnsFrom, spliceRange, type Measure, type PointColumns } from '../../lib/pointColumns';
import { maxPointsFor, stepRange, worthRefining } from '../../lib/thinning';

const MEASURES: { measure: Measure; title: string }[] = [
  { measure: 'loss', title: 'Loss (cross-entropy)' },
  { measure: 'cost', title: 'Cost (loss + λ‖W‖²)' },
  { measure: 'accuracy', title: 'Accuracy' },
];

interface Fine {
  cols: PointColumns;
  fromStep: number;
  toStep: number;
}

export interface RunChartsProps {
  runId: string;
  cols: PointColumns;
  version: number;
  onPlotWidth: (px: number) => void;
}

export function RunCharts({ runId, cols, version, onPlotWidth }: RunChartsProps) {
  const api = useApi();
  const scheme = useColorScheme();
  const [xMode, setXMode] = useState<XMode>('step');
  const [logY, setLogY] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [zoom, setZoom] = useState<{ min: number; max: number } | null>(null);
  const [fine, setFine] = useState<Fine | null>(null);
  const [zoomNote, setZoomNote] = useState<string | null>(null);
  const grid = useRef<HTMLDivElement>(null);
  const plotWidth = useRef(600);
  const plots = useRef(new Map<string, uPlot>());
  const zoomRef = useRef(zoom);
  zoomRef.current = zoom;

  useLayoutEffect(() => {
    const cell = grid.current?.firstElementChild as HTMLElement | null;
    // The plot area is the cell minus the y axis (about 70 px).
    plotWidth.current = Math.max(200, (cell?.clientWidth ?? 600) - 70);
    onPlotWidth(plotWidth.current);
  }, []);

  const shown = useMemo(() => (fine ? spliceRange(cols, fine.cols, fine.fromStep, fine.toStep) : cols), [cols, version, fine]);
  const wallTime = hasWallTime(cols);

  const resetZoom = () => {
    setZoom(null);
    setFine(null);
    setZoomNote(null);
  };

  const zoomTo = (min: number, max: number) => {
    // Synced charts mirror a drag-selection, so every chart reports the same zoom: act once.
    if (zoomRef.current && zoomRef.current.min === min && zoomRef.current.max === max) return;
    zoomRef.current = { min, max };
    setZoom({ min, max });
    const range = stepRange(xColumn(cols, xMode), cols.step, min, max);
    if (!range || !worthRefining(range.fromStep, range.toStep, cols.thinned ? cols.bucketWidth : 1, plotWidth.current)) return setZoomNote(null);
    setZoomNote('loading finer points…');
    api.metrics(runId, { maxPoints: maxPointsFor(plotWidth.current), ...range }).then(
      (m) => {
        setFine({ cols: columnsFrom(m.points, m.bucketWidth), ...range });
        setZoomNote(m.points.some((p) => (p.bucket?.count ?? 1) > 1) ? `${m.points.length} points, buckets of ${m.bucketWidth} steps` : `${m.points.length} points, every evaluation`);
      },
      (e) => setZoomNote(`finer points unavailable: ${errorText(e)}`),
    );
  };

  const setMode = (m: XMode) => {
    setXMode(m);
    resetZoom();
  };

  useEffect(() => {
    for (const u of plots.current.values()) if (zoom) u.setScale('x', zoom);
  }, [zoom, shown]);
  // Unzooming rescales to all the points held, whether or not new ones have arrived.
  useEffect(() => {
    if (!zoom) for (const u of plots.current.values()) u.setData(u.data, true);
  }, [zoom]);

  const ready = (key: string) => (u: uPlot | null) => {
    if (!u) return plots.current.delete(key);
    plots.current.set(key, u);
    if (zoomRef.current) u.setScale('x', zoomRef.current);
  };

  // The charts outlive renders; their zoom callback must see the latest points.
  const zoomToRef = useRef(zoomTo);
  zoomToRef.current = zoomTo;
  const smooth = smoothing > 0;
  const setup = { xMode, logY, syncKey: `run-${runId}`, onZoom: (a: number, b: number) => zoomToRef.current(a, b), onResetZoom: resetZoom };
  const options = useMemo(
    () =>
      Object.fromEntries(
        MEASURES.map(({ measure, title }) => {
          const fmt = measure === 'accuracy' ? (v: number) => pct(v, 1) : (v: number) => num(v, 4);
          const train = splitColor('train', scheme);
          const val = splitColor('validation', scheme);
          const series = [bandEdge('training min'), bandEdge('training max'), bandEdge('validation min'), bandEdge('validation max'), line('training', train, { faint: smooth, cls: smooth ? 'smooth-raw' : undefined, fmt }), line('validation', val, { faint: smooth, cls: smooth ? 'smooth-raw' : undefined, fmt })];
          if (smooth) series.push(line('training', train, { width: 2, fmt }), line('validation', val, { width: 2, fmt }));
          const bands = [
            { series: [2, 1] as [number, number], fill: `${train}22` },
            { series: [4, 3] as [number, number], fill: `${val}22` },
          ];
          return [measure, lineChartOptions({ ...setup, title, yFormat: measure === 'accuracy' ? (v) => pct(v, 0) : undefined }, series, bands)];
        }),
      ),
    [xMode, logY, smooth, scheme, runId],
  );
  const lrOptions = useMemo(() => lineChartOptions({ ...setup, title: 'Learning rate η' }, [line('η', splitColor('train', scheme), { fmt: (v) => num(v, 3) })]), [xMode, logY, scheme, runId]);

  const data = useMemo(() => Object.fromEntries(MEASURES.map(({ measure }) => [measure, measureData(shown, xMode, measure, smoothing, logY) as uPlot.AlignedData])), [shown, version, xMode, smoothing, logY]);
  const lrData = useMemo(() => learningRateData(shown, xMode, logY) as uPlot.AlignedData, [shown, version, xMode, logY]);
  const height = typeof innerWidth === 'number' && innerWidth < 600 ? 210 : 250;

  return (
    <section class="card run-charts" aria-labelledby="curves-title">
      <header>
        <h2 id="curves-title">Curves</h2>
        <span class="muted small-note">
          {cols.step.length ? `${cols.step.length.toLocaleString()} points${cols.thinned ? `, thinned to buckets of ${cols.bucketWidth} steps (shaded: each bucket's min–max)` : ', every evaluation'}` : 'no points yet'}
        </span>
      </header>
      <div class="body">
        <div class="toolbar chart-toolbar">
          <ChartControls name={`x-${runId}`} xMode={xMode} onXMode={setMode} wallTime={wallTime} logY={logY} onLogY={setLogY} smoothing={smoothing} onSmoothing={setSmoothing} />
          <span class="spacer" />
          {zoom ? (
            <>
              <span class="muted small-note" role="status">
                Zoomed{zoomNote ? `: ${zoomNote}` : ''}
              </span>
              <button type="button" class="small" onClick={resetZoom}>
                Reset zoom
              </button>
            </>
          ) : (
            <span class="muted small-note">Drag across a chart to zoom; double-click to reset.</span>
          )}
        </div>
        <div class="grid-2 chart-grid" ref={grid}>
          {MEASURES.map(({ measure, title }) => (
            <UPlotChart key={measure} options={options[measure]} data={data[measure]} height={height} label={`${title} by ${xMode}`} keepScales={zoom !== null} onReady={ready(measure)} />
          ))}
          <UPlotChart options={lrOptions} data={lrData} height={height} label={`Learning rate by ${xMode}`} keepScales={zoom !== null} onReady={ready('lr')} />
        </div>
      </div>
    </section>
  );
}
