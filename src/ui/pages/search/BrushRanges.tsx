// The brushes as fields, so ranges can be set by keyboard or typed exactly: plain values on
// every axis (λ as 0.001, not its exponent), a first and last value on `values` axes.
import { num } from '../../lib/format';
import { coordinateAt, position, type Axis, type Brushes } from '../../lib/searchAxes';

function bound(axis: Axis, t: number): string {
  const c = coordinateAt(axis, t);
  return num(axis.kind === 'log' ? Math.pow(10, c) : c, 4);
}

function parse(axis: Axis, text: string): number | null {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) return null;
  const t = position(axis, v);
  return t === null ? null : Math.max(0, Math.min(1, t));
}

function NumericRange({ axis, range, onBrush }: { axis: Axis; range: [number, number] | undefined; onBrush: (r: [number, number] | null) => void }) {
  const set = (which: 0 | 1, text: string) => {
    const t = parse(axis, text);
    if (t === null) return text.trim() === '' && onBrush(null);
    const next: [number, number] = range ? [...range] : [0, 1];
    next[which] = t;
    onBrush([Math.min(...next), Math.max(...next)] as [number, number]);
  };
  return (
    <div class="range">
      <span>{axis.label}</span>
      <label class="field">
        from
        <input type="text" inputMode="decimal" key={`a${range?.[0]}`} defaultValue={range ? bound(axis, range[0]) : ''} placeholder={bound(axis, 0)} onChange={(e) => set(0, e.currentTarget.value)} aria-label={`${axis.label} from`} />
      </label>
      <label class="field">
        to
        <input type="text" inputMode="decimal" key={`b${range?.[1]}`} defaultValue={range ? bound(axis, range[1]) : ''} placeholder={bound(axis, 1)} onChange={(e) => set(1, e.currentTarget.value)} aria-label={`${axis.label} to`} />
      </label>
    </div>
  );
}

function CategoryRange({ axis, range, onBrush }: { axis: Axis; range: [number, number] | undefined; onBrush: (r: [number, number] | null) => void }) {
  const n = axis.categories.length;
  const tOf = (i: number) => (n === 1 ? 0.5 : i / (n - 1));
  const index = (t: number, round: (x: number) => number) => (n === 1 ? 0 : Math.max(0, Math.min(n - 1, round(t * (n - 1) - 1e-9))));
  const lo = range ? index(range[0], Math.ceil) : 0;
  const hi = range ? index(range[1] + 2e-9, Math.floor) : n - 1;
  const set = (a: number, b: number) => (a === 0 && b === n - 1 ? onBrush(null) : onBrush([tOf(Math.min(a, b)), tOf(Math.max(a, b))]));
  return (
    <div class="range">
      <span>{axis.label}</span>
      <CategoryBound which="from" axis={axis} value={lo} onChange={(i) => set(i, hi)} />
      <CategoryBound which="to" axis={axis} value={hi} onChange={(i) => set(lo, i)} />
    </div>
  );
}

export function BrushRanges({ axes, brushes, onBrush }: { axes: Axis[]; brushes: Brushes; onBrush: (key: string, r: [number, number] | null) => void }) {
  return (
    <fieldset class="brush-ranges">
      <legend class="sr-only">Brushed ranges</legend>
      {axes.map((a) =>
        a.kind === 'categorical' ? <CategoryRange key={a.key} axis={a} range={brushes.get(a.key)} onBrush={(r) => onBrush(a.key, r)} /> : <NumericRange key={a.key} axis={a} range={brushes.get(a.key)} onBrush={(r) => onBrush(a.key, r)} />,
      )}
    </fieldset>
  );
}

/** One end of a discrete parameter's range: a select over its values. */
function CategoryBound({ which, axis, value, onChange }: { which: 'from' | 'to'; axis: Axis; value: number; onChange: (index: number) => void }) {
  return (
    <label class="field">
      {which}
      <select value={value} onChange={(e) => onChange(Number(e.currentTarget.value))} aria-label={`${axis.label} ${which}`}>
        {axis.categories.map((c, i) => (
          <option key={c} value={i}>
            {c.replace(/^"|"$/g, '')}
          </option>
        ))}
      </select>
    </label>
  );
}
