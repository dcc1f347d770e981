// Binary container for training state: "TYCK", version, a JSON header, then named typed arrays
// back to back, each 8-byte aligned so they can be viewed without copying.

const MAGIC = 0x4b435954; // "TYCK" little-endian
const VERSION = 1;

export type StoredArray = Float32Array | Float64Array | Int32Array;
type DType = 'f32' | 'f64' | 'i32';

export interface DecodedCheckpoint<H> {
  header: H;
  arrays: Map<string, StoredArray>;
}

function dtypeOf(a: StoredArray): DType {
  return a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : 'i32';
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeCheckpoint(header: object, arrays: { name: string; value: StoredArray }[]): Uint8Array {
  const index = arrays.map((a) => ({ name: a.name, dtype: dtypeOf(a.value), length: a.value.length }));
  const json = new TextEncoder().encode(JSON.stringify({ header, index }));
  const start = align8(12 + json.length);
  let size = start;
  for (const a of arrays) size += align8(a.value.byteLength);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  out.set(json, 12);
  let off = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.value.buffer, a.value.byteOffset, a.value.byteLength), off);
    off += align8(a.value.byteLength);
  }
  return out;
}

export function decodeCheckpoint<H>(buf: Uint8Array): DecodedCheckpoint<H> {
  if (buf.length < 12) throw new Error('checkpoint is truncated (shorter than its header)');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a Trainyard checkpoint (bad magic number)');
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new Error(`checkpoint version ${version} is not supported (expected ${VERSION})`);
  const jsonLen = view.getUint32(8, true);
  if (12 + jsonLen > buf.length) throw new Error('checkpoint is truncated (header)');
  const { header, index } = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + jsonLen))) as {
    header: H;
    index: { name: string; dtype: DType; length: number }[];
  };
  const arrays = new Map<string, StoredArray>();
  let off = align8(12 + jsonLen);
  for (const e of index) {
    const bytes = e.length * (e.dtype === 'f64' ? 8 : 4);
    if (off + bytes > buf.length) throw new Error(`checkpoint is truncated (array ${e.name})`);
    // Copy into a fresh, aligned buffer: the input may sit at any offset of a larger Buffer.
    const copy = buf.slice(off, off + bytes).buffer;
    arrays.set(e.name, e.dtype === 'f32' ? new Float32Array(copy) : e.dtype === 'f64' ? new Float64Array(copy) : new Int32Array(copy));
    off += align8(bytes);
  }
  return { header, arrays };
}
