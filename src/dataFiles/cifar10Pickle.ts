// The official CIFAR-10 python layout (cifar-10-batches-py): each batch is a pickled dict with
// b'data' (a numpy uint8 array, n x 3072) and b'labels' (a list of ints). The unpickler below
// understands only the opcodes such files use and never runs code: a GLOBAL resolves to a marker
// for one of the few numpy (and codecs) names an array needs; any other name is refused.
//
// Why not the npm package pickleparser (0.2.1, tried against test/dataFiles/cifar10Pickle.test.ts):
// it decodes a Python 2 str (BINSTRING, the official files' 30 MB b'data') as text with
// TextDecoder('ascii'), i.e. windows-1252 (byte 0x80 -> U+20AC in browsers and Node <= 20.18.2;
// since 20.18.3 Node gives U+0080, a regression: nodejs/node#60888), so getting the pixels back
// means inverting that byte by byte: ~0.5 s a batch instead of ~40 ms. Its errors are plain Errors
// with no byte offset and no truncated / malformed distinction ("Could not find end of line." for a
// cut GLOBAL); it has no stack, MARK or memo checks (undefined flows on, or a TypeError); it reads
// LONG1 / LONG4 as unsigned (-2 -> 254); and safety is the caller's: by default any global
// (posix.system) becomes a stand-in object, and INST / OBJ / NEWOBJ / BUILD construct and assign,
// with no option to turn those opcodes off. Passing these tests with it took overriding four
// methods of its reader (raw bytes for str, an opcode allow-list, truncation errors, positions):
// this parser again, built on its internals.
import type { ImageSet } from '../core/data/dataset.js';
import { CIFAR10_FEATURES, readBatchFile } from './cifar10Binary.js';
import { DatasetError } from './datasetError.js';

type PyValue = null | boolean | number | bigint | string | PyBytes | PyList | PyTuple | PyDict | PyGlobal | PyDtype | PyArray;

interface PyBytes {
  readonly kind: 'bytes';
  readonly data: Uint8Array;
}
interface PyList {
  readonly kind: 'list';
  readonly items: PyValue[];
}
interface PyTuple {
  readonly kind: 'tuple';
  readonly items: PyValue[];
}
interface PyDict {
  readonly kind: 'dict';
  /** Keys as text: Python 2 str, bytes and str keys with the same characters are the same key. */
  readonly map: Map<string, PyValue>;
}
interface PyGlobal {
  readonly kind: 'global';
  readonly name: AllowedGlobal;
}
interface PyDtype {
  readonly kind: 'dtype';
  readonly name: string;
}
interface PyArray {
  readonly kind: 'ndarray';
  shape: number[] | null;
  dtype: PyDtype | null;
  fortran: boolean;
  data: Uint8Array | null;
}

type AllowedGlobal = 'reconstruct' | 'ndarray' | 'dtype' | 'frombuffer' | 'codecsEncode';

