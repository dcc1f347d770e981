// Seeded, serialisable randomness (xoshiro128**): training must be reproducible and resumable,
// so every random draw comes from a state that a checkpoint can save and restore exactly.

export interface Rng {
  /** Four 32-bit words of xoshiro128** state. */
  readonly s: Uint32Array;
  /** Second normal deviate of the last Box-Muller pair, NaN when none is pending. */
  spare: number;
}

/** Expands a 32-bit seed (and a stream number, for independent streams) with splitmix32. */
export function createRng(seed: number, stream = 0): Rng {
  let x = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    s[i] = (z ^ (z >>> 16)) >>> 0;
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return { s, spare: NaN };
}

export function nextUint32(r: Rng): number {
  const s = r.s;
  const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1) with 32 bits of resolution. */
export function nextFloat(r: Rng): number {
  return nextUint32(r) / 4294967296;
}

/** Uniform integer in [0, n) without modulo bias. */
export function nextInt(r: Rng, n: number): number {
  const limit = 4294967296 - (4294967296 % n);
  let x = nextUint32(r);
  while (x >= limit) x = nextUint32(r);
  return x % n;
}

/** Standard normal deviate (Box-Muller, both values of each pair used). */
export function nextGaussian(r: Rng): number {
  if (!Number.isNaN(r.spare)) {
    const v = r.spare;
    r.spare = NaN;
    return v;
  }
  let u = 0;
  while (u === 0) u = nextFloat(r);
  const v = nextFloat(r);
  const mag = Math.sqrt(-2 * Math.log(u));
  r.spare = mag * Math.sin(2 * Math.PI * v);
  return mag * Math.cos(2 * Math.PI * v);
}

/** Fisher-Yates shuffle in place. */
export function shuffle(r: Rng, a: Int32Array | Uint32Array): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = nextInt(r, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

export function saveRng(r: Rng): number[] {
  return [r.s[0], r.s[1], r.s[2], r.s[3], r.spare];
}

export function loadRng(v: readonly number[]): Rng {
  return { s: Uint32Array.from(v.slice(0, 4)), spare: v[4] ?? NaN };
}
