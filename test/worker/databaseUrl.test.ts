// A worker's sessions end a transaction left idle (its worker partitioned or frozen mid-transaction)
// instead of holding its locks until Postgres notices the dead connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDLE_IN_TRANSACTION_MS, workerDatabaseUrl } from '../../worker/databaseUrl.js';

const optionsOf = (url: string) => new URL(url).searchParams.get('options');

describe('workerDatabaseUrl', () => {
  it('adds idle_in_transaction_session_timeout to the session options', () => {
    const url = workerDatabaseUrl('postgresql://postgres@db:5432/trainyard');
    assert.equal(optionsOf(url), `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`);
    assert.equal(new URL(url).pathname, '/trainyard');
  });

  it('keeps options already given, and a timeout already set', () => {
    assert.equal(optionsOf(workerDatabaseUrl('postgresql://u@h/d?options=-c%20search_path%3Dx&sslmode=disable')), `-c search_path=x -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`);
    const own = 'postgresql://u@h/d?options=-c%20idle_in_transaction_session_timeout%3D1000';
    assert.equal(workerDatabaseUrl(own), own);
  });
});