/** module.name -> marker; numpy 2 also writes numpy._core. */
const ALLOWED_GLOBALS: ReadonlyMap<string, AllowedGlobal> = new Map([
  ['numpy.core.multiarray._reconstruct', 'reconstruct'],
  ['numpy._core.multiarray._reconstruct', 'reconstruct'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.dtype', 'dtype'],
  // Protocol 5 arrays, and bytes in Python 3 protocol-2 pickles.
  ['numpy.core.numeric._frombuffer', 'frombuffer'],
  ['numpy._core.numeric._frombuffer', 'frombuffer'],
  ['_codecs.encode', 'codecsEncode'],
]);

const UINT8_DTYPES = new Set(['u1', '|u1', 'uint8', 'B']);
const UTF8 = new TextDecoder('utf-8');


export function readPickleBatch(path: string): ImageSet {
  return parsePickleBatch(readBatchFile(path, 'CIFAR-10 python batch'), path);
}

/** Parses the bytes of one python-layout batch; `path` is only for messages. */
export function parsePickleBatch(buf: Uint8Array, path: string): ImageSet {
  const dict = unpickleDict(buf, path);
  const bad = (message: string): DatasetError => new DatasetError(path, 'malformed', `${path}: ${message}`);

  const data = dict.map.get('data');
  if (data === undefined) throw bad("no b'data' entry: not a CIFAR-10 python batch");
  if (!isObject(data, 'ndarray') || !data.data || !data.shape || !data.dtype) throw bad("b'data' is not a numpy array");
  if (!UINT8_DTYPES.has(data.dtype.name)) throw bad(`b'data' has dtype ${data.dtype.name}; expected uint8 (u1)`);
  if (data.shape.length !== 2 || data.shape[1] !== CIFAR10_FEATURES) {
    throw bad(`b'data' has shape (${data.shape.join(', ')}); expected (n, ${CIFAR10_FEATURES})`);
  }
  if (data.fortran && data.shape[0] > 1) throw bad("b'data' is a Fortran-ordered array; save it C-ordered");
  const n = data.shape[0];
  if (data.data.length !== n * CIFAR10_FEATURES) {
    throw bad(`b'data' holds ${data.data.length} bytes; shape (${n}, ${CIFAR10_FEATURES}) needs ${n * CIFAR10_FEATURES}`);
  }

  const labels = dict.map.get('labels');
  if (labels === undefined) throw bad("no b'labels' entry: not a CIFAR-10 python batch");
  if (!isObject(labels, 'list') && !isObject(labels, 'tuple')) throw bad("b'labels' is not a list");
  if (labels.items.length !== n) throw bad(`${labels.items.length} labels for ${n} images`);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.items[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 9) throw bad(`label ${i} is ${describe(v)}; CIFAR-10 labels are 0-9`);
    y[i] = v;
  }
  // Copy (Buffer's slice would be a view) so the file buffer is not kept alive, and x is a plain Uint8Array.
  const x = new Uint8Array(n * CIFAR10_FEATURES);
  x.set(data.data);
  return { n, d: CIFAR10_FEATURES, x, y };
}

/** label_names from a python-layout batches.meta file. */
export function readPickleMeta(path: string): string[] {
  const dict = unpickleDict(readBatchFile(path, 'CIFAR-10 batches.meta'), path);
  const names = dict.map.get('label_names');
  if (names === undefined || !(isObject(names, 'list') || isObject(names, 'tuple'))) {
    throw new DatasetError(path, 'malformed', `${path}: no b'label_names' list`);
  }
  return names.items.map((v, i) => {
    const s = asText(v);
    if (s === null) throw new DatasetError(path, 'malformed', `${path}: label name ${i} is ${describe(v)}`);
    return s;
  });
}

function unpickleDict(buf: Uint8Array, path: string): PyDict {
  if (buf.length === 0) throw new DatasetError(path, 'empty', `${path} is empty: expected a pickled CIFAR-10 batch`);
  const top = unpickle(buf, path);
  if (!isObject(top, 'dict')) throw new DatasetError(path, 'malformed', `${path}: the pickle holds ${describe(top)}, not a dict`);
  return top;
}

