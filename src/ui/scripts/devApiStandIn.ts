// DEVELOPMENT ONLY, to be deleted once the server implements DASHBOARD_API.md: serves dist/ui and
// proxies /v1 to a real API, answering the dashboard additions the API lacks from the same
// Postgres data (project, withTotal, ranged metrics, compare metrics, run and search events by
// polling, rungs from rung_results, parent links). It invents nothing: what the stored data
// cannot give (importance, notes, point wall times) is left to the real API's answer.
//   UPSTREAM=http://127.0.0.1:3111 PORT=3112 DATABASE_URL=... npx tsx src/ui/scripts/devApiStandIn.ts
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import pg from 'pg';

const UPSTREAM = process.env.UPSTREAM ?? 'http://127.0.0.1:3111';
const PORT = Number(process.env.PORT ?? 3112);
const STATIC = new URL('../../../dist/ui/', import.meta.url).pathname;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const parents = new Map<string, string>();

type Json = Record<string, any>;

async function up(req: IncomingMessage, path: string, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: String(req.headers.authorization ?? '') };
  if (init.body) headers['content-type'] = 'application/json';
  if (req.headers['idempotency-key']) headers['idempotency-key'] = String(req.headers['idempotency-key']);
  return fetch(UPSTREAM + path, { ...init, headers });
}
const upJson = async (req: IncomingMessage, path: string) => {
  const r = await up(req, path);
  if (!r.ok) throw Object.assign(new Error(await r.text()), { status: r.status });
  return (await r.json()) as Json;
};

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
async function pipe(res: ServerResponse, r: Response) {
  res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' });
  res.end(Buffer.from(await r.arrayBuffer()));
}
const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
  });

async function projectOf(req: IncomingMessage) {
  const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  const hash = createHash('sha256').update(key).digest('hex');
  const r = await pool.query('SELECT p.id, p.name FROM api_keys k JOIN projects p ON p.id = k.project_id WHERE k.hash = $1 AND k.revoked_at IS NULL', [hash]);
  return r.rows[0] as { id: string; name: string } | undefined;
}

const withParent = (s: Json) => ({ ...s, parentSearchId: parents.get(s.id) ?? null });

async function listRuns(req: IncomingMessage, res: ServerResponse, q: URLSearchParams) {
  const withTotal = q.get('withTotal') === 'true';
  q.delete('withTotal');
  const page = await upJson(req, `/v1/runs?${q}`);
  if (withTotal) {
    const c = new URLSearchParams(q);
    c.delete('cursor');
    c.set('limit', '200');
    let total = 0;
    for (let cursor: string | null = ''; cursor !== null; ) {
      if (cursor) c.set('cursor', cursor);
      const p = await upJson(req, `/v1/runs?${c}`);
      total += p.runs.length;
      cursor = p.nextCursor;
    }
    page.total = total;
  }
  send(res, 200, page);
}

const split = (r: Json, p: string, suffix = '') => ({ loss: r[`${p}l${suffix}`], cost: r[`${p}c${suffix}`], accuracy: r[`${p}a${suffix}`] });

