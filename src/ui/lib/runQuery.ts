// The runs page's filters and sort, kept in the hash (#/runs?status=running&sort=-lambda) so a
// view can be linked, and sent to GET /v1/runs under the same names.

export const FILTER_KEYS = [
  'name',
  'status',
  'tag',
  'dataset',
  'schedule',
  'batchNorm',
  'hiddenLayers',
  'lambdaMin',
  'lambdaMax',
  'validationAccuracyMin',
  'validationAccuracyMax',
  'testAccuracyMin',
  'testAccuracyMax',
  'searchId',
  'stage',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];

export const DEFAULT_SORT = '-createdAt';

/** The API query of a runs view (without paging). */
export function apiQuery(view: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of FILTER_KEYS) {
    const v = view.get(k)?.trim();
    if (v) out[k] = v;
  }
  out.sort = view.get('sort') || DEFAULT_SORT;
  return out;
}

/** The view with one filter set (or cleared when empty), keeping the others. */
export function withParam(view: URLSearchParams, key: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(view);
  if (value === null || value.trim() === '') next.delete(key);
  else next.set(key, value.trim());
  return next;
}

/** Clicking a sorted column's header: descending first for metrics, then ascending, then default. */
export function nextSort(current: string, field: string): string {
  if (current === `-${field}`) return field;
  if (current === field) return DEFAULT_SORT;
  return `-${field}`;
}

export const activeFilterCount = (view: URLSearchParams): number => FILTER_KEYS.filter((k) => view.get(k)?.trim()).length;
