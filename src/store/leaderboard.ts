// Leaderboards: a search's trials ranked (whole search or one stage), and the project's best runs
// per dataset and metric. Both are single indexed queries (see the searches migration); with
// 10,000 trials in a project they answer in a few milliseconds (bench:search measures it).
import type { Db } from './db.js';
import type { RunStatus } from './generated/enums.js';

/** Rankable metrics: their column and which way is better. */
export const BOARD_METRICS = {
  validationAccuracy: { column: 'validation_accuracy', better: 'max' },
  testAccuracy: { column: 'test_accuracy', better: 'max' },
  trainAccuracy: { column: 'train_accuracy', better: 'max' },
  validationLoss: { column: 'validation_loss', better: 'min' },
  validationCost: { column: 'validation_cost', better: 'min' },
  trainLoss: { column: 'train_loss', better: 'min' },
} as const;
export type BoardMetric = keyof typeof BOARD_METRICS;

export interface BoardRow {
  id: string;
  name: string | null;
  status: RunStatus;
  search_id: string | null;
  stage: number | null;
  trial_index: number | null;
  params: Record<string, unknown> | null;
  objective: number | null;
  value: number | null;
  reused_from_run_id: string | null;
  pruned_at_step: number | null;
  hidden: number[] | null;
  batch_norm: string;
  lambda: number;
  train_loss: number | null;
  train_cost: number | null;
  train_accuracy: number | null;
  validation_loss: number | null;
  validation_cost: number | null;
  validation_accuracy: number | null;
  test_loss: number | null;
  test_cost: number | null;
  test_accuracy: number | null;
  finished_at: Date | null;
  updated_at: Date;
}

const COLUMNS = `id, name, status::text AS status, search_id, stage, trial_index, params, objective, reused_from_run_id, pruned_at_step,
  spec->'model'->'hidden' AS hidden, batch_norm, lambda, train_loss, train_cost, train_accuracy, validation_loss, validation_cost,
  validation_accuracy, test_loss, test_cost, test_accuracy, finished_at, updated_at`;

export interface SearchBoardOptions {
  /** 'objective' ranks by the search's objective in its direction. */
  metric: BoardMetric | 'objective';
  direction: 'maximize' | 'minimize';
  stage?: number;
  limit: number;
}

/**
 * A search's trials, best first: trials with a value before those without, and pruned trials
 * (valued mid-training, at a rung) after those that finished; ties in plan order.
 */
async function searchLeaderboard(db: Db, searchId: string, o: SearchBoardOptions): Promise<BoardRow[]> {
  const column = o.metric === 'objective' ? 'objective' : BOARD_METRICS[o.metric].column;
  const desc = o.metric === 'objective' ? o.direction === 'maximize' : BOARD_METRICS[o.metric].better === 'max';
  const params: unknown[] = [searchId, o.limit];
  if (o.stage !== undefined) params.push(o.stage);
  return db.$queryRawUnsafe<BoardRow[]>(
    `SELECT ${COLUMNS}, ${column} AS value FROM runs
     WHERE search_id = $1::uuid ${o.stage !== undefined ? 'AND stage = $3' : ''}
     ORDER BY (${column} IS NULL), (status = 'pruned'), ${column} ${desc ? 'DESC' : 'ASC'}, stage, trial_index
     LIMIT $2`,
    ...params,
  );
}

/** The project's succeeded runs (trials or not, reused copies left out) on one dataset, best first. */
async function projectLeaderboard(db: Db, projectId: string, o: { dataset: string; metric: BoardMetric; limit: number }): Promise<BoardRow[]> {
  const m = BOARD_METRICS[o.metric];
  // Matches the partial index runs_board_<metric>_idx: an index scan that stops after `limit` rows.
  return db.$queryRawUnsafe<BoardRow[]>(
    `SELECT ${COLUMNS}, ${m.column} AS value FROM runs
     WHERE project_id = $1::uuid AND dataset = $2 AND status = 'succeeded' AND reused_from_run_id IS NULL AND ${m.column} IS NOT NULL
     ORDER BY ${m.column} ${m.better === 'max' ? 'DESC' : 'ASC'}
     LIMIT $3`,
    projectId,
    o.dataset,
    o.limit,
  );
}

export function leaderboardRepository(db: Db) {
  return {
    /** The search's trials changed at or after `since`, oldest change first (a live view's feed). */
    changedSince: (searchId: string, since: Date, limit: number) =>
      db.$queryRawUnsafe<BoardRow[]>(
        `SELECT ${COLUMNS}, objective AS value FROM runs WHERE search_id = $1::uuid AND updated_at >= $2 ORDER BY updated_at, stage, trial_index LIMIT $3`,
        searchId,
        since,
        limit,
      ),
    search: (searchId: string, o: SearchBoardOptions) => searchLeaderboard(db, searchId, o),
    project: (projectId: string, o: { dataset: string; metric: BoardMetric; limit: number }) => projectLeaderboard(db, projectId, o),
  };
}

export type LeaderboardRepository = ReturnType<typeof leaderboardRepository>;
