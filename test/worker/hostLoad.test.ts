import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostLoad } from '../../worker/hostLoad.js';
import { makeTempDir } from '../helpers/cifarFixtures.js';

const dir = join(makeTempDir('trainyard-hostload-'), 'trainers');
after(() => rmSync(dir, { recursive: true, force: true }));

test('a lone trainer gets every core; two share them; an idle one counts for nothing', async () => {
  // Another live process stands in for a second worker's training process.
  const other = spawn('sleep', ['30']);
  try {
    const me = hostLoad({ dir, cores: 2 });
    const peer = hostLoad({ dir, cores: 2, pid: other.pid });
    assert.equal(me.threadShare(), 2, 'nobody trains: a job would get both cores');
    me.busy();
    assert.equal(me.trainers(), 1);
    assert.equal(me.threadShare(), 2, 'the final retrain alone: both cores');
    peer.busy();
    assert.equal(me.trainers(), 2);
    assert.equal(me.threadShare(), 1, 'two jobs on two cores: one each');
    peer.idle();
    assert.equal(me.threadShare(), 2, 'the other finished: both cores again');
    me.idle();
    assert.equal(me.trainers(), 0);
  } finally {
    other.kill('SIGKILL');
  }
});

test('the file of a process that died (SIGKILL: it never said idle) is not counted and is removed', async () => {
  const doomed = spawn('sleep', ['30']);
  const gone = new Promise((r) => doomed.on('exit', r));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, String(doomed.pid)), '');
  const me = hostLoad({ dir, cores: 4 });
  assert.equal(me.trainers(), 1);
  doomed.kill('SIGKILL');
  await gone;
  assert.equal(me.trainers(), 0);
  assert.equal(existsSync(join(dir, String(doomed.pid))), false);
  writeFileSync(join(dir, 'not-a-pid'), '');
  me.busy();
  assert.equal(me.threadShare(), 4, 'foreign files are ignored');
  me.idle();
});
