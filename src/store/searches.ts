// Searches as records: creation (idempotent), reads with their stages and per-status trial
// counts, and the list query. What a search does next is the driver's (src/search).
import { Prisma, type Db } from './db.js';
import type { SearchModel, SearchStageModel } from './generated/models.js';
import type { RunStatus, SearchStatus } from './generated/enums.js';
import { byIdempotencyKey, idempotentCreate, newKeyedRecord } from './idempotentCreate.js';
import { decodeCursor, encodeCursor } from './pageCursor.js';
import { RUN_STATUSES } from './runs.js';
import type { RungRow } from '../search/searchStorage.js';

export type SearchRow = SearchModel;
export type SearchStageRow = SearchStageModel;
export const SEARCH_STATUSES: readonly SearchStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export interface NewSearch {
  projectId: string;
  /** The normalised search request, stored as given (json keeps the space's key order). */
  spec: { name?: string };
  /** Columns read off the spec by the caller, for lists and the API. */
  strategy: string;
  dataset: string;
  objectiveMetric: string;
  direction: 'maximize' | 'minimize';
  stagesTotal: number;
  idempotencyKey?: string;
  /** The search this one refines; must be the same project's (checked by the caller). */
  parentSearchId?: string;
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
async function searchDetails(db: Db, ids: string[]): Promise<SearchDetails> {
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

export function searchRepository(db: Db) {
  return {
    async create(s: NewSearch): Promise<{ search: SearchRow; created: boolean }> {
      const find = () => db.search.findUnique({ where: byIdempotencyKey(s.projectId, s.idempotencyKey!) });
      const create = () =>
        db.search.create({
          data: {
            ...newKeyedRecord(s.projectId, s.idempotencyKey),
            name: s.spec.name ?? null,
            spec: s.spec as Prisma.InputJsonValue,
            strategy: s.strategy,
            dataset: s.dataset,
            objectiveMetric: s.objectiveMetric,
            direction: s.direction,
            stagesTotal: s.stagesTotal,
            parentSearchId: s.parentSearchId ?? null,
          },
        });
      const { row, created } = await idempotentCreate(s.idempotencyKey, find, create);
      return { search: row, created };
    },

    get: (projectId: string, id: string): Promise<SearchRow | null> => db.search.findFirst({ where: { id, projectId } }),

    /** Newest first, keyset-paged on (created_at, id); throws CursorError for a cursor of another project. */
    async list(projectId: string, o: { status?: SearchStatus[]; parentSearchId?: string; limit: number; cursor?: string }): Promise<{ searches: SearchRow[]; nextCursor: string | null }> {
      const at = o.cursor ? decodeCursor(projectId, '-createdAt', o.cursor) : null;
      const after: Prisma.SearchWhereInput = at ? { OR: [{ createdAt: { lt: new Date(at.value as string) } }, { createdAt: new Date(at.value as string), id: { lt: at.id } }] } : {};
      const rows = await db.search.findMany({
        where: { projectId, ...(o.status?.length ? { status: { in: o.status } } : {}), ...(o.parentSearchId ? { parentSearchId: o.parentSearchId } : {}), ...after },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: o.limit + 1,
      });
      const page = rows.slice(0, o.limit);
      const last = page.at(-1);
      return { searches: page, nextCursor: rows.length > o.limit && last ? encodeCursor(projectId, { sort: '-createdAt', value: last.createdAt.toISOString(), id: last.id }) : null };
    },

    details: (ids: string[]) => searchDetails(db, ids),

    /** Every value recorded at the search's rungs, with the trial's place in the plan. */
    async rungRows(searchId: string): Promise<RungRow[]> {
      const rows = await db.$queryRaw<{ stage: number; step: number; run_id: string; trial_index: number; params: Record<string, unknown> | null; value: number; promoted: boolean | null }[]>`
        SELECT rr.stage, rr.step, rr.run_id, r.trial_index, r.params, rr.value, rr.promoted
        FROM rung_results rr JOIN runs r ON r.id = rr.run_id
        WHERE rr.search_id = ${searchId}::uuid ORDER BY rr.stage, rr.step, r.trial_index`;
      return rows.map((r) => ({ stage: r.stage, step: r.step, runId: r.run_id, trialIndex: r.trial_index, params: r.params ?? {}, value: r.value, promoted: r.promoted }));
    },

    /** One trial's spec per rung (stage, step): where the rung sits on the schedule. */
    async rungSpecs(searchId: string): Promise<{ stage: number; step: number; spec: unknown }[]> {
      return db.$queryRaw<{ stage: number; step: number; spec: unknown }[]>`
        SELECT DISTINCT ON (rr.stage, rr.step) rr.stage, rr.step, r.spec
        FROM rung_results rr JOIN runs r ON r.id = rr.run_id WHERE rr.search_id = ${searchId}::uuid ORDER BY rr.stage, rr.step, r.trial_index`;
    },

    /** Trials that trained to the end (no copies), with their parameters and objective. */
    async finishedTrials(searchId: string): Promise<{ params: Record<string, unknown>; objective: number }[]> {
      const rows = await db.run.findMany({ where: { searchId, status: 'succeeded', reusedFromRunId: null, objective: { not: null } }, select: { params: true, objective: true } });
      return rows.map((r) => ({ params: (r.params ?? {}) as Record<string, unknown>, objective: r.objective! }));
    },
  };
}

export type SearchRepository = ReturnType<typeof searchRepository>;
