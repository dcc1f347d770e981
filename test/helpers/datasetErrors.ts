import assert from 'node:assert/strict';
import { DatasetError } from '../../src/dataFiles/datasetError.js';

/** An assert.throws matcher: a DatasetError of this kind whose message matches. */
export function datasetError(problem: DatasetError['problem'], message: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof DatasetError, `expected a DatasetError, got ${String(e)}`);
    assert.equal(e.problem, problem);
    assert.match(e.message, message);
    return true;
  };
}
