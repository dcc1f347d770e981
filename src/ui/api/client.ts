// Every call the dashboard makes to the API, in one place, so the endpoint shapes live here only.
// The key travels as a Bearer header (never in a URL), so artifacts are fetched as blobs too.
import type {
  Artifact,
  Epoch,
  GradientCheck,
  Importance,
  MetricList,
  MetricSeries,
  Problem,
  Project,
  Run,
  RunList,
  Rungs,
  Search,
  SearchLeaderboard,
  SearchList,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RunPatch {
  name?: string;
  tags?: string[];
  notes?: string | null;
}

function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export class Api {
  constructor(
    private readonly key: string,
    private readonly onUnauthorized: () => void = () => {},
    private readonly base = '',
  ) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.key}`);
    const res = await fetch(this.base + path, { ...init, headers });
    if (res.ok) return res;
    const body = await res.json().catch(() => null);
    const e = body?.error;
    if (res.status === 401) this.onUnauthorized();
    throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `${res.status} ${res.statusText}`, e?.problems ?? []);
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await this.request(path, init)).json() as Promise<T>;
  }

  private send<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return this.json<T>(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  project = () => this.json<{ project: Project }>('/v1/project').then((r) => r.project);

  listRuns = (query: Query, signal?: AbortSignal) => this.json<RunList>(withQuery('/v1/runs', query), { signal });
  getRun = (id: string) => this.json<Run>(`/v1/runs/${id}`);
  patchRun = (id: string, patch: RunPatch) => this.send<Run>('PATCH', `/v1/runs/${id}`, patch);
  cancelRun = (id: string) => this.send<Run>('POST', `/v1/runs/${id}/cancel`);
  createRun = (body: { spec: unknown; name?: string; tags?: string[] }, idempotencyKey: string) => this.send<Run>('POST', '/v1/runs', body, idempotencyKey);

  metrics = (id: string, q: { maxPoints: number; fromStep?: number; toStep?: number }, signal?: AbortSignal) =>
    this.json<MetricList>(withQuery(`/v1/runs/${id}/metrics`, q), { signal });
  epochs = (id: string) => this.json<{ epochs: Epoch[] }>(`/v1/runs/${id}/epochs`).then((r) => r.epochs);
  artifacts = (id: string) => this.json<{ artifacts: Artifact[] }>(`/v1/runs/${id}/artifacts`).then((r) => r.artifacts);
  /** An artifact as a blob: its URL needs the Authorization header, so a plain link cannot load it. */
  artifactBlob = (url: string) => this.request(url).then((r) => r.blob());
  compareMetrics = (ids: string[], maxPoints: number) => this.json<{ series: MetricSeries[] }>(withQuery('/v1/metrics', { runs: ids.join(','), maxPoints, envelope: 'false' })).then((r) => r.series);

  /** Opens a run's event stream; `lastEventId` resumes after that step. */
  runEvents = (id: string, lastEventId: string | null, signal: AbortSignal) => this.stream(`/v1/runs/${id}/events`, lastEventId, signal);
  searchEvents = (id: string, lastEventId: string | null, signal: AbortSignal) => this.stream(`/v1/searches/${id}/events`, lastEventId, signal);

  private stream(path: string, lastEventId: string | null, signal: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== null) headers['last-event-id'] = lastEventId;
    return this.request(path, { headers, signal, cache: 'no-store' });
  }

  listSearches = (query: Query) => this.json<SearchList>(withQuery('/v1/searches', query));
  getSearch = (id: string) => this.json<Search>(`/v1/searches/${id}`);
  createSearch = (body: unknown, idempotencyKey: string) => this.send<Search>('POST', '/v1/searches', body, idempotencyKey);
  cancelSearch = (id: string) => this.send<Search>('POST', `/v1/searches/${id}/cancel`);
  /** Every trial of a search, best first (the search page draws them all). */
  leaderboard = (id: string) => this.json<SearchLeaderboard>(withQuery(`/v1/searches/${id}/leaderboard`, { limit: 10000 }));
  rungs = (id: string) => this.json<Rungs>(`/v1/searches/${id}/rungs`);
  importance = (id: string) => this.json<Importance>(`/v1/searches/${id}/importance`);

  gradientChecks = (runId: string) => this.json<{ gradientChecks: GradientCheck[] }>(withQuery('/v1/gradient-checks', { runId })).then((r) => r.gradientChecks);
  createGradientCheck = (runId: string, idempotencyKey: string) => this.send<GradientCheck>('POST', '/v1/gradient-checks', { runId }, idempotencyKey);
  getGradientCheck = (id: string) => this.json<GradientCheck>(`/v1/gradient-checks/${id}`);
}
