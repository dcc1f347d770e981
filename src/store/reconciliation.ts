// What the reconciler compares with Redis: unfinished runs, gradient checks and released trial
// groups not touched for a while, and searches not advanced for a while. Re-enqueueing touches the
// row, so that a backlog larger than one pass is worked through rather than rescanned.
import type { Pool } from './pool.js';

export interface StaleJob {
  kind: 'run' | 'gradcheck';
  id: string;
  status: string;
}

export interface StaleGroup {
  id: string;
  searchId: string;
  releases: number;
}

export function reconciliationRepository(pool: Pool) {
  return {
    /** Queued or running runs (search trials are trained by their group's job) and gradient checks, oldest first. */
    async staleJobs(before: Date, limit: number): Promise<StaleJob[]> {
      const r = await pool.query<StaleJob>(
        `(SELECT 'run' AS kind, id, status::text AS status, updated_at FROM runs
          WHERE status IN ('queued', 'running') AND search_id IS NULL AND updated_at < $1 ORDER BY updated_at LIMIT $2)
         UNION ALL
         (SELECT 'gradcheck' AS kind, id, status::text AS status, updated_at FROM gradient_checks
          WHERE status IN ('queued', 'running') AND updated_at < $1 ORDER BY updated_at LIMIT $2)
         ORDER BY updated_at`,
        [before, limit],
      );
      return r.rows.map(({ kind, id, status }) => ({ kind, id, status }));
    },

    /** The job was enqueued again: the row goes back to queued and to the end of the scan. */
    async requeued(job: { kind: 'run' | 'gradcheck'; id: string }): Promise<void> {
      const table = job.kind === 'run' ? 'runs' : 'gradient_checks';
      await pool.query(`UPDATE ${table} SET status = 'queued', updated_at = now() WHERE id = $1 AND status IN ('queued', 'running')`, [job.id]);
    },

    async enqueuedGroups(before: Date, limit: number): Promise<StaleGroup[]> {
      const r = await pool.query<{ id: string; search_id: string; releases: number }>(
        `SELECT id, search_id, releases FROM trial_groups WHERE status = 'enqueued' AND updated_at < $1 ORDER BY updated_at LIMIT $2`,
        [before, limit],
      );
      return r.rows.map((g) => ({ id: g.id, searchId: g.search_id, releases: g.releases }));
    },

    async groupRequeued(groupId: string): Promise<void> {
      await pool.query(`UPDATE runs SET status = 'queued', updated_at = now() WHERE group_id = $1 AND status = 'running'`, [groupId]);
      await pool.query(`UPDATE trial_groups SET updated_at = now() WHERE id = $1`, [groupId]);
    },

    /** Fails a group's unfinished members (its job failed for good) and marks it done; returns its search. */
    async failGroup(groupId: string, message: string): Promise<string | null> {
      await pool.query(
        `UPDATE runs SET status = 'failed', error = $2, finished_at = now(), seconds_left = NULL, lease_token = NULL, updated_at = now()
         WHERE group_id = $1 AND status IN ('queued', 'running')`,
        [groupId, message.slice(0, 4000)],
      );
      const g = await pool.query<{ search_id: string }>(`UPDATE trial_groups SET status = 'done', updated_at = now() WHERE id = $1 RETURNING search_id`, [groupId]);
      return g.rows[0]?.search_id ?? null;
    },

    async searchOfGroup(groupId: string): Promise<string | null> {
      const g = await pool.query<{ search_id: string }>(`SELECT search_id FROM trial_groups WHERE id = $1`, [groupId]);
      return g.rows[0]?.search_id ?? null;
    },

    async idleSearches(before: Date, limit: number): Promise<string[]> {
      const r = await pool.query<{ id: string }>(`SELECT id FROM searches WHERE status IN ('queued', 'running') AND updated_at < $1 ORDER BY updated_at LIMIT $2`, [before, limit]);
      return r.rows.map((s) => s.id);
    },
  };
}

export type ReconciliationRepository = ReturnType<typeof reconciliationRepository>;
