// Which errors mean "Postgres is unreachable right now" (503 + Retry-After, trainer writes
// retried): the shapes node-postgres and Prisma's driver adapter give them, as seen in the
// fault tests (test/faults/postgresRestart.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { isDatabaseUnavailable, isTransactionConflict, retryConflicts } from '../../src/store/unavailable.js';
import { createTestDatabase } from '../helpers/serviceEnv.js';

describe('isDatabaseUnavailable', () => {
  it('node-postgres errors: refused, terminated, starting up, in crash recovery', () => {
    assert.ok(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })));
    assert.ok(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })));
    assert.ok(isDatabaseUnavailable(Object.assign(new Error('the database system is not yet accepting connections'), { code: '57P03' })));
    assert.ok(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')));
  });

  it("Prisma's P2039 with Postgres's error under meta.driverAdapterError (a server in crash recovery)", () => {
    const err = Object.assign(new Error('Invalid `prisma.run.findMany()` invocation: Database error. Code: `57P03`.'), {
      code: 'P2039',
      meta: {
        modelName: 'Run',
        driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '57P03', originalMessage: 'the database system is not yet accepting connections', kind: 'postgres', code: '57P03', severity: 'FATAL' } },
      },
    });
    assert.ok(isDatabaseUnavailable(err));
  });

  it('not: a bad query, a constraint, a P2039 over some other Postgres error', () => {
    assert.ok(!isDatabaseUnavailable(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })));
    assert.ok(!isDatabaseUnavailable(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })));
    assert.ok(!isDatabaseUnavailable(Object.assign(new Error('Database error. Code: `42P01`.'), { code: 'P2039', meta: { driverAdapterError: { cause: { originalCode: '42P01', code: '42P01' } } } })));
    assert.ok(!isDatabaseUnavailable(null));
  });
});

describe('isTransactionConflict', () => {
  it('a real Postgres deadlock between two transactions is one (the API answers 503, retry, not 500); other errors are not', async () => {
    const t = await createTestDatabase('deadlock');
    const pool = new pg.Pool({ connectionString: t.url, max: 2 });
    try {
      await pool.query('CREATE TABLE locks (id int PRIMARY KEY); INSERT INTO locks VALUES (1), (2)');
      const [a, b] = [await pool.connect(), await pool.connect()];
      try {
        await a.query('BEGIN');
        await b.query('BEGIN');
        await a.query('SELECT * FROM locks WHERE id = 1 FOR UPDATE');
        await b.query('SELECT * FROM locks WHERE id = 2 FOR UPDATE');
        // Each now waits for the other's row: Postgres aborts one of them (deadlock_timeout, 1 s).
        const results = await Promise.allSettled([a.query('SELECT * FROM locks WHERE id = 2 FOR UPDATE'), b.query('SELECT * FROM locks WHERE id = 1 FOR UPDATE')]);
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(failed.length, 1, 'one of the two was chosen as the victim');
        assert.ok(isTransactionConflict(failed[0].reason), String(failed[0].reason));
        assert.ok(!isDatabaseUnavailable(failed[0].reason));
      } finally {
        await a.query('ROLLBACK').catch(() => {});
        await b.query('ROLLBACK').catch(() => {});
        a.release();
        b.release();
      }
      const constraint = await pool.query('INSERT INTO locks VALUES (1)').catch((e: unknown) => e);
      assert.ok(!isTransactionConflict(constraint));
      assert.ok(!isTransactionConflict(new Error('plain')));
    } finally {
      await pool.end();
      await t.drop();
    }
  });
});

describe('retryConflicts', () => {
  it('runs the transaction again after a conflict, up to the attempts given; other errors go straight through', async () => {
    const conflict = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });
    let calls = 0;
    assert.equal(await retryConflicts(async () => (++calls < 3 ? Promise.reject(conflict()) : 'done')), 'done');
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(retryConflicts(async () => (++calls, Promise.reject(conflict())), 2), /deadlock/);
    assert.equal(calls, 2);
    calls = 0;
    await assert.rejects(retryConflicts(async () => (++calls, Promise.reject(new Error('bad query')))), /bad query/);
    assert.equal(calls, 1);
  });
});
