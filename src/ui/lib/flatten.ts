// Specs as flat maps of dotted paths (training.schedule.etaMax), so two specs compare field by
// field. Arrays of plain values stay one field ([50, 50]): a layer list is read as a whole.

export type Flat = Map<string, string>;

const isPlainArray = (v: unknown[]) => v.every((x) => x === null || typeof x !== 'object');

export function flatten(value: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (Array.isArray(value) && !isPlainArray(value)) {
    value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}
