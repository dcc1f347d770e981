import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicFailure } from '../../worker/protocol.js';

test("a run's error never shows an internal exception's message, only how the attempt ended", () => {
  const internal = publicFailure('job-1', "Cannot read properties of undefined (reading 'W') at /srv/trainyard/dist/src/core/network.js:12", 1, null);
  assert.doesNotMatch(internal, /Cannot read|\/srv|\.js/);
  assert.match(internal, /internal error \(worker log: job job-1\)/);
  assert.equal(publicFailure('j', null, null, 'SIGKILL'), 'the training process was killed by SIGKILL');
  assert.equal(publicFailure('j', null, 3, null), 'the training process exited with code 3');
});
