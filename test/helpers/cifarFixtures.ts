// Small CIFAR-10 folders in both official layouts, for tests: the binary records, and Python 2
// protocol-2 pickles written with the same opcode sequence cPickle produced for the real files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSet } from '../../src/core/data/dataset.js';

export const FIXTURE_BATCHES = ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'] as const;
const D = 3072;

const tempDirs: string[] = [];

/** A fresh folder under the OS temp dir, removed when the test process exits. */
export function makeTempDir(prefix = 'trainyard-cifar-'): string {
  if (tempDirs.length === 0) process.once('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Deterministic images: pixel (i, j) of batch b is (7i + 13j + 31b) mod 256, label (3i + b) mod 10. */
export function fixtureBatch(batchIndex: number, n: number): ImageSet {
  const x = new Uint8Array(n * D);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = (3 * i + batchIndex) % 10;
    for (let j = 0; j < D; j++) x[i * D + j] = (7 * i + 13 * j + 31 * batchIndex) & 255;
  }
  return { n, d: D, x, y };
}

export function encodeBinaryBatch(set: ImageSet): Uint8Array {
  const out = new Uint8Array(set.n * (D + 1));
  for (let i = 0; i < set.n; i++) {
    out[i * (D + 1)] = set.y[i];
    out.set(set.x.subarray(i * D, (i + 1) * D), i * (D + 1) + 1);
  }
  return out;
}

export interface PickleOptions {
  batchLabel?: string;
  /** numpy dtype name written for b'data' (the real files: 'u1'). */
  dtype?: string;
  /** Shape written for b'data' (default [n, 3072]). */
  shape?: number[];
  /** Labels written instead of set.y. */
  labels?: number[];
}

/** A batch pickled as Python 2 cPickle.dump(dict, f, 2) did for the official files. */
export function encodePython2Batch(set: ImageSet, options: PickleOptions = {}): Uint8Array {
  const w = writer();
  op(w, 0x80, 2); // PROTO 2
  op(w, 0x7d); // EMPTY_DICT
  put(w);
  op(w, 0x28); // MARK
  str(w, 'data');
  ndarray(w, options.shape ?? [set.n, D], options.dtype ?? 'u1', set.x);
  str(w, 'labels');
  list(w, options.labels ?? Array.from(set.y), int);
  str(w, 'batch_label');
  str(w, options.batchLabel ?? 'training batch 1 of 5');
  str(w, 'filenames');
  list(w, Array.from({ length: set.n }, (_, i) => `fixture_image_${i}.png`), str);
  op(w, 0x75); // SETITEMS
  op(w, 0x2e); // STOP
  return bytes(w);
}

/** batches.meta as in the python layout: label_names, num_cases_per_batch, num_vis. */
export function encodePython2Meta(names: readonly string[]): Uint8Array {
  const w = writer();
  op(w, 0x80, 2);
  op(w, 0x7d);
  put(w);
  op(w, 0x28);
  str(w, 'num_cases_per_batch');
  int(w, 10000);
  str(w, 'label_names');
  list(w, names, str);
  str(w, 'num_vis');
  int(w, 3072);
  op(w, 0x75);
  op(w, 0x2e);
  return bytes(w);
}

export interface LayoutOptions {
  /** Images per batch (default 20). */
  n?: number;
  /** Write into the official subfolder (cifar-10-batches-bin / -py) instead of dir itself. */
  subfolder?: boolean;
  /** Batches to write (default all six). */
  batches?: readonly string[];
  /** Class names for batches.meta(.txt); none written when absent. */
  classNames?: readonly string[];
}

/** Writes the binary layout; returns the folder holding the batches. */
export function writeBinaryLayout(dir: string, options: LayoutOptions = {}): string {
  const folder = options.subfolder ? join(dir, 'cifar-10-batches-bin') : dir;
  mkdirSync(folder, { recursive: true });
  for (const name of options.batches ?? FIXTURE_BATCHES) {
    writeFileSync(join(folder, `${name}.bin`), encodeBinaryBatch(fixtureBatch(batchIndex(name), options.n ?? 20)));
  }
  if (options.classNames) writeFileSync(join(folder, 'batches.meta.txt'), `${options.classNames.join('\n')}\n\n`);
  return folder;
}

/** Writes the python layout; returns the folder holding the batches. */
export function writePythonLayout(dir: string, options: LayoutOptions = {}): string {
  const folder = options.subfolder ? join(dir, 'cifar-10-batches-py') : dir;
  mkdirSync(folder, { recursive: true });
  for (const name of options.batches ?? FIXTURE_BATCHES) {
    const set = fixtureBatch(batchIndex(name), options.n ?? 20);
    writeFileSync(join(folder, name), encodePython2Batch(set, { batchLabel: name }));
  }
  if (options.classNames) writeFileSync(join(folder, 'batches.meta'), encodePython2Meta(options.classNames));
  return folder;
}

/** 1-5 for data_batch_N, 6 for test_batch: the b in fixtureBatch. */
export function batchIndex(name: string): number {
  return name === 'test_batch' ? 6 : Number(name.slice('data_batch_'.length));
}

/** Protocol-2 output so far; memo indices count from 1 like cPickle's. */
interface Writer {
  readonly chunks: Uint8Array[];
  memo: number;
}

function writer(): Writer {
  return { chunks: [], memo: 1 };
}

function op(w: Writer, ...b: number[]): void {
  w.chunks.push(Uint8Array.from(b));
}

function raw(w: Writer, b: Uint8Array): void {
  w.chunks.push(b);
}

function u32(w: Writer, v: number): void {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  raw(w, b);
}

/** BINPUT, or LONG_BINPUT past 255. */
function put(w: Writer): void {
  const i = w.memo++;
  if (i < 256) op(w, 0x71, i);
  else {
    op(w, 0x72);
    u32(w, i);
  }
}

/** A Python 2 str: SHORT_BINSTRING or BINSTRING, memoised. */
function str(w: Writer, s: string): void {
  binstring(w, Uint8Array.from(Buffer.from(s, 'latin1')));
  put(w);
}

function binstring(w: Writer, b: Uint8Array): void {
  if (b.length < 256) op(w, 0x55, b.length);
  else {
    op(w, 0x54);
    u32(w, b.length);
  }
  raw(w, b);
}

function int(w: Writer, v: number): void {
  if (v >= 0 && v < 256) op(w, 0x4b, v);
  else if (v >= 0 && v < 65536) op(w, 0x4d, v & 255, v >> 8);
  else {
    op(w, 0x4a);
    u32(w, v >>> 0);
  }
}

function global(w: Writer, module: string, name: string): void {
  op(w, 0x63);
  raw(w, Uint8Array.from(Buffer.from(`${module}\n${name}\n`, 'latin1')));
  put(w);
}

/** cPickle batches APPENDS (and SETITEMS) by 1000. */
function list<T>(w: Writer, values: readonly T[], item: (w: Writer, v: T) => void): void {
  op(w, 0x5d); // EMPTY_LIST
  put(w);
  for (let at = 0; at < values.length; at += 1000) {
    const batch = values.slice(at, at + 1000);
    if (batch.length === 1) {
      item(w, batch[0]);
      op(w, 0x61); // APPEND
    } else {
      op(w, 0x28);
      for (const v of batch) item(w, v);
      op(w, 0x65); // APPENDS
    }
  }
}

/** numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), 'b'), then BUILD with its state. */
function ndarray(w: Writer, shape: readonly number[], dtype: string, data: Uint8Array): void {
  global(w, 'numpy.core.multiarray', '_reconstruct');
  global(w, 'numpy', 'ndarray');
  int(w, 0);
  op(w, 0x85); // TUPLE1
  binstring(w, Uint8Array.of(0x62)); // 'b'
  op(w, 0x87); // TUPLE3
  op(w, 0x52); // REDUCE
  put(w);
  op(w, 0x28); // MARK: state (1, shape, dtype, is_fortran, data)
  int(w, 1);
  op(w, 0x28);
  for (const s of shape) int(w, s);
  op(w, 0x74); // TUPLE
  global(w, 'numpy', 'dtype');
  str(w, dtype);
  int(w, 0);
  int(w, 1);
  op(w, 0x87);
  op(w, 0x52);
  put(w);
  op(w, 0x28); // dtype state (3, '|', None, None, None, -1, -1, 0)
  int(w, 3);
  str(w, '|');
  op(w, 0x4e, 0x4e, 0x4e);
  op(w, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff);
  int(w, 0);
  op(w, 0x74);
  op(w, 0x62); // BUILD
  op(w, 0x89); // NEWFALSE: not Fortran-ordered
  binstring(w, data);
  put(w);
  op(w, 0x74);
  op(w, 0x62);
}

function bytes(w: Writer): Uint8Array {
  return Buffer.concat(w.chunks);
}
