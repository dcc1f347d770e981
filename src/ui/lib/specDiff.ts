// The fields in which specs differ (compare's "show only differences"): each path that is missing
// from some spec or has more than one value, in a stable, readable order.
import { flatten } from './flatten';

export interface DiffRow {
  path: string;
  /** One per spec, in order; null where the spec lacks the field. */
  values: (string | null)[];
}

export function specDiff(specs: unknown[], all = false): DiffRow[] {
  const flats = specs.map((s) => flatten(s));
  const paths = new Set<string>();
  for (const f of flats) for (const p of f.keys()) paths.add(p);
  const rows: DiffRow[] = [];
  for (const path of [...paths].sort()) {
    const values = flats.map((f) => f.get(path) ?? null);
    if (all || new Set(values).size > 1) rows.push({ path, values });
  }
  return rows;
}
