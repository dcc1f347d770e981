// Searches: creation (idempotent), reads with their stages and per-status trial counts, the
// list query, cancellation, and the search's best trial.
import { randomUUID } from 'node:crypto';
import { objectiveDirection, type SearchSpec } from '../search/searchSpec.js';
import { stageCount } from '../search/stagePlanner.js';
import { Prisma, type Db } from './db.js';
import type { SearchModel, SearchStageModel } from './generated/models.js';
import type { RunStatus, SearchStatus } from './generated/enums.js';
import { isUniqueViolation, RUN_STATUSES } from './runs.js';

export type SearchRow = SearchModel;
export type SearchStageRow = SearchStageModel;
export const SEARCH_STATUSES: readonly SearchStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
export const SEARCH_TERMINAL: readonly SearchStatus[] = ['succeeded', 'failed', 'cancelled'];

/** The client or an interactive transaction's client. */
export type Tx = Prisma.TransactionClient | Db;

export interface NewSearch {
  projectId: string;
  search: SearchSpec;
  idempotencyKey?: string;
}

export async function createSearch(db: Db, s: NewSearch): Promise<{ search: SearchRow; created: boolean }> {
  const byKey = () => db.search.findUnique({ where: { projectId_idempotencyKey: { projectId: s.projectId, idempotencyKey: s.idempotencyKey! } } });
  if (s.idempotencyKey) {
    const existing = await byKey();
    if (existing) return { search: existing, created: false };
  }
  try {
    const search = await db.search.create({
      data: {
        id: randomUUID(),
        projectId: s.projectId,
        name: s.search.name ?? null,
        idempotencyKey: s.idempotencyKey ?? null,
        spec: s.search as unknown as Prisma.InputJsonValue,
        strategy: s.search.strategy.kind,
        dataset: s.search.base.data.dataset,
        objectiveMetric: s.search.objective.metric,
        direction: objectiveDirection(s.search),
        stagesTotal: stageCount(s.search),
      },
    });
    return { search, created: true };
  } catch (err) {
    if (s.idempotencyKey && isUniqueViolation(err)) {
      const existing = await byKey();
      if (existing) return { search: existing, created: false };
    }
    throw err;
  }
}

export function getSearch(db: Db, projectId: string, id: string): Promise<SearchRow | null> {
  return db.search.findFirst({ where: { id, projectId } });
}

export async function listSearches(db: Db, projectId: string, o: { status?: SearchStatus[]; limit: number; after?: string }): Promise<{ searches: SearchRow[]; more: boolean }> {
  const rows = await db.search.findMany({
    where: { projectId, ...(o.status?.length ? { status: { in: o.status } } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: o.limit + 1,
    ...(o.after ? { cursor: { id: o.after }, skip: 1 } : {}),
  });
  return { searches: rows.slice(0, o.limit), more: rows.length > o.limit };
}

export type StatusCounts = Record<RunStatus, number> & { reused: number; total: number };

function emptyCounts(): StatusCounts {
  return { ...(Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>), reused: 0, total: 0 };
}

export interface SearchDetails {
  stages: SearchStageRow[];
  /** Trial counts per search, and per stage of each search. */
  counts: Map<string, { all: StatusCounts; byStage: Map<number, StatusCounts> }>;
}

/** Stages and trial counts of the given searches, in two queries. */
export async function searchDetails(db: Db, ids: string[]): Promise<SearchDetails> {
  if (ids.length === 0) return { stages: [], counts: new Map() };
  const [stages, groups] = await Promise.all([
    db.searchStage.findMany({ where: { searchId: { in: ids } }, orderBy: [{ searchId: 'asc' }, { stage: 'asc' }] }),
    db.$queryRawUnsafe<{ search_id: string; stage: number; status: RunStatus; n: number; reused: number }[]>(
      `SELECT search_id, stage, status::text AS status, count(*)::int AS n, count(reused_from_run_id)::int AS reused
       FROM runs WHERE search_id = ANY($1::uuid[]) GROUP BY search_id, stage, status`,
      ids,
    ),
  ]);
  const counts: SearchDetails['counts'] = new Map(ids.map((id) => [id, { all: emptyCounts(), byStage: new Map() }]));
  for (const g of groups) {
    const entry = counts.get(g.search_id)!;
    if (!entry.byStage.has(g.stage)) entry.byStage.set(g.stage, emptyCounts());
    for (const c of [entry.all, entry.byStage.get(g.stage)!]) {
      c[g.status] += g.n;
      c.total += g.n;
      c.reused += g.reused;
    }
  }
  return { stages, counts };
}

/**
 * Asks a search to stop: its queued trials are cancelled at once, running ones are flagged (their
 * workers stop at the next step), what was recorded stays. Without running trials the search is
 * cancelled now; otherwise the coordinator finishes it when they have stopped.
 */
export async function requestSearchCancel(db: Db, projectId: string, id: string): Promise<SearchRow | null> {
  await db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM searches WHERE id = ${id}::uuid AND project_id = ${projectId}::uuid AND status IN ('queued', 'running') FOR UPDATE`;
      if (locked.length === 0) return;
      await cancelTrials(tx, id);
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
  return getSearch(db, projectId, id);
}

/** Cancels queued trials, flags running ones, and cancels the search if nothing runs any more. Call with the search row locked. */
export async function cancelTrials(tx: Tx, searchId: string): Promise<void> {
  const now = new Date();
  await tx.search.update({ where: { id: searchId }, data: { cancelRequestedAt: now } });
  await tx.run.updateMany({ where: { searchId, status: 'queued' }, data: { status: 'cancelled', cancelRequestedAt: now, finishedAt: now, secondsLeft: null } });
  await tx.run.updateMany({ where: { searchId, status: 'running', cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
  const running = await tx.run.count({ where: { searchId, status: 'running' } });
  if (running === 0) {
    await tx.trialGroup.updateMany({ where: { searchId, status: { not: 'done' } }, data: { status: 'done' } });
    await tx.search.update({ where: { id: searchId }, data: { status: 'cancelled', finishedAt: now } });
  }
}

/**
 * Stores the search's best trial: the final retrain once it succeeded (it is the answer), else
 * the succeeded trial with the best objective (earliest on ties, as the planner ranks).
 */
export async function refreshBest(db: Tx, searchId: string): Promise<void> {
  const row = await db.search.findUnique({ where: { id: searchId }, select: { direction: true } });
  if (!row) return;
  const order = row.direction === 'minimize' ? 'ASC' : 'DESC';
  const split = (p: string) => `CASE WHEN r.${p}_accuracy IS NULL THEN NULL ELSE jsonb_build_object('loss', r.${p}_loss, 'cost', r.${p}_cost, 'accuracy', r.${p}_accuracy) END`;
  await db.$executeRawUnsafe(
    `UPDATE searches s SET best_run_id = b.id, best_objective = b.objective, best_params = b.params, best_metrics = b.metrics, updated_at = now()
     FROM (SELECT r.id, r.objective, r.params,
                  jsonb_build_object('train', ${split('train')}, 'validation', ${split('validation')}, 'test', ${split('test')}) AS metrics
           FROM runs r JOIN search_stages st ON st.search_id = r.search_id AND st.stage = r.stage
           WHERE r.search_id = $1::uuid AND r.status = 'succeeded' AND r.objective IS NOT NULL
           ORDER BY (st.kind = 'finalRetrain') DESC, r.objective ${order}, r.stage, r.trial_index
           LIMIT 1) b
     WHERE s.id = $1::uuid AND s.best_run_id IS DISTINCT FROM b.id`,
    searchId,
  );
}