/** The server's thinning (equal-width buckets: last point, min and max), within [from, to]. */
async function rangedMetrics(runId: string, maxPoints: number, from: number, to: number) {
  const b = (await pool.query('SELECT min(step) lo, max(step) hi FROM metric_points WHERE run_id = $1 AND step BETWEEN $2 AND $3', [runId, from, to])).rows[0];
  if (b.lo === null) return { runId, thinned: true, bucketWidth: 1, points: [], nextCursor: null };
  const width = Math.max(1, Math.ceil((b.hi - b.lo + 1) / maxPoints));
  const last = (c: string) => `(array_agg(${c} ORDER BY step DESC))[1]`;
  const rows = (
    await pool.query(
      `SELECT count(*)::int n, min(step) f, max(step) t, ${last('epoch')} epoch, ${last('lr')} lr, bool_or("full") full_,
        ${last('train_loss')} tl, ${last('train_cost')} tc, ${last('train_accuracy')} ta, ${last('validation_loss')} vl, ${last('validation_cost')} vc, ${last('validation_accuracy')} va,
        min(train_loss) tl_min, min(train_cost) tc_min, min(train_accuracy) ta_min, min(validation_loss) vl_min, min(validation_cost) vc_min, min(validation_accuracy) va_min,
        max(train_loss) tl_max, max(train_cost) tc_max, max(train_accuracy) ta_max, max(validation_loss) vl_max, max(validation_cost) vc_max, max(validation_accuracy) va_max
       FROM metric_points WHERE run_id = $1 AND step BETWEEN $2 AND $3 GROUP BY (step - $4::int) / $5::int ORDER BY 3`,
      [runId, from, to, b.lo, width],
    )
  ).rows;
  const points = rows.map((r) => ({
    step: r.t,
    epoch: r.epoch,
    lr: r.lr,
    full: r.full_,
    train: split(r, 't'),
    validation: split(r, 'v'),
    bucket: { fromStep: r.f, toStep: r.t, count: r.n, min: { train: split(r, 't', '_min'), validation: split(r, 'v', '_min') }, max: { train: split(r, 't', '_max'), validation: split(r, 'v', '_max') } },
  }));
  return { runId, thinned: true, bucketWidth: width, points, nextCursor: null };
}

