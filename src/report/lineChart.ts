// Dependency-free SVG line charts for training curves (loss, cost, accuracy, learning rate).

export interface Series {
  label: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  colour?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  logY?: boolean;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function lineChartSvg(series: Series[], opts: ChartOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 420;
  const m = { left: 70, right: 20, top: 40, bottom: 50 };
  const tf = (y: number) => (opts.logY ? Math.log10(y) : y);
  const finite = (v: number) => Number.isFinite(v) && (!opts.logY || v > 0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.xs.length; i++) {
      if (!finite(s.ys[i])) continue;
      x0 = Math.min(x0, s.xs[i]);
      x1 = Math.max(x1, s.xs[i]);
      y0 = Math.min(y0, tf(s.ys[i]));
      y1 = Math.max(y1, tf(s.ys[i]));
    }
  }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((tf(y) - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escape(opts.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const yv = y0 + ((y1 - y0) * i) / 5;
    const y = H - m.bottom - ((H - m.top - m.bottom) * i) / 5;
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 6}" y="${y + 4}" text-anchor="end">${tick(opts.logY ? 10 ** yv : yv)}</text>`);
    const xv = x0 + ((x1 - x0) * i) / 5;
    const x = px(xv);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${H - m.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${H - m.bottom + 16}" text-anchor="middle">${tick(xv)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${escape(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">${escape(opts.yLabel)}</text>`);
  series.forEach((s, si) => {
    const colour = s.colour ?? PALETTE[si % PALETTE.length];
    const pts: string[] = [];
    for (let i = 0; i < s.xs.length; i++) if (finite(s.ys[i])) pts.push(`${px(s.xs[i]).toFixed(1)},${py(s.ys[i]).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.6" points="${pts.join(' ')}"/>`);
    out.push(`<rect x="${m.left + 10}" y="${m.top + 8 + si * 18}" width="14" height="3" fill="${colour}"/>`);
    out.push(`<text x="${m.left + 30}" y="${m.top + 13 + si * 18}">${escape(s.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

function tick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
