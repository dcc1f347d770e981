import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBinaryBatch } from '../../src/dataFiles/cifar10Binary.js';
import { DatasetError } from '../../src/dataFiles/datasetError.js';
import { encodeBinaryBatch, fixtureBatch, makeTempDir } from '../helpers/cifarFixtures.js';
import { datasetError } from '../helpers/datasetErrors.js';


test('reads labels and pixels of a binary batch', () => {
  const dir = makeTempDir();
  const path = join(dir, 'data_batch_1.bin');
  const set = fixtureBatch(1, 20);
  writeFileSync(path, encodeBinaryBatch(set));
  const read = readBinaryBatch(path);
  assert.equal(read.n, 20);
  assert.equal(read.d, 3072);
  assert.deepEqual(read.y, set.y);
  assert.deepEqual(read.x, set.x);
});

test('a missing file names the path expected', () => {
  const path = join(makeTempDir(), 'data_batch_1.bin');
  assert.throws(() => readBinaryBatch(path), datasetError('missing', /data_batch_1\.bin not found: expected CIFAR-10 binary batch at .*data_batch_1\.bin/));
  try {
    readBinaryBatch(path);
  } catch (e) {
    assert.equal((e as DatasetError).file, path);
  }
});

test('a file cut in the middle of a record is reported as truncated, with sizes', () => {
  const path = join(makeTempDir(), 'data_batch_1.bin');
  const bytes = encodeBinaryBatch(fixtureBatch(1, 3));
  writeFileSync(path, bytes.subarray(0, 3073 + 1500));
  assert.throws(() => readBinaryBatch(path), datasetError('truncated', /4573 bytes is not a multiple of the 3073-byte record.*1 whole records and 1500 bytes left over/));
});

test('a label above 9 is malformed, naming the record', () => {
  const path = join(makeTempDir(), 'data_batch_1.bin');
  const bytes = encodeBinaryBatch(fixtureBatch(1, 8));
  bytes[5 * 3073] = 57;
  writeFileSync(path, bytes);
  assert.throws(() => readBinaryBatch(path), datasetError('malformed', /record 5 has label 57/));
});

test('an empty file is reported as empty', () => {
  const path = join(makeTempDir(), 'test_batch.bin');
  writeFileSync(path, new Uint8Array(0));
  assert.throws(() => readBinaryBatch(path), datasetError('empty', /is empty/));
});
