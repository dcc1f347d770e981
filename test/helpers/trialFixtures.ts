// Many finished search trials written straight into Postgres (one INSERT ... SELECT), for
// leaderboard latency tests and bench:search: a search of `n` trials over two stages, one in
// ten pruned, with random metrics.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/store/db.js';

export async function insertTrials(db: Db, projectId: string, n: number): Promise<string> {
  const searchId = randomUUID();
  const base = { data: { dataset: 'synthetic', trainSize: 400 }, model: { hidden: [16] } };
  const spec = { name: 'fixture', base, space: { lambda: { logUniform: [-4, -1] } }, strategy: { kind: 'random', trials: n, seed: 1 } };
  await db.$executeRawUnsafe(
    `INSERT INTO searches (id, project_id, name, status, spec, strategy, dataset, objective_metric, direction, stages_total, started_at, finished_at)
     VALUES ($1::uuid, $2::uuid, 'fixture', 'succeeded', $3::json, 'random', 'synthetic', 'validationAccuracy', 'maximize', 2, now(), now())`,
    searchId,
    projectId,
    JSON.stringify(spec),
  );
  await db.$executeRawUnsafe(
    `INSERT INTO search_stages (search_id, stage, kind, intervals, fixed, trials) VALUES ($1::uuid, 0, 'search', '{}', '{}', $2), ($1::uuid, 1, 'search', '{}', '{}', $2)`,
    searchId,
    Math.ceil(n / 2),
  );
  await db.$executeRawUnsafe(
    `INSERT INTO runs (id, project_id, name, status, spec, dataset, hidden_layers, batch_norm, schedule_kind, lambda, batch_size, seed,
                       epochs_total, steps_total, epoch, step, search_id, stage, trial_index, params, spec_hash, objective,
                       train_loss, train_cost, train_accuracy, validation_loss, validation_cost, validation_accuracy,
                       test_loss, test_cost, test_accuracy, pruned_at_step, started_at, finished_at)
     SELECT gen_random_uuid(), $2::uuid, 'trial ' || i, (CASE WHEN i % 10 = 0 THEN 'pruned' ELSE 'succeeded' END)::run_status,
            $3::jsonb, 'synthetic', 1, 'none', 'cyclical', x.lambda, 100, 1, 4, 80, 4, 80, $1::uuid, i % 2, i / 2,
            jsonb_build_object('lambda', x.lambda), md5(i::text || $1), x.acc,
            x.loss, x.loss + 0.1, x.acc + 0.05, x.loss + 0.05, x.loss + 0.15, x.acc,
            CASE WHEN i % 10 = 0 THEN NULL ELSE x.loss + 0.07 END, CASE WHEN i % 10 = 0 THEN NULL ELSE x.loss + 0.17 END,
            CASE WHEN i % 10 = 0 THEN NULL ELSE x.acc - 0.01 END, CASE WHEN i % 10 = 0 THEN 40 ELSE NULL END, now(), now()
     FROM generate_series(0, $4 - 1) AS i,
          LATERAL (SELECT 10 ^ (-4 + 3 * random()) AS lambda, 0.2 + 0.4 * random() AS acc, 1 + random() AS loss, i AS k) AS x`,
    searchId,
    projectId,
    JSON.stringify({ ...base, seed: 1 }),
    n,
  );
  await db.$executeRawUnsafe('ANALYZE runs');
  return searchId;
}

/** Median and 99th percentile of the wall time of `count` sequential calls, in ms. */
export async function latency(count: number, call: () => Promise<unknown>): Promise<{ median: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], p99: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)] };
}
