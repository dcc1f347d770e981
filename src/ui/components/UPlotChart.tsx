// One uPlot chart. It is created when its options change and otherwise only fed new data
// (setData), so live points append without a rebuild; `keepScales` keeps a user's zoom.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './chart.css';

export interface UPlotProps {
  /** A new object rebuilds the chart: memoize it on what it depends on. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  label: string;
  keepScales?: boolean;
  onReady?: (u: uPlot | null) => void;
}

export function UPlotChart({ options, data, height, label, keepScales = false, onReady }: UPlotProps) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shown = useRef<uPlot.AlignedData | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = ref.current!;
    // The x range is mirrored on the element (data-x-min/max) so tests can see a zoom hold.
    const mirror = (u: uPlot) => {
      el.dataset.xMin = String(u.scales.x.min);
      el.dataset.xMax = String(u.scales.x.max);
    };
    const hooks = { ...options.hooks, setScale: [...(options.hooks?.setScale ?? []), (u: uPlot, key: string) => key === 'x' && mirror(u)] };
    const u = new uPlot({ ...options, hooks, width: el.clientWidth || 320, height } as uPlot.Options, latest.current, el);
    plot.current = u;
    shown.current = latest.current;
    onReady?.(u);
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      onReady?.(null);
      u.destroy();
      plot.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    if (!plot.current || shown.current === data) return;
    shown.current = data;
    plot.current.setData(data, !keepScales);
  }, [data]);

  return <div class="uplot-host" ref={ref} role="figure" aria-label={label} />;
}
