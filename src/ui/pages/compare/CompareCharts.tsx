// Overlaid curves of the compared runs, one colour each: loss, cost, accuracy (training or
// validation) and the learning rate, with shared x choice, log y and smoothing. Pointing at a run
// in the legend brings its lines forward in every chart.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Run } from '../../api/types';
import { line, lineChartOptions } from '../../components/chartOptions';
import { ChartControls } from '../../components/ChartControls';
import { Segmented } from '../../components/Segmented';
import { UPlotChart } from '../../components/UPlotChart';
import { useColorScheme } from '../../components/useColorScheme';
import { hasWallTime, type XMode } from '../../lib/chartData';
import { alignRuns, type Metric } from '../../lib/compareData';
import { num, pct } from '../../lib/format';
import { runColor } from '../../lib/palette';
import type { PointColumns, Split } from '../../lib/pointColumns';

const CHARTS: { metric: Metric; title: string }[] = [
  { metric: 'loss', title: 'Loss' },
  { metric: 'cost', title: 'Cost' },
  { metric: 'accuracy', title: 'Accuracy' },
  { metric: 'lr', title: 'Learning rate η' },
];

export function CompareCharts({ runs, cols, focused }: { runs: Run[]; cols: PointColumns[]; focused: number | null }) {
  const scheme = useColorScheme();
  const [split, setSplit] = useState<Split>('validation');
  const [xMode, setXMode] = useState<XMode>('step');
  const [logY, setLogY] = useState(false);
  const [smoothing, setSmoothing] = useState(0);
  const [zoom, setZoom] = useState<{ min: number; max: number } | null>(null);
  const plots = useRef(new Map<string, uPlot>());
  const wallTime = cols.length > 0 && cols.every(hasWallTime);

  const options = useMemo(() => {
    const setup = { xMode, logY, syncKey: 'compare', onZoom: (min: number, max: number) => setZoom({ min, max }), onResetZoom: () => setZoom(null) };
    return Object.fromEntries(
      CHARTS.map(({ metric, title }) => {
        const fmt = metric === 'accuracy' ? (v: number) => pct(v, 1) : (v: number) => num(v, 4);
        const series = runs.map((r, i) => line(r.name ?? r.id.slice(0, 8), runColor(i, scheme), { fmt }));
        const o = lineChartOptions({ ...setup, title: metric === 'lr' ? title : `${split === 'train' ? 'Training' : 'Validation'} ${title.toLowerCase()}`, yFormat: metric === 'accuracy' ? (v) => pct(v, 0) : undefined }, series);
        return [metric, { ...o, legend: { show: false }, focus: { alpha: 0.25 } }];
      }),
    );
  }, [runs, xMode, logY, split, scheme]);

  const data = useMemo(() => Object.fromEntries(CHARTS.map(({ metric }) => [metric, alignRuns(cols, xMode, split, metric, metric === 'lr' ? 0 : smoothing, logY) as uPlot.AlignedData])), [cols, xMode, split, smoothing, logY]);

  useEffect(() => {
    for (const u of plots.current.values()) {
      if (zoom) u.setScale('x', zoom);
      else u.setData(u.data, true);
    }
  }, [zoom]);
  useEffect(() => {
    for (const u of plots.current.values()) u.setSeries(focused === null ? null : focused + 1, { focus: true });
  }, [focused]);

  return (
    <section class="card" aria-labelledby="compare-curves">
      <header>
        <h2 id="compare-curves">Curves</h2>
      </header>
      <div class="body">
        <div class="toolbar chart-toolbar">
          <Segmented
            name="split"
            legend="split"
            value={split}
            onChange={setSplit}
            options={[
              { value: 'validation', label: 'Validation' },
              { value: 'train', label: 'Training' },
            ]}
          />
          <ChartControls name="x-compare" xMode={xMode} onXMode={(m) => (setXMode(m), setZoom(null))} wallTime={wallTime} logY={logY} onLogY={setLogY} smoothing={smoothing} onSmoothing={setSmoothing} />
          <span class="spacer" style={{ flex: 1 }} />
          {zoom && (
            <button type="button" class="small" onClick={() => setZoom(null)}>
              Reset zoom
            </button>
          )}
        </div>
        <div class="grid-2 chart-grid">
          {CHARTS.map(({ metric, title }) => (
            <UPlotChart
              key={metric}
              options={options[metric]}
              data={data[metric]}
              height={innerWidth < 600 ? 210 : 250}
              label={`${title} of ${runs.length} runs by ${xMode}`}
              keepScales={zoom !== null}
              onReady={(u) => {
                if (!u) return plots.current.delete(metric);
                plots.current.set(metric, u);
                if (zoom) u.setScale('x', zoom);
              }}
            />
          ))}
        </div>
      </div>
    </section>
  );
}
