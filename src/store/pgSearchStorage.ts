// The search storage in Postgres (the contract is src/search/searchStorage.ts; the in-memory one
// is its twin). A search step holds the search row's lock for its whole transaction (FOR NO KEY
// UPDATE: steps and cancels exclude each other, but a trainer's insert that only references the
// search, a rung value, is not blocked, so the two cannot deadlock over the trainer's run rows); a
// rung is locked by an advisory transaction lock, so values recorded by trainers on any machine
// and decisions are serialised per rung.
import { randomUUID } from 'node:crypto';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import type * as Contract from '../search/searchStorage.js';
import { inTransaction, type Pool, type PoolClient } from './pool.js';
import { specColumns, TERMINAL } from './runs.js';
import { splitColumns, splitOf, splitValues } from './splitColumns.js';

const RESULT_COLUMNS = splitColumns(['train', 'validation', 'test']);
const COPIED = [...RESULT_COLUMNS, 'objective', 'pruned_at_step', 'step', 'epoch', 'backend', 'error'];
const TERMINAL_SQL = TERMINAL.map((t) => `'${t}'`).join(', ');

const TRIAL_SELECT = `SELECT id, stage, trial_index, params, spec, spec_hash, status::text AS status, objective, group_id, reused_from_run_id FROM runs`;

interface TrialRow {
  id: string;
  stage: number;
  trial_index: number;
  params: Record<string, unknown> | null;
  spec: unknown;
  spec_hash: string;
  status: Contract.TrialRecord['status'];
  objective: number | null;
  group_id: string | null;
  reused_from_run_id: string | null;
}

const trialOf = (r: TrialRow): Contract.TrialRecord => ({
  id: r.id,
  stage: r.stage,
  trialIndex: r.trial_index,
  params: r.params ?? {},
  spec: r.spec,
  specHash: r.spec_hash,
  status: r.status,
  objective: r.objective,
  groupId: r.group_id,
  reusedFromRunId: r.reused_from_run_id,
});

const rungLock = (searchId: string, stage: number, step: number) => `rung:${searchId}:${stage}:${step}`;

