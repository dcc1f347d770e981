// How much of the objective's variation each searched parameter explains: the variance of the
// objective's mean per bin of the parameter (a first-order, fANOVA-style main effect), over the
// total variance. Continuous parameters are cut into quantile bins (on log10 for log parameters),
// discrete ones grouped by value; shares are scaled down if they sum past 1 (correlated draws).
export interface ImportanceTrial {
  params: Record<string, unknown>;
  objective: number;
}

export interface ParameterImportance {
  name: string;
  importance: number;
  log: boolean;
}

const variance = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
};

/** The bin of each trial for one parameter: quantile bins for numbers, the value itself otherwise. */
function binsOf(values: unknown[], log: boolean): string[] {
  const numeric = values.every((v) => typeof v === 'number' && Number.isFinite(v));
  const distinct = new Set(values.map((v) => JSON.stringify(v)));
  if (!numeric || distinct.size <= 8) return values.map((v) => JSON.stringify(v));
  const xs = (values as number[]).map((v) => (log && v > 0 ? Math.log10(v) : v));
  const sorted = [...xs].sort((a, b) => a - b);
  const bins = Math.max(2, Math.min(10, Math.round(Math.sqrt(xs.length))));
  const edges = Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)]);
  return xs.map((x) => String(edges.filter((e) => x >= e).length));
}

export function parameterImportance(trials: ImportanceTrial[], parameters: { name: string; log: boolean }[]): ParameterImportance[] {
  const ok = trials.filter((t) => Number.isFinite(t.objective));
  const y = ok.map((t) => t.objective);
  const total = ok.length >= 3 ? variance(y) : 0;
  const raw = parameters.map((p) => {
    if (total === 0) return 0;
    const bins = binsOf(ok.map((t) => t.params[p.name]), p.log);
    const groups = new Map<string, number[]>();
    bins.forEach((b, i) => groups.set(b, [...(groups.get(b) ?? []), y[i]]));
    if (groups.size < 2) return 0;
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    let between = 0;
    for (const g of groups.values()) between += g.length * (g.reduce((s, v) => s + v, 0) / g.length - mean) ** 2;
    return between / y.length / total;
  });
  const sum = raw.reduce((s, v) => s + v, 0);
  const scale = sum > 1 ? 1 / sum : 1;
  return parameters.map((p, i) => ({ name: p.name, importance: raw[i] * scale, log: p.log })).sort((a, b) => b.importance - a.importance);
}
