// The official CIFAR-10 binary layout: each record is 1 label byte (0-9) then 3072 pixel bytes
// (1024 R, 1024 G, 1024 B, row-major), 10,000 records a file.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ImageSet } from '../core/data/dataset.js';
import { DatasetError } from './datasetError.js';

export const CIFAR10_FEATURES = 3072;
const RECORD_BYTES = CIFAR10_FEATURES + 1;

export function readBinaryBatch(path: string): ImageSet {
  const buf = readBatchFile(path, 'CIFAR-10 binary batch');
  return parseBinaryBatch(buf, path);
}

/** Parses the bytes of one binary batch file; `path` is only for messages. */
export function parseBinaryBatch(buf: Uint8Array, path: string): ImageSet {
  if (buf.length === 0) throw new DatasetError(path, 'empty', `${path} is empty: expected CIFAR-10 binary records of ${RECORD_BYTES} bytes`);
  if (buf.length % RECORD_BYTES !== 0) {
    const whole = Math.floor(buf.length / RECORD_BYTES);
    throw new DatasetError(
      path,
      'truncated',
      `${path} is truncated or not a CIFAR-10 binary batch: ${buf.length} bytes is not a multiple of the ${RECORD_BYTES}-byte record ` +
        `(${whole} whole records and ${buf.length - whole * RECORD_BYTES} bytes left over; a full batch is ${10_000 * RECORD_BYTES} bytes)`,
    );
  }
  const n = buf.length / RECORD_BYTES;
  const x = new Uint8Array(n * CIFAR10_FEATURES);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * RECORD_BYTES;
    const label = buf[at];
    if (label > 9) throw new DatasetError(path, 'malformed', `${path}: record ${i} has label ${label}; CIFAR-10 labels are 0-9 (is this the CIFAR-100 layout?)`);
    y[i] = label;
    x.set(buf.subarray(at + 1, at + RECORD_BYTES), i * CIFAR10_FEATURES);
  }
  return { n, d: CIFAR10_FEATURES, x, y };
}

/** Whole file, with a DatasetError naming the expected content when it cannot be read. */
export function readBatchFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatasetError(path, 'missing', `${basename(path)} not found: expected ${what} at ${path}`);
    throw new DatasetError(path, 'missing', `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}