function rungTx(c: PoolClient, searchId: string, stage: number, step: number): Contract.RungTx {
  return {
    async entries() {
      const r = await c.query<{ run_id: string; value: number; promoted: boolean | null }>(
        'SELECT run_id, value, promoted FROM rung_results WHERE search_id = $1 AND stage = $2 AND step = $3 ORDER BY created_at, run_id',
        [searchId, stage, step],
      );
      return r.rows.map((e) => ({ runId: e.run_id, value: e.value, promoted: e.promoted }));
    },
    async record(entries: Contract.RungEntryInput[]) {
      for (const e of entries) {
        // A diverged trial's NaN is stored as NaN (float8 has it); it never continues.
        await c.query(
          `INSERT INTO rung_results (search_id, stage, step, run_id, value, promoted, ${splitColumns(['train', 'validation']).join(', ')})
           VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
          [searchId, stage, step, e.runId, e.value, ...splitValues(e.train), ...splitValues(e.validation)],
        );
      }
    },
    async trials() {
      return (await c.query<TrialRow>(`${TRIAL_SELECT} WHERE search_id = $1 AND stage = $2 ORDER BY trial_index`, [searchId, stage])).rows.map(trialOf);
    },
    async decide(promoted: Map<string, boolean>) {
      const ids = [...promoted.keys()];
      await c.query(
        `UPDATE rung_results rr SET promoted = d.p FROM unnest($4::uuid[], $5::bool[]) AS d(id, p)
         WHERE rr.search_id = $1 AND rr.stage = $2 AND rr.step = $3 AND rr.run_id = d.id`,
        [searchId, stage, step, ids, ids.map((id) => promoted.get(id))],
      );
      await c.query(
        `UPDATE runs r SET status = 'pruned', objective = CASE WHEN rr.value = 'NaN'::float8 THEN NULL ELSE rr.value END,
                pruned_at_step = rr.step, step = rr.step,
                ${splitColumns(['train', 'validation']).map((col) => `${col} = rr.${col}`).join(', ')},
                test_loss = NULL, test_cost = NULL, test_accuracy = NULL,
                seconds_left = NULL, finished_at = now(), lease_token = NULL, updated_at = now()
         FROM rung_results rr
         WHERE rr.search_id = $1 AND rr.stage = $2 AND rr.step = $3 AND rr.promoted = false AND r.id = rr.run_id
           AND r.id = ANY($4::uuid[]) AND r.status IN ('queued', 'running')`,
        [searchId, stage, step, ids],
      );
    },
  };
}

function searchTx(c: PoolClient, searchId: string): Contract.SearchTx {
  return {
    async search() {
      const r = await c.query<{ id: string; project_id: string; spec: unknown; status: Contract.SearchStatus; cancelled: boolean; step_failures: number }>(
        `SELECT id, project_id, spec, status::text AS status, cancel_requested_at IS NOT NULL AS cancelled, step_failures FROM searches WHERE id = $1`,
        [searchId],
      );
      const s = r.rows[0];
      return { id: s.id, projectId: s.project_id, spec: s.spec, status: s.status, cancelRequested: s.cancelled, stepFailures: s.step_failures };
    },
    async setStatus(status, error) {
      await c.query(
        `UPDATE searches SET status = $2::search_status, error = COALESCE($3, error),
                started_at = CASE WHEN $2 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
                finished_at = CASE WHEN $2 IN ('succeeded', 'failed', 'cancelled') THEN now() ELSE finished_at END, updated_at = now()
         WHERE id = $1`,
        [searchId, status, error?.slice(0, 4000) ?? null],
      );
    },
    async stages() {
      const r = await c.query<{ stage: number; kind: 'search' | 'finalRetrain'; closed: boolean }>(
        'SELECT stage, kind, finished_at IS NOT NULL AS closed FROM search_stages WHERE search_id = $1 ORDER BY stage',
        [searchId],
      );
      return r.rows;
    },
    async insertStage(plan, lineage) {
      await c.query(
        `INSERT INTO search_stages (search_id, stage, kind, intervals, fixed, trials, parent_stage, lineage_best_run_id, lineage_second_run_id, lineage_best_params, lineage_second_params)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          searchId,
          plan.stage,
          plan.kind,
          JSON.stringify(plan.intervals),
          JSON.stringify(plan.fixed),
          plan.trials.length,
          plan.lineage?.parentStage ?? null,
          lineage.bestRunId,
          lineage.secondRunId,
          plan.lineage ? JSON.stringify(plan.lineage.best) : null,
          plan.lineage?.second ? JSON.stringify(plan.lineage.second) : null,
        ],
      );
    },
    async closeStage(stage) {
      await c.query('UPDATE search_stages SET finished_at = now() WHERE search_id = $1 AND stage = $2 AND finished_at IS NULL', [searchId, stage]);
    },
    async trials() {
      return (await c.query<TrialRow>(`${TRIAL_SELECT} WHERE search_id = $1 ORDER BY stage, trial_index`, [searchId])).rows.map(trialOf);
    },
    async reusableRuns(hashes) {
      const r = await c.query(
        `SELECT r.id, r.spec_hash, ${splitColumns(['train', 'validation']).join(', ')} FROM runs r, searches s
         WHERE s.id = $1 AND r.project_id = s.project_id AND r.status = 'succeeded' AND r.reused_from_run_id IS NULL AND r.spec_hash = ANY($2)
         ORDER BY r.finished_at`,
        [searchId, hashes],
      );
      return r.rows.map(
        (x): Contract.ReusableRun => ({ runId: x.id, specHash: x.spec_hash, train: splitOf(x.train_loss, x.train_cost, x.train_accuracy), validation: splitOf(x.validation_loss, x.validation_cost, x.validation_accuracy) }),
      );
    },
    async insertTrials(groups: Contract.NewGroup[], trials: Contract.NewTrial[]) {
      const project = (await c.query<{ project_id: string }>('SELECT project_id FROM searches WHERE id = $1', [searchId])).rows[0].project_id;
      for (const g of groups) {
        await c.query('INSERT INTO trial_groups (id, search_id, stage, position, size) VALUES ($1, $2, $3, $4, $5)', [g.id, searchId, g.stage, g.position, g.size]);
      }
      for (const t of trials) {
        const cols = specColumns(t.spec as ExperimentSpec);
        await c.query(
          `INSERT INTO runs (id, project_id, name, spec, dataset, hidden_layers, batch_norm, schedule_kind, lambda, batch_size, seed, epochs_total, steps_total, spec_hash,
                             search_id, stage, trial_index, params, group_id, reused_from_run_id, objective)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
          [
            t.id,
            project,
            t.name,
            JSON.stringify(t.spec),
            cols.dataset,
            cols.hiddenLayers,
            cols.batchNorm,
            cols.scheduleKind,
            cols.lambda,
            cols.batchSize,
            String(cols.seed),
            cols.epochsTotal,
            cols.stepsTotal,
            t.specHash,
            searchId,
            t.stage,
            t.trialIndex,
            JSON.stringify(t.params),
            t.groupId,
            t.twinId ?? t.reuse?.runId ?? null,
            t.reuse?.objective ?? null,
          ],
        );
        if (t.reuse) {
          await c.query(
            `UPDATE runs d SET status = o.status, ${COPIED.filter((col) => col !== 'objective').map((col) => `${col} = o.${col}`).join(', ')},
                    seconds_left = NULL, started_at = now(), finished_at = now(), updated_at = now()
             FROM runs o WHERE d.id = $1 AND o.id = $2`,
            [t.id, t.reuse.runId],
          );
        }
      }
    },
    async settleTwins() {
      await c.query(
        `UPDATE runs d SET status = o.status, ${COPIED.map((col) => `${col} = o.${col}`).join(', ')},
                seconds_left = NULL, started_at = COALESCE(d.started_at, now()), finished_at = now(), updated_at = now()
         FROM runs o
         WHERE d.search_id = $1 AND d.reused_from_run_id = o.id AND d.status = 'queued' AND o.status IN (${TERMINAL_SQL})`,
        [searchId],
      );
    },
    async groups() {
      const r = await c.query<{ id: string; stage: number; position: number; size: number; status: Contract.GroupStatus; wait_step: number | null; releases: number }>(
        'SELECT id, stage, position, size, status, wait_step, releases FROM trial_groups WHERE search_id = $1 ORDER BY stage, position',
        [searchId],
      );
      return r.rows.map((g): Contract.GroupRecord => ({ id: g.id, stage: g.stage, position: g.position, size: g.size, status: g.status, waitStep: g.wait_step, releases: g.releases }));
    },
    async setGroupStatus(ids, status) {
      await c.query(
        `UPDATE trial_groups SET status = $2, wait_step = CASE WHEN $2 = 'waiting' THEN wait_step ELSE NULL END,
                releases = releases + CASE WHEN $2 = 'enqueued' THEN 1 ELSE 0 END, updated_at = now()
         WHERE id = ANY($1::uuid[])`,
        [ids, status],
      );
    },
    async cancelTrials() {
      await c.query('UPDATE searches SET cancel_requested_at = COALESCE(cancel_requested_at, now()), updated_at = now() WHERE id = $1', [searchId]);
      await c.query(
        `UPDATE runs SET status = 'cancelled', cancel_requested_at = now(), finished_at = now(), seconds_left = NULL, updated_at = now() WHERE search_id = $1 AND status = 'queued'`,
        [searchId],
      );
      await c.query(`UPDATE runs SET cancel_requested_at = now(), updated_at = now() WHERE search_id = $1 AND status = 'running' AND cancel_requested_at IS NULL`, [searchId]);
      const running = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM runs WHERE search_id = $1 AND status = 'running'`, [searchId])).rows[0].n);
      if (running === 0) await c.query(`UPDATE trial_groups SET status = 'done', updated_at = now() WHERE search_id = $1 AND status <> 'done'`, [searchId]);
      return running;
    },
    async cancelQueuedTrials() {
      await c.query(`UPDATE runs SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE search_id = $1 AND status = 'queued'`, [searchId]);
    },
    async setBest(runId) {
      const split = (p: string) => `CASE WHEN r.${p}_accuracy IS NULL THEN NULL ELSE jsonb_build_object('loss', r.${p}_loss, 'cost', r.${p}_cost, 'accuracy', r.${p}_accuracy) END`;
      if (runId === null) {
        await c.query('UPDATE searches SET best_run_id = NULL, best_objective = NULL, best_params = NULL, best_metrics = NULL WHERE id = $1 AND best_run_id IS NOT NULL', [searchId]);
        return;
      }
      await c.query(
        `UPDATE searches s SET best_run_id = r.id, best_objective = r.objective, best_params = r.params,
                best_metrics = jsonb_build_object('train', ${split('train')}, 'validation', ${split('validation')}, 'test', ${split('test')}), updated_at = now()
         FROM runs r WHERE s.id = $1 AND r.id = $2 AND s.best_run_id IS DISTINCT FROM r.id`,
        [searchId, runId],
      );
    },
    async clearStepFailures() {
      await c.query('UPDATE searches SET step_failures = 0 WHERE id = $1 AND step_failures <> 0', [searchId]);
    },
    async rungs(stage) {
      const r = await c.query<{ step: number; run_id: string; value: number; promoted: boolean | null }>(
        'SELECT step, run_id, value, promoted FROM rung_results WHERE search_id = $1 AND stage = $2 ORDER BY step, created_at, run_id',
        [searchId, stage],
      );
      const out = new Map<number, Contract.RungEntryRecord[]>();
      for (const e of r.rows) out.set(e.step, [...(out.get(e.step) ?? []), { runId: e.run_id, value: e.value, promoted: e.promoted }]);
      return out;
    },
    async inRung(stage, step, f) {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [rungLock(searchId, stage, step)]);
      return f(rungTx(c, searchId, stage, step));
    },
  };
}

