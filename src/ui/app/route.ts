// Hash routes (#/runs, #/runs/<id>, #/compare?ids=..., #/searches, #/searches/<id>, #/submit), so
// the static server needs no fallback route. Each page's query lives after the route's `?`.

export type Route =
  | { page: 'runs'; query: URLSearchParams }
  | { page: 'run'; id: string }
  | { page: 'compare'; ids: string[] }
  | { page: 'searches' }
  | { page: 'search'; id: string }
  | { page: 'submit'; query: URLSearchParams }
  | { page: 'notFound'; hash: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '');
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'runs' && parts.length === 1)) return { page: 'runs', query };
  if (parts[0] === 'runs' && parts.length === 2) return { page: 'run', id: parts[1] };
  if (parts[0] === 'compare' && parts.length === 1) return { page: 'compare', ids: (query.get('ids') ?? '').split(',').filter(Boolean) };
  if (parts[0] === 'searches' && parts.length === 1) return { page: 'searches' };
  if (parts[0] === 'searches' && parts.length === 2) return { page: 'search', id: parts[1] };
  if (parts[0] === 'submit' && parts.length === 1) return { page: 'submit', query };
  return { page: 'notFound', hash };
}

export const href = {
  runs: (query?: URLSearchParams) => `#/runs${query && [...query].length ? `?${query}` : ''}`,
  run: (id: string) => `#/runs/${encodeURIComponent(id)}`,
  compare: (ids: string[]) => `#/compare?ids=${ids.map(encodeURIComponent).join(',')}`,
  searches: () => '#/searches',
  search: (id: string) => `#/searches/${encodeURIComponent(id)}`,
  submit: (query?: Record<string, string>) => `#/submit${query ? `?${new URLSearchParams(query)}` : ''}`,
};
