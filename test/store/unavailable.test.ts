// Which errors mean "Postgres is unreachable right now" (503 + Retry-After, trainer writes
// retried): the shapes node-postgres and Prisma's driver adapter give them, as seen in the
// fault tests (test/faults/postgresRestart.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable } from '../../src/store/unavailable.js';

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