export function pgSearchStorage(pool: Pool): Contract.SearchStorage {
  return {
    inSearch: (searchId, f) =>
      inTransaction(pool, async (c) => {
        const locked = await c.query('SELECT id FROM searches WHERE id = $1 FOR NO KEY UPDATE', [searchId]);
        if (locked.rowCount === 0) return null;
        const out = await f(searchTx(c, searchId));
        // Touched on every step: the reconciler wakes only searches nobody advanced for a while.
        await c.query('UPDATE searches SET updated_at = now() WHERE id = $1', [searchId]);
        return out;
      }),

    inRung: (searchId, stage, step, f) =>
      inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [rungLock(searchId, stage, step)]);
        return f(rungTx(c, searchId, stage, step));
      }),

    claimGroup: (groupId) =>
      inTransaction(pool, async (c): Promise<Contract.GroupClaim | null> => {
        const g = await c.query<{ search_id: string; stage: number; spec: unknown }>(
          `SELECT g.search_id, g.stage, s.spec FROM trial_groups g JOIN searches s ON s.id = g.search_id WHERE g.id = $1 FOR UPDATE OF g`,
          [groupId],
        );
        if (g.rowCount === 0) return null;
        const lease = randomUUID();
        await c.query(
          `UPDATE runs SET status = 'cancelled', finished_at = now(), seconds_left = NULL, lease_token = NULL, updated_at = now()
           WHERE group_id = $1 AND status IN ('queued', 'running') AND cancel_requested_at IS NOT NULL`,
          [groupId],
        );
        const members = await c.query<{ id: string; spec: unknown; trial_index: number }>(
          `UPDATE runs SET status = 'running', lease_token = $2, attempts = attempts + 1, started_at = COALESCE(started_at, now()), error = NULL, updated_at = now()
           WHERE group_id = $1 AND status IN ('queued', 'running') RETURNING id, spec, trial_index`,
          [groupId, lease],
        );
        const ordered = [...members.rows].sort((a, b) => a.trial_index - b.trial_index);
        return { searchId: g.rows[0].search_id, searchSpec: g.rows[0].spec, stage: g.rows[0].stage, members: ordered.map((m) => ({ id: m.id, spec: m.spec })), lease };
      }),

    noteStepFailure: async (searchId) => {
      const r = await pool.query<{ step_failures: number }>('UPDATE searches SET step_failures = step_failures + 1 WHERE id = $1 RETURNING step_failures', [searchId]);
      return r.rows[0]?.step_failures ?? 0;
    },
    parkGroup: async (groupId, step) => {
      await pool.query(`UPDATE trial_groups SET status = 'waiting', wait_step = $2, updated_at = now() WHERE id = $1 AND status <> 'done'`, [groupId, step]);
    },

    stageGroupsTraining: async (searchId, stage, except, step) => {
      const r = await pool.query<{ unfinished: string; training: string }>(
        `SELECT count(*) AS unfinished, count(*) FILTER (WHERE running > 0) AS training FROM (
           SELECT g.id, count(*) FILTER (WHERE r.status = 'running') AS running
           FROM trial_groups g JOIN runs r ON r.group_id = g.id AND r.status IN ('queued', 'running')
           WHERE g.search_id = $1 AND g.stage = $2 AND g.id <> $3 AND g.status <> 'done' AND NOT (g.status = 'waiting' AND g.wait_step = $4)
           GROUP BY g.id) x`,
        [searchId, stage, except, step],
      );
      return { unfinished: Number(r.rows[0].unfinished), training: Number(r.rows[0].training) };
    },
  };
}
