// A run as Postgres holds it (status, lease, epochs, points, artifacts), read straight from the
// tables, and the comparison with an uninterrupted run: nothing lost, nothing stored twice,
// every value (epochs, points, final metrics, artifacts) what the uninterrupted run gives.
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { EvalPoint, SplitMetrics } from '../../src/core/training/metrics.js';
import { withoutTimings, type ReferenceRun } from './referenceRun.js';

export interface StoredEpoch {
  epoch: number;
  step: number;
  lr: number;
  train: SplitMetrics;
  validation: SplitMetrics;
}

export interface StoredRun {
  status: string;
  step: number;
  attempts: number;
  leaseToken: string | null;
  metrics: { train: SplitMetrics | null; validation: SplitMetrics | null; test: SplitMetrics | null };
  epochs: StoredEpoch[];
  points: EvalPoint[];
  artifacts: Map<string, Buffer>;
}

const split = (r: Record<string, unknown>, s: string): SplitMetrics | null =>
  r[`${s}_loss`] === null ? null : { loss: r[`${s}_loss`] as number, cost: r[`${s}_cost`] as number, accuracy: r[`${s}_accuracy`] as number };

/** The run's row and history. */
export async function readRun(pool: pg.Pool, runId: string): Promise<StoredRun> {
  const [run, epochs, points, artifacts] = await Promise.all([
    pool.query(`SELECT status::text AS status, step, attempts, lease_token, train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy, test_loss, test_cost, test_accuracy FROM runs WHERE id = $1`, [runId]),
    pool.query(`SELECT * FROM epochs WHERE run_id = $1 ORDER BY epoch`, [runId]),
    pool.query(`SELECT * FROM metric_points WHERE run_id = $1 ORDER BY step`, [runId]),
    pool.query(`SELECT name, data FROM artifacts WHERE run_id = $1 ORDER BY name`, [runId]),
  ]);
  const r = run.rows[0];
  assert.ok(r, `run ${runId} exists`);
  return {
    status: r.status,
    step: r.step,
    attempts: r.attempts,
    leaseToken: r.lease_token,
    metrics: { train: split(r, 'train'), validation: split(r, 'validation'), test: split(r, 'test') },
    epochs: epochs.rows.map((e) => ({ epoch: e.epoch, step: e.step, lr: e.lr, train: split(e, 'train')!, validation: split(e, 'validation')! })),
    points: points.rows.map((p) => ({ step: p.step, epoch: p.epoch, lr: p.lr, train: split(p, 'train')!, validation: split(p, 'validation')!, full: p.full })),
    artifacts: new Map(artifacts.rows.map((a) => [a.name as string, a.data as Buffer])),
  };
}

/** Succeeded, lease released, and everything stored exactly as the uninterrupted run has it. */
export function assertSameAsUninterrupted(stored: StoredRun, ref: ReferenceRun, why = ''): void {
  const at = why ? ` (${why})` : '';
  assert.equal(stored.status, 'succeeded', `status${at}`);
  assert.equal(stored.leaseToken, null, `a finished run holds no lease${at}`);
  assert.equal(stored.step, ref.result.steps, `step${at}`);
  assert.deepEqual(
    stored.epochs.map((e) => e.epoch),
    ref.result.epochs.map((e) => e.epoch),
    `each epoch stored once${at}`,
  );
  assert.deepEqual(
    stored.epochs,
    ref.result.epochs.map(({ trainSeconds: _t, ...e }) => e),
    `epoch values${at}`,
  );
  assert.deepEqual(
    stored.points.map((p) => p.step),
    ref.result.points.map((p) => p.step),
    `every evaluation point once${at}`,
  );
  assert.deepEqual(stored.points, ref.result.points, `point values${at}`);
  assert.deepEqual(stored.metrics, { train: ref.result.train, validation: ref.result.validation, test: ref.result.test }, `final metrics${at}`);
  assert.deepEqual([...stored.artifacts.keys()].sort(), [...ref.artifacts.keys()].sort(), `artifacts complete${at}`);
  for (const [name, body] of ref.artifacts) {
    const got = stored.artifacts.get(name)!;
    if (name === 'result.json') assert.deepEqual(withoutTimings(got), withoutTimings(body), `result.json${at}`);
    else assert.ok(got.equals(body), `artifact ${name} identical to the uninterrupted run's${at}`);
  }
}
