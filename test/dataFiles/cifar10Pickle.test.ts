import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPickleBatch, readPickleMeta } from '../../src/dataFiles/cifar10Pickle.js';
import { DatasetError } from '../../src/dataFiles/datasetError.js';
import { encodePython2Batch, encodePython2Meta, fixtureBatch, makeTempDir } from '../helpers/cifarFixtures.js';
import { datasetError } from '../helpers/datasetErrors.js';

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(makeTempDir(), name);
  writeFileSync(path, bytes);
  return path;
}

/** bytes with the first occurrence of `from` (latin1 text) replaced by `to`. */
function replaceText(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const buf = Buffer.from(bytes);
  const at = buf.indexOf(Buffer.from(from, 'latin1'));
  assert.ok(at >= 0, `${JSON.stringify(from)} not in the pickle`);
  return Buffer.concat([buf.subarray(0, at), Buffer.from(to, 'latin1'), buf.subarray(at + from.length)]);
}

test('reads a Python 2 protocol-2 batch written like the official files', () => {
  const set = fixtureBatch(2, 20);
  const bytes = encodePython2Batch(set);
  // The opcodes of the real files: PROTO 2, EMPTY_DICT, BINPUT, MARK, GLOBAL of numpy's _reconstruct, BINSTRING data.
  assert.deepEqual(Array.from(bytes.subarray(0, 6)), [0x80, 2, 0x7d, 0x71, 1, 0x28]);
  assert.ok(Buffer.from(bytes).includes('cnumpy.core.multiarray\n_reconstruct\n'));
  const read = readPickleBatch(writeTemp('data_batch_2', bytes));
  assert.equal(read.n, 20);
  assert.equal(read.d, 3072);
  assert.deepEqual(read.y, set.y);
  assert.deepEqual(read.x, set.x);
});

test('reads a batch large enough for LONG_BINPUT memo entries and several APPENDS', () => {
  const set = fixtureBatch(3, 1200);
  const read = readPickleBatch(writeTemp('data_batch_3', encodePython2Batch(set)));
  assert.deepEqual(read.y, set.y);
  assert.deepEqual(read.x, set.x);
});

test('reads label names from batches.meta', () => {
  const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  assert.deepEqual(readPickleMeta(writeTemp('batches.meta', encodePython2Meta(names))), names);
});

const PYTHON = '/usr/bin/python3';
const PY_WRITER = `
import pickle, sys
import numpy as np
path, n, proto, str_keys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1'
i = np.arange(n).reshape(n, 1)
j = np.arange(3072).reshape(1, 3072)
data = ((7 * i + 13 * j + 31 * 4) % 256).astype(np.uint8)
labels = [int((3 * k + 4) % 10) for k in range(n)]
key = (lambda s: s) if str_keys else (lambda s: s.encode())
batch = {key('batch_label'): key('training batch 4 of 5'), key('labels'): labels, key('data'): data,
         key('filenames'): [key('img_%d.png' % k) for k in range(n)]}
with open(path, 'wb') as f:
    pickle.dump(batch, f, protocol=proto)
`;