/** Runs the pickle machine over buf and returns the object at STOP. */
function unpickle(buf: Uint8Array, path: string): PyValue {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opAt = 0;

  const malformed = (message: string): DatasetError => new DatasetError(path, 'malformed', `${path}: malformed pickle at byte ${opAt}: ${message}`);
  const need = (count: number): number => {
    if (count > buf.length - pos) {
      throw new DatasetError(path, 'truncated', `${path} is truncated: unexpected end of pickle at byte ${buf.length} (needed ${count} bytes at ${pos})`);
    }
    const at = pos;
    pos += count;
    return at;
  };
  const u8 = (): number => buf[need(1)];
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const at = need(8);
    const high = view.getUint32(at + 4, true);
    // Anything past 2^53 bytes cannot be in this file; let need() report it as truncated.
    return high > 0x1fffff ? Number.MAX_SAFE_INTEGER : high * 4294967296 + view.getUint32(at, true);
  };
  const bytes = (count: number): Uint8Array => {
    const at = need(count);
    return buf.subarray(at, at + count);
  };
  const utf8 = (count: number): string => UTF8.decode(bytes(count));
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) throw malformed('stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) throw malformed('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const m = marks.pop();
    if (m === undefined) throw malformed('no MARK to pop to');
    return stack.splice(m);
  };
  const list = (v: PyValue): PyList => {
    if (!isObject(v, 'list')) throw malformed(`APPEND to ${describe(v)}`);
    return v;
  };
  const setItems = (dict: PyValue, items: PyValue[]): void => {
    if (!isObject(dict, 'dict')) throw malformed(`SETITEM on ${describe(dict)}`);
    if (items.length % 2 !== 0) throw malformed('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) dict.map.set(dictKey(items[i], malformed), items[i + 1]);
  };
  const global = (module: string, name: string): PyGlobal => {
    const allowed = ALLOWED_GLOBALS.get(`${module}.${name}`);
    if (!allowed) throw malformed(`refusing global ${module}.${name}: only the numpy array names a CIFAR-10 batch uses are allowed`);
    return { kind: 'global', name: allowed };
  };

  for (;;) {
    opAt = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw malformed('pickle protocol above 5');
        break;
      case 0x95: // FRAME: frames only group opcodes for buffering
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) throw malformed(`STOP with ${stack.length} values on the stack`);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: 'dict', map: new Map() });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push({ kind: 'list', items: [] });
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: 'tuple', items: [] });
        break;
      case 0x74: // TUPLE
        stack.push({ kind: 'tuple', items: popMark() });
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items: PyValue[] = [];
        for (let i = op - 0x84; i > 0; i--) items.unshift(pop());
        stack.push({ kind: 'tuple', items });
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        list(top()).items.push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        list(top()).items.push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(view.getUint16(need(2), true));
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x8a: // LONG1
        stack.push(longFromBytes(bytes(u8())));
        break;
      case 0x8b: {
        // LONG4
        const count = view.getInt32(need(4), true);
        if (count < 0) throw malformed('negative LONG4 length');
        stack.push(longFromBytes(bytes(count)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x55: // SHORT_BINSTRING: a Python 2 str, i.e. bytes
        stack.push({ kind: 'bytes', data: bytes(u8()) });
        break;
      case 0x54: {
        // BINSTRING
        const count = view.getInt32(need(4), true);
        if (count < 0) throw malformed('negative BINSTRING length');
        stack.push({ kind: 'bytes', data: bytes(count) });
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push({ kind: 'bytes', data: bytes(u8()) });
        break;
      case 0x42: // BINBYTES
        stack.push({ kind: 'bytes', data: bytes(u32()) });
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push({ kind: 'bytes', data: bytes(u64()) });
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = readLine();
        const name = readLine();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw malformed('STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const callable = pop();
        stack.push(reduce(callable, args, malformed));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state, malformed);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw malformed(`memo entry ${key} was never stored`);
        stack.push(memo.get(key) as PyValue);
        break;
      }
      default:
        throw malformed(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${opAt === 0 ? ' (not a pickle?)' : ''}`);
    }
  }

  function readLine(): string {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) need(buf.length - pos + 1);
    const line = latin1Text(buf.subarray(pos, end));
    pos = end + 1;
    return line;
  }
}

type Fail = (message: string) => DatasetError;

/** The only calls a numpy array pickle makes, done as data construction. */
function reduce(callable: PyValue, args: PyValue, fail: Fail): PyValue {
  if (!isObject(callable, 'global')) throw fail(`REDUCE of ${describe(callable)}`);
  if (!isObject(args, 'tuple')) throw fail('REDUCE arguments are not a tuple');
  const a = args.items;
  switch (callable.name) {
    case 'reconstruct':
      // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD then fills.
      if (!isObject(a[0], 'global') || a[0].name !== 'ndarray') throw fail('_reconstruct of something other than numpy.ndarray');
      return { kind: 'ndarray', shape: null, dtype: null, fortran: false, data: null };
    case 'dtype': {
      const name = asText(a[0]);
      if (name === null) throw fail('dtype without a name');
      return { kind: 'dtype', name };
    }
    case 'frombuffer': {
      // _frombuffer(buffer, dtype, shape, order)
      const [data, dtype, shape, order] = a;
      if (!isObject(data, 'bytes') || !isObject(dtype, 'dtype')) throw fail('_frombuffer needs a buffer and a dtype');
      return { kind: 'ndarray', shape: asShape(shape, fail), dtype, fortran: asText(order) === 'F', data: data.data };
    }
    case 'codecsEncode': {
      const text = a[0];
      if (typeof text !== 'string' || asText(a[1]) !== 'latin1') throw fail('_codecs.encode other than of a str to latin1');
      return { kind: 'bytes', data: latin1Bytes(text, fail) };
    }
    default:
      throw fail(`numpy.${callable.name} is not callable`);
  }
}

/** __setstate__ of a dtype (nothing needed for uint8) or an ndarray (shape, dtype, order, bytes). */
function build(target: PyValue, state: PyValue, fail: Fail): void {
  if (isObject(target, 'dtype')) return;
  if (!isObject(target, 'ndarray')) throw fail(`BUILD on ${describe(target)}`);
  if (!isObject(state, 'tuple')) throw fail('ndarray state is not a tuple');
  // (version, shape, dtype, is_fortran, data), or the older form without the version.
  const s = state.items.length === 5 ? state.items.slice(1) : state.items;
  if (s.length !== 4) throw fail(`ndarray state has ${state.items.length} items`);
  const [shape, dtype, fortran, data] = s;
  if (!isObject(dtype, 'dtype')) throw fail('ndarray state without a dtype');
  if (!isObject(data, 'bytes')) throw fail(`ndarray data is ${describe(data)}, not raw bytes (object arrays are not supported)`);
  target.shape = asShape(shape, fail);
  target.dtype = dtype;
  target.fortran = fortran === true || fortran === 1;
  target.data = data.data;
}

function asShape(v: PyValue, fail: Fail): number[] {
  if (!isObject(v, 'tuple') || !v.items.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) throw fail('array shape is not a tuple of sizes');
  return v.items as number[];
}

function dictKey(k: PyValue, fail: Fail): string {
  if (typeof k === 'number') return String(k);
  const s = asText(k);
  if (s === null) throw fail(`dict key ${describe(k)}`);
  return s;
}

/** str, or Python 2 str / bytes read as latin1. */
function asText(v: PyValue): string | null {
  if (typeof v === 'string') return v;
  if (isObject(v, 'bytes')) return latin1Text(v.data);
  return null;
}

/** Python's latin1 (TextDecoder's 'latin1' is really windows-1252). */
function latin1Text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function latin1Bytes(text: string, fail: Fail): Uint8Array {
  if (/[^\x00-\xff]/.test(text)) throw fail('latin1 text with a character above 255');
  return Buffer.from(text, 'latin1');
}

/** Little-endian two's complement integer; a number when it fits exactly. */
function longFromBytes(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function isObject<K extends Exclude<PyValue, null | boolean | number | bigint | string>['kind']>(
  v: PyValue,
  kind: K,
): v is Extract<PyValue, { kind: K }> {
  return typeof v === 'object' && v !== null && v.kind === kind;
}

function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return `the str ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v !== 'object') return `${typeof v === 'bigint' ? 'the int' : `the ${typeof v}`} ${String(v)}`;
  return `a ${v.kind}`;
}
