// The controls every line chart page shares: the x axis (update step, epoch, wall time), log y
// and EMA smoothing.
import type { XMode } from '../lib/chartData';
import { Segmented } from './Segmented';

export interface ChartControlsProps {
  /** Unique per page: the radio group's name. */
  name: string;
  xMode: XMode;
  onXMode: (m: XMode) => void;
  /** Whether the points carry wall times (otherwise that axis is disabled, saying why). */
  wallTime: boolean;
  logY: boolean;
  onLogY: (v: boolean) => void;
  smoothing: number;
  onSmoothing: (v: number) => void;
}

export function ChartControls(p: ChartControlsProps) {
  return (
    <>
      <Segmented
        name={p.name}
        legend="x axis"
        value={p.xMode}
        onChange={p.onXMode}
        options={[
          { value: 'step', label: 'Step' },
          { value: 'epoch', label: 'Epoch' },
          { value: 'seconds', label: 'Wall time', disabled: !p.wallTime, title: p.wallTime ? undefined : 'the server sent no wall times for these points' },
        ]}
      />
      <label class="inline">
        <input type="checkbox" checked={p.logY} onChange={(e) => p.onLogY(e.currentTarget.checked)} />
        Log y
      </label>
      <label class="inline smoothing">
        Smoothing
        <input type="range" min={0} max={0.99} step={0.01} value={p.smoothing} onInput={(e) => p.onSmoothing(Number(e.currentTarget.value))} aria-valuetext={p.smoothing ? `EMA weight ${p.smoothing}` : 'off'} />
        <output class="num">{p.smoothing ? p.smoothing.toFixed(2) : 'off'}</output>
      </label>
    </>
  );
}
