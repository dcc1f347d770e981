// Parallel coordinates on one canvas (thousands of trials stay fast where SVG paths would not):
// an axis per parameter (log10 where the space is log-uniform) and the objective, a line per
// trial coloured by its objective. Drag along an axis to brush a range; click an axis to clear.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LeaderboardEntry } from '../../api/types';
import { cssVar, useColorScheme } from '../../components/useColorScheme';
import { hex, oklch } from '../../lib/color';
import { num } from '../../lib/format';
import { axisValue, OBJECTIVE, position, ticks, type Axis, type Brushes } from '../../lib/searchAxes';
import './parallelCoordinates.css';

const HEIGHT = 340;
const PAD = { top: 44, bottom: 24, left: 56, right: 56 };
const GRAB = 18;
/** Below this spacing tick labels collide; narrower screens scroll the chart sideways. */
const MIN_AXIS_GAP = 112;
const LABEL_FONT = '600 12px system-ui, sans-serif';
/** Space kept between two neighbouring axis labels. */
const LABEL_GAP = 16;

/** How far each axis label reaches left and right of its axis: centred on it, the end ones pushed inside the canvas. */
function labelReach(widths: number[]): { left: number; right: number }[] {
  const n = widths.length;
  return widths.map((w, i) => {
    const half = w / 2;
    if (i === 0 && n > 1) return { left: Math.min(half, PAD.left - 2), right: Math.max(half, w - (PAD.left - 2)) };
    if (i === n - 1 && n > 1) return { left: Math.max(half, w - (PAD.right - 2)), right: Math.min(half, PAD.right - 2) };
    return { left: half, right: half };
  });
}

/** The axis spacing at which neither tick labels nor axis labels overlap. */
function axisGap(widths: number[]): number {
  const reach = labelReach(widths);
  let gap = MIN_AXIS_GAP;
  for (let i = 0; i + 1 < reach.length; i++) gap = Math.max(gap, Math.ceil(reach[i].right + reach[i + 1].left + LABEL_GAP));
  return gap;
}

interface Props {
  axes: Axis[];
  entries: LeaderboardEntry[];
  brushes: Brushes;
  onBrush: (key: string, range: [number, number] | null) => void;
  hovered: string | null;
  onHover: (runId: string | null) => void;
  onOpen: (runId: string) => void;
  isKept: (e: LeaderboardEntry) => boolean;
}

/** Objective colour ramp, dark-to-bright so the best trials stand out on either background. */
function ramp(t: number, dark: boolean): string {
  return hex(oklch(dark ? 0.5 + 0.4 * t : 0.32 + 0.5 * t, 0.16, 285 - 200 * t));
}

