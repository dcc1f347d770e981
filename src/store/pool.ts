// node-postgres pools for the store's SQL (hot-path writes, the search storage, the hot read):
// one round trip per statement and bytea as binary, several times cheaper than the ORM here.
import pg from 'pg';

export type { Pool, PoolClient } from 'pg';

export function createPool(databaseUrl: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle client's error (Postgres restarted) must not crash the process: the next query fails instead.
  pool.on('error', () => {});
  return pool;
}

export async function inTransaction<T>(pool: pg.Pool, f: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await f(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** A Buffer view of the bytes (node-postgres sends Buffers as binary bytea). */
export const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