function pythonWithNumpy(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

test('reads pickles written by Python 3 with numpy (protocols 2, 4 and 5)', (t) => {
  if (!pythonWithNumpy()) {
    t.skip(`${PYTHON} with numpy is not available`);
    return;
  }
  const dir = makeTempDir();
  const expected = fixtureBatch(4, 30);
  for (const [proto, strKeys] of [[4, false], [4, true], [2, false], [5, true]] as const) {
    const path = join(dir, `batch_p${proto}_${strKeys}`);
    const r = spawnSync(PYTHON, ['-c', PY_WRITER, path, '30', String(proto), strKeys ? '1' : '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const read = readPickleBatch(path);
    assert.deepEqual(read.y, expected.y, `protocol ${proto}`);
    assert.deepEqual(read.x, expected.x, `protocol ${proto}`);
  }
});

test('a wrong dtype written by numpy is refused', (t) => {
  if (!pythonWithNumpy()) {
    t.skip(`${PYTHON} with numpy is not available`);
    return;
  }
  const path = join(makeTempDir(), 'float_batch');
  const script = `import pickle, numpy as np, sys\npickle.dump({b'data': np.zeros((2, 3072)), b'labels': [0, 1]}, open(sys.argv[1], 'wb'), protocol=4)`;
  const r = spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.throws(() => readPickleBatch(path), datasetError('malformed', /dtype f8; expected uint8/));
});

test('a missing file names the path expected', () => {
  const path = join(makeTempDir(), 'data_batch_1');
  assert.throws(() => readPickleBatch(path), datasetError('missing', /data_batch_1 not found: expected CIFAR-10 python batch at/));
});

test('a pickle cut short is truncated: unexpected end of pickle', () => {
  const bytes = encodePython2Batch(fixtureBatch(1, 20));
  for (const cut of [1, 40, 30_000, bytes.length - 1]) {
    const path = writeTemp('data_batch_1', bytes.subarray(0, cut));
    assert.throws(() => readPickleBatch(path), datasetError('truncated', /unexpected end of pickle/), `cut at ${cut}`);
  }
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', new Uint8Array(0))), datasetError('empty', /is empty/));
});

test('an unknown opcode is malformed', () => {
  const bytes = Buffer.from(encodePython2Batch(fixtureBatch(1, 4)));
  bytes[2] = 0xff;
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', bytes)), datasetError('malformed', /unsupported pickle opcode 0xff at byte 2|at byte 2: unsupported pickle opcode 0xff/));
  const gzip = Uint8Array.from([0x1f, 0x8b, 8, 0]);
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', gzip)), datasetError('malformed', /not a pickle/));
});

test('globals other than the numpy array names are refused, never run', () => {
  const bytes = replaceText(encodePython2Batch(fixtureBatch(1, 4)), 'numpy.core.multiarray\n_reconstruct\n', 'posix\nsystem\n');
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', bytes)), datasetError('malformed', /refusing global posix\.system/));
});

test('a broken pickle machine is malformed, with the byte of the opcode: stack, MARK, memo, STOP, calls', () => {
  // PROTO 2 first, then the broken part; each is a complete file.
  const cases: [number[], RegExp][] = [
    [[0x61, 0x2e], /at byte 2: stack underflow/], // APPEND on an empty stack
    [[0x4b, 1, 0x74, 0x2e], /at byte 4: no MARK to pop to/], // TUPLE without MARK
    [[0x68, 9, 0x2e], /at byte 2: memo entry 9 was never stored/], // BINGET of nothing
    [[0x2e], /at byte 2: STOP with 0 values on the stack/],
    [[0x7d, 0x7d, 0x2e], /at byte 4: STOP with 2 values on the stack/],
    [[0x4b, 1, 0x29, 0x52, 0x2e], /at byte 5: REDUCE of the number 1/], // calling an int
    [[0x5d, 0x7d, 0x62, 0x2e], /at byte 4: BUILD on a list/], // no setting attributes on plain values
  ];
  for (const [ops, message] of cases) {
    assert.throws(() => readPickleBatch(writeTemp('data_batch_1', Uint8Array.from([0x80, 2, ...ops]))), datasetError('malformed', message), message.source);
  }
  // Protocol 0 and 1 object opcodes (INST, OBJ, NEWOBJ) build instances: not in a CIFAR-10 batch, refused.
  const inst = Buffer.from('(ios\nsystem\n.', 'latin1'); // MARK, INST os.system (no arguments)
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', inst)), datasetError('malformed', /at byte 1: unsupported pickle opcode 0x69/));
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', Uint8Array.from([0x80, 2, 0x28, 0x4e, 0x6f, 0x2e]))), datasetError('malformed', /at byte 4: unsupported pickle opcode 0x6f/));
  assert.throws(() => readPickleBatch(writeTemp('data_batch_1', Uint8Array.from([0x80, 2, 0x4e, 0x29, 0x81, 0x2e]))), datasetError('malformed', /at byte 4: unsupported pickle opcode 0x81/));
});

test('wrong dtype, shape, labels or missing keys are malformed', () => {
  const set = fixtureBatch(1, 4);
  const cases: [Uint8Array, RegExp][] = [
    [encodePython2Batch(set, { dtype: 'i1' }), /dtype i1; expected uint8/],
    [encodePython2Batch(set, { shape: [4, 3071] }), /shape \(4, 3071\); expected \(n, 3072\)/],
    [encodePython2Batch(set, { shape: [5, 3072] }), /holds 12288 bytes; shape \(5, 3072\) needs 15360/],
    [encodePython2Batch(set, { labels: [1, 2, 3, 10] }), /label 3 is the number 10/],
    [encodePython2Batch(set, { labels: [1, 2, 3] }), /3 labels for 4 images/],
    [replaceText(encodePython2Batch(set), 'U\x04data', 'U\x04date'), /no b'data' entry/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => readPickleBatch(writeTemp('data_batch_1', bytes)), datasetError('malformed', message));
  }
});