export function ParallelCoordinates({ axes, entries, brushes, onBrush, hovered, onHover, onOpen, isKept }: Props) {
  const scheme = useColorScheme();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [available, setAvailable] = useState(800);
  // Long labels (validation accuracy ↑, model.hidden.0) need more room than the ticks do.
  const labelWidths = useMemo(() => {
    const g = document.createElement('canvas').getContext('2d');
    if (!g) return axes.map(() => 0);
    g.font = LABEL_FONT;
    return axes.map((a) => g.measureText(a.label).width);
  }, [axes.map((a) => a.label).join('\n')]);
  const width = Math.max(available, PAD.left + PAD.right + (axes.length - 1) * axisGap(labelWidths));
  const drag = useRef<{ key: string; t0: number; moved: boolean } | null>(null);
  const [draft, setDraft] = useState<{ key: string; range: [number, number] } | null>(null);
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);

  useLayoutEffect(() => {
    const el = canvas.current!.parentElement!;
    const ro = new ResizeObserver(() => setAvailable(el.clientWidth));
    ro.observe(el);
    setAvailable(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  const plotW = Math.max(1, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xOf = (i: number) => PAD.left + (axes.length === 1 ? plotW / 2 : (i * plotW) / (axes.length - 1));
  const yOf = (t: number) => PAD.top + (1 - t) * plotH;
  const tOf = (y: number) => Math.max(0, Math.min(1, 1 - (y - PAD.top) / plotH));
  const objective = axes.findIndex((a) => a.key === OBJECTIVE);

  // Every trial's position on every axis, computed once per data change, reused by hit tests.
  const rows = entries.map((e) => ({ e, ts: axes.map((a) => position(a, axisValue(e, a.key))) }));

  useEffect(() => {
    const c = canvas.current!;
    const dpr = devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(HEIGHT * dpr);
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, HEIGHT);
    const dark = scheme === 'dark';
    const muted = cssVar('--muted');
    const text = cssVar('--text');
    const border = cssVar('--border-strong');
    const accent = cssVar('--accent');
    const surface = cssVar('--surface');

    const polyline = (ts: (number | null)[]) => {
      g.beginPath();
      let pen = false;
      ts.forEach((t, i) => {
        if (t === null) return void (pen = false);
        const x = xOf(i);
        const y = yOf(t);
        if (pen) g.lineTo(x, y);
        else g.moveTo(x, y);
        pen = true;
      });
      g.stroke();
    };
    // Trials without a value yet (queued, running) carry no information about the objective.
    const valued = (r: (typeof rows)[number]) => r.ts[objective] !== null;
    const brushed = (r: (typeof rows)[number]) => valued(r) && isKept(r.e);
    // Faint first (outside the brushes, or not valued yet), then pruned, then the rest from worst to best.
    g.lineWidth = 1;
    g.strokeStyle = dark ? 'rgba(160,170,185,0.12)' : 'rgba(90,100,115,0.1)';
    for (const r of rows) if (!brushed(r)) polyline(r.ts);
    g.setLineDash([3, 3]);
    g.strokeStyle = dark ? 'rgba(170,150,220,0.35)' : 'rgba(110,80,170,0.3)';
    for (const r of rows) if (brushed(r) && r.e.status === 'pruned') polyline(r.ts);
    g.setLineDash([]);
    const kept = rows.filter((r) => brushed(r) && r.e.status !== 'pruned');
    kept.sort((a, b) => (a.ts[objective] ?? -1) - (b.ts[objective] ?? -1));
    g.lineWidth = 1.3;
    for (const r of kept) {
      g.strokeStyle = ramp(r.ts[objective]!, dark);
      polyline(r.ts);
    }
    const hot = rows.find((r) => r.e.runId === hovered);
    if (hot) {
      g.lineWidth = 3;
      g.strokeStyle = text;
      polyline(hot.ts);
    }

    axes.forEach((a, i) => {
      const x = xOf(i);
      g.strokeStyle = border;
      g.lineWidth = 1;
      g.beginPath();
      g.moveTo(x, PAD.top);
      g.lineTo(x, PAD.top + plotH);
      g.stroke();
      g.fillStyle = text;
      g.font = LABEL_FONT;
      // Centred on the axis, kept inside the canvas (the spacing leaves room for both).
      g.textAlign = 'center';
      const w = labelWidths[i] ?? 0;
      const lx = Math.max(2, Math.min(width - 2 - w, x - w / 2)) + w / 2;
      g.fillText(a.label, lx, 16);
      g.font = '11px system-ui, sans-serif';
      g.fillStyle = muted;
      g.fillText(a.kind === 'log' ? 'log scale' : a.kind === 'categorical' ? 'discrete' : '', lx, 30);
      g.textAlign = 'right';
      for (const tk of ticks(a, 5)) {
        const y = yOf(tk.t);
        // Labels sit on a patch of the background so the lines under them do not hide them.
        const w = g.measureText(tk.label).width;
        g.fillStyle = surface;
        g.fillRect(x - 8 - w, y - 7, w + 4, 14);
        g.fillStyle = muted;
        g.fillText(tk.label, x - 6, y + 3.5);
        g.beginPath();
        g.moveTo(x - 3, y);
        g.lineTo(x, y);
        g.stroke();
      }
      const b = draft?.key === a.key ? draft.range : brushes.get(a.key);
      if (b) {
        g.fillStyle = `${accent}30`;
        g.strokeStyle = accent;
        g.lineWidth = 1.5;
        g.fillRect(x - 8, yOf(b[1]), 16, yOf(b[0]) - yOf(b[1]));
        g.strokeRect(x - 8, yOf(b[1]), 16, yOf(b[0]) - yOf(b[1]));
      }
    });
  }, [axes, entries, brushes, draft, hovered, width, scheme, isKept, labelWidths]);

  const axisAt = (x: number) => {
    let best = -1;
    axes.forEach((_, i) => {
      if (Math.abs(xOf(i) - x) <= GRAB && (best < 0 || Math.abs(xOf(i) - x) < Math.abs(xOf(best) - x))) best = i;
    });
    return best;
  };

  const nearest = (x: number, y: number) => {
    let best: (typeof rows)[number] | null = null;
    let bestD = 6;
    for (const r of rows) {
      for (let i = 0; i + 1 < axes.length; i++) {
        const [a, b] = [r.ts[i], r.ts[i + 1]];
        if (a === null || b === null || x < xOf(i) || x > xOf(i + 1)) continue;
        const f = (x - xOf(i)) / (xOf(i + 1) - xOf(i));
        const d = Math.abs(yOf(a + f * (b - a)) - y);
        if (d < bestD) (bestD = d), (best = r);
      }
    }
    return best;
  };

  const local = (e: PointerEvent) => {
    const box = canvas.current!.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  };

  return (
    <div class="pc-wrap">
      {/* When the axes need more room than the screen has, the chart scrolls sideways (also by keyboard). */}
      <div class="pc-scroll" tabIndex={width > available ? 0 : undefined} role={width > available ? 'group' : undefined} aria-label={width > available ? 'Parallel coordinates, scrolls sideways' : undefined}>
      <canvas
        ref={canvas}
        style={{ width: `${width}px`, height: `${HEIGHT}px` }}
        role="img"
        aria-label={`Parallel coordinates of ${entries.length} trials over ${axes.map((a) => a.label).join(', ')}. Use the range fields below to brush with the keyboard.`}
        onPointerDown={(e) => {
          const { x, y } = local(e);
          const i = axisAt(x);
          if (i < 0) return;
          canvas.current!.setPointerCapture(e.pointerId);
          drag.current = { key: axes[i].key, t0: tOf(y), moved: false };
        }}
        onPointerMove={(e) => {
          const { x, y } = local(e);
          const d = drag.current;
          if (d) {
            const t = tOf(y);
            if (Math.abs(t - d.t0) * plotH > 3) d.moved = true;
            if (d.moved) setDraft({ key: d.key, range: [Math.min(d.t0, t), Math.max(d.t0, t)] });
            return;
          }
          const r = axisAt(x) >= 0 ? null : nearest(x, y);
          onHover(r?.e.runId ?? null);
          setTip(r ? { x, y, text: `${r.e.name ?? `trial ${r.e.trialIndex}`} · ${num(r.e.objective, 4)}${r.e.status === 'pruned' ? ' (pruned)' : ''}` } : null);
          canvas.current!.style.cursor = axisAt(x) >= 0 ? 'ns-resize' : r ? 'pointer' : 'default';
        }}
        onPointerUp={() => {
          const d = drag.current;
          drag.current = null;
          if (!d) return;
          onBrush(d.key, d.moved && draft ? draft.range : null);
          setDraft(null);
        }}
        onPointerLeave={() => {
          if (!drag.current) {
            onHover(null);
            setTip(null);
          }
        }}
        onClick={(e) => {
          const { x, y } = local(e as unknown as PointerEvent);
          if (axisAt(x) >= 0) return;
          const r = nearest(x, y);
          if (r) onOpen(r.e.runId);
        }}
      />
      </div>
      {tip && (
        <div class="pc-tip" style={{ left: `${Math.min(tip.x + 12, width - 220)}px`, top: `${tip.y + 12}px` }}>
          {tip.text}
        </div>
      )}
    </div>
  );
}
