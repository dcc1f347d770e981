// The store: every repository over one Prisma client and one node-postgres pool. The API gets it
// as a Fastify decorator (src/api/storePlugin.ts), the worker and scripts create their own; nothing
// outside src/store talks to Postgres.
import { artifactRepository } from './artifacts.js';
import { createChangeFeed } from './changeFeed.js';
import { createDb } from './db.js';
import { gradientCheckRepository } from './gradientChecks.js';
import { keyRepository } from './keys.js';
import { leaderboardRepository } from './leaderboard.js';
import { metricsRepository } from './metrics.js';
import { pgRunRecorder, type RecorderOptions } from './pgRunRecorder.js';
import { pgSearchStorage } from './pgSearchStorage.js';
import { createPool } from './pool.js';
import { reconciliationRepository } from './reconciliation.js';
import { runRepository } from './runs.js';
import { searchRepository } from './searches.js';

export interface StoreOptions {
  /** Connections of the ORM's pool and of the SQL pool (hot reads and writes, search steps). */
  ormConnections?: number;
  sqlConnections?: number;
}

export function createStore(databaseUrl: string, o: StoreOptions = {}) {
  const db = createDb(databaseUrl, { max: o.ormConnections ?? 10 });
  const pool = createPool(databaseUrl, o.sqlConnections ?? 10);
  const changes = createChangeFeed(databaseUrl);
  return {
    runs: runRepository(db, pool),
    metrics: metricsRepository(db, pool),
    artifacts: artifactRepository(db),
    searches: searchRepository(db),
    searchStorage: pgSearchStorage(pool),
    gradientChecks: gradientCheckRepository(db),
    leaderboards: leaderboardRepository(db),
    keys: keyRepository(db),
    reconciliation: reconciliationRepository(pool),
    /** Runs and searches as they change (LISTEN/NOTIFY); connects on first subscription. */
    changes,
    /** The recorder of one training attempt, fenced by its lease. */
    recorder: (lease: string, ro?: RecorderOptions) => pgRunRecorder(pool, lease, ro),
    /** Whether Postgres answers. */
    ping: async (): Promise<void> => {
      await pool.query('SELECT 1');
    },
    async close(): Promise<void> {
      await Promise.all([db.$disconnect().catch(() => {}), pool.end().catch(() => {}), changes.close()]);
    },
  };
}

export type Store = ReturnType<typeof createStore>;