function sse(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  let open = true;
  res.on('close', () => {
    open = false;
    clearInterval(ping);
  });
  return {
    get open() {
      return open;
    },
    event: (type: string, data: unknown, id?: string) => open && res.write(`event: ${type}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`),
    end: () => {
      clearInterval(ping);
      res.end();
    },
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = ['succeeded', 'failed', 'cancelled', 'pruned'];

/** Run events by polling the API once a second (the real endpoint is pushed from the worker). */
async function runEvents(req: IncomingMessage, res: ServerResponse, id: string, q: URLSearchParams) {
  let cursor = Number(req.headers['last-event-id'] ?? q.get('after') ?? -1);
  let epochCursor = 0;
  const s = sse(res);
  let lastRun = '';
  while (s.open) {
    const run = await upJson(req, `/v1/runs/${id}`).catch(() => null);
    if (!run) return s.end();
    const stamp = JSON.stringify([run.status, run.progress, run.metrics, run.cancelRequested]);
    if (stamp !== lastRun) s.event('run', run);
    lastRun = stamp;
    for (;;) {
      const m = await upJson(req, `/v1/runs/${id}/metrics?cursor=${cursor}&limit=5000`);
      for (const p of m.points) s.event('point', p, String((cursor = p.step)));
      if (!m.nextCursor) break;
    }
    const e = await upJson(req, `/v1/runs/${id}/epochs?cursor=${epochCursor}`);
    for (const ep of e.epochs) s.event('epoch', ep), (epochCursor = ep.epoch);
    if (TERMINAL.includes(run.status)) {
      s.event('end', { status: run.status });
      return s.end();
    }
    await sleep(1000);
  }
}

/** Search events by polling: the search when it changes, a trial entry when its state changes. */
async function searchEvents(req: IncomingMessage, res: ServerResponse, id: string) {
  const s = sse(res);
  const seen = new Map<string, string>();
  let lastSearch = '';
  let n = 0;
  while (s.open) {
    const search = await upJson(req, `/v1/searches/${id}`).catch(() => null);
    if (!search) return s.end();
    const stamp = JSON.stringify([search.status, search.counts, search.stages, search.best]);
    if (stamp !== lastSearch) s.event('search', withParent(search));
    lastSearch = stamp;
    const board = await upJson(req, `/v1/searches/${id}/leaderboard?limit=1000`);
    for (const { rank: _rank, ...e } of board.entries) {
      const st = JSON.stringify([e.status, e.objective, e.prunedAtStep]);
      if (seen.get(e.runId) === st) continue;
      seen.set(e.runId, st);
      s.event('trial', e, `t${++n}`);
    }
    if (TERMINAL.includes(search.status)) {
      s.event('end', { status: search.status });
      return s.end();
    }
    await sleep(1000);
  }
}

/** Past the API's 1,000-entry limit: every trial from GET /v1/runs?searchId=, ranked here. */
async function fullBoard(req: IncomingMessage, id: string) {
  const search = await upJson(req, `/v1/searches/${id}`);
  const runs: Json[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const p = await upJson(req, `/v1/runs?searchId=${id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    runs.push(...p.runs);
    cursor = p.nextCursor;
  }
  const sign = search.objective.direction === 'maximize' ? -1 : 1;
  const key = (r: Json) => [r.trial.objective === null ? 2 : r.status === 'pruned' ? 1 : 0, r.trial.objective === null ? 0 : sign * r.trial.objective];
  runs.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || a.trial.stage - b.trial.stage || a.trial.trialIndex - b.trial.trialIndex;
  });
  const entries = runs.map((r, i) => ({
    rank: i + 1,
    runId: r.id,
    name: r.name,
    stage: r.trial.stage,
    trialIndex: r.trial.trialIndex,
    status: r.status,
    params: r.trial.params,
    objective: r.trial.objective,
    value: r.trial.objective,
    metrics: r.metrics ?? { train: null, validation: null, test: null },
    reusedFrom: r.trial.reusedFrom,
    prunedAtStep: r.trial.prunedAtStep,
    links: { run: `/v1/runs/${r.id}` },
  }));
  return { searchId: id, metric: search.objective.metric, direction: search.objective.direction, stage: null, entries };
}

/** GET /v1/searches/:id/rungs from rung_results (values and promotions as the workers decided). */
async function rungs(req: IncomingMessage, res: ServerResponse, id: string) {
  const search = await upJson(req, `/v1/searches/${id}`);
  const { metric, direction } = search.objective;
  const rows = (
    await pool.query('SELECT rr.stage, rr.step, rr.run_id, rr.value, rr.promoted, r.trial_index, r.params, r.steps_total, r.epochs_total FROM rung_results rr JOIN runs r ON r.id = rr.run_id WHERE rr.search_id = $1 ORDER BY rr.stage, rr.step', [id])
  ).rows;
  const byRung = new Map<string, Json[]>();
  for (const r of rows) byRung.set(`${r.stage}:${r.step}`, [...(byRung.get(`${r.stage}:${r.step}`) ?? []), r]);
  const schedule = search.spec.base.training.schedule;
  const out: Json[] = [];
  const rungNo = new Map<number, number>();
  for (const group of byRung.values()) {
    const { stage, step, steps_total, epochs_total } = group[0];
    rungNo.set(stage, (rungNo.get(stage) ?? 0) + 1);
    const better = (a: number, b: number) => (direction === 'maximize' ? b - a : a - b);
    const sorted = [...group].sort((a, b) => better(Number.isFinite(a.value) ? a.value : -Infinity, Number.isFinite(b.value) ? b.value : -Infinity));
    const finite = group.filter((g) => Number.isFinite(g.value));
    const kept = group.filter((g) => g.promoted && Number.isFinite(g.value)).map((g) => g.value);
    out.push({
      stage,
      rung: rungNo.get(stage),
      step,
      epoch: (step * epochs_total) / steps_total,
      cycle: schedule.kind === 'cyclical' ? step / (2 * schedule.stepSize) : null,
      metric,
      direction,
      // The workers promote asynchronously, so how many were kept is what they decided.
      keep: kept.length,
      competitors: finite.length,
      cutoff: kept.length ? (direction === 'maximize' ? Math.min(...kept) : Math.max(...kept)) : null,
      entries: sorted.map((g, i) => ({ runId: g.run_id, trialIndex: g.trial_index, params: g.params, value: Number.isFinite(g.value) ? g.value : null, rank: i + 1, promoted: g.promoted })),
    });
  }
  send(res, 200, { searchId: id, pruning: search.spec.pruning ?? null, rungs: out });
}

function serveStatic(res: ServerResponse, path: string) {
  const file = normalize(join(STATIC, path === '/' ? 'index.html' : path));
  if (!file.startsWith(STATIC) || !existsSync(file)) return send(res, 404, { error: { code: 'not_found', message: 'no such file' } });
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  const q = url.searchParams;
  if (!path.startsWith('/v1/')) return serveStatic(res, path);
  const m = (re: RegExp) => re.exec(path);
  let g: RegExpExecArray | null;
  if (req.method === 'GET' && path === '/v1/project') {
    const p = await projectOf(req);
    return p ? send(res, 200, { project: p }) : send(res, 401, { error: { code: 'unauthorized', message: 'unknown or revoked API key' } });
  }
  if (!(await projectOf(req))) return pipe(res, await up(req, path));
  if (req.method === 'GET' && path === '/v1/runs') return listRuns(req, res, q);
  if (req.method === 'GET' && (g = m(/^\/v1\/runs\/([^/]+)\/metrics$/)) && q.has('fromStep')) {
    await upJson(req, `/v1/runs/${g[1]}`);
    return send(res, 200, await rangedMetrics(g[1], Number(q.get('maxPoints') ?? 1000), Number(q.get('fromStep')), Number(q.get('toStep') ?? 2 ** 31 - 1)));
  }
  if (req.method === 'GET' && path === '/v1/metrics') {
    const ids = (q.get('runs') ?? '').split(',').filter(Boolean);
    const series = [];
    for (const id of ids) {
      const r = await up(req, `/v1/runs/${id}/metrics?maxPoints=${q.get('maxPoints') ?? 400}`);
      if (!r.ok) return send(res, 404, { error: { code: 'not_found', message: `no run ${id} in this project` } });
      const { nextCursor: _n, ...body } = (await r.json()) as Json;
      series.push(body);
    }
    return send(res, 200, { series });
  }
  if (req.method === 'GET' && (g = m(/^\/v1\/runs\/([^/]+)\/events$/))) return runEvents(req, res, g[1], q);
  if (req.method === 'GET' && (g = m(/^\/v1\/searches\/([^/]+)\/events$/))) return searchEvents(req, res, g[1]);
  if (req.method === 'GET' && (g = m(/^\/v1\/searches\/([^/]+)\/rungs$/))) return rungs(req, res, g[1]);
  if (req.method === 'GET' && (g = m(/^\/v1\/searches\/([^/]+)\/leaderboard$/))) {
    if (Number(q.get('limit') ?? 50) <= 1000) return pipe(res, await up(req, `${path}?${q}`));
    return send(res, 200, await fullBoard(req, g[1]));
  }
  if (req.method === 'GET' && (g = m(/^\/v1\/searches\/([^/]+)$/))) return send(res, 200, withParent(await upJson(req, path)));
  if (req.method === 'GET' && path === '/v1/searches') {
    const parent = q.get('parentSearchId');
    q.delete('parentSearchId');
    const list = await upJson(req, `${path}?${q}`);
    list.searches = list.searches.map(withParent).filter((s: Json) => !parent || s.parentSearchId === parent);
    return send(res, 200, list);
  }
  if (req.method === 'POST' && path === '/v1/searches') {
    const body = JSON.parse((await readBody(req)) || '{}');
    const parent = body.parentSearchId;
    delete body.parentSearchId;
    const r = await up(req, path, { method: 'POST', body: JSON.stringify(body) });
    const out = (await r.json()) as Json;
    if (r.ok && parent) parents.set(out.id, parent);
    return send(res, r.status, r.ok ? withParent(out) : out);
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  return pipe(res, await up(req, `${path}${url.search}`, { method: req.method, body: body || undefined }));
}

createServer((req, res) =>
  handle(req, res).catch((err) => {
    if (!res.headersSent) send(res, (err as { status?: number }).status ?? 502, { error: { code: 'internal', message: String((err as Error).message).slice(0, 300) } });
    else res.end();
  }),
).listen(PORT, '127.0.0.1', () => console.log(`dashboard stand-in on http://127.0.0.1:${PORT} (upstream ${UPSTREAM})`));
