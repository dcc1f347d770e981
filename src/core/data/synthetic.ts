// Synthetic class-conditional images: each class has a prototype (a shared mean image plus a
// class offset scaled by `separation`), and a sample is its prototype plus noise, as bytes.
import type { DataSpec } from '../../experiment/experimentSpec.js';
import type { DatasetSplits, ImageSet, ImageShape } from './dataset.js';
import { CIFAR10_SHAPE } from './dataset.js';
import { createRng, nextFloat, nextInt, nextUint32, type Rng } from '../random.js';

export type SyntheticDataSpec = Extract<DataSpec, { dataset: 'synthetic' }>;

/** Per-pixel noise std, in byte units. */
const NOISE_STD = 40;
/**
 * Distance of each prototype from the shared mean at separation 1, in byte units, spread over all
 * features so difficulty does not grow with their number: a linear model then gets roughly 50-80%
 * on 10 classes (3072 features: ~55% from 10k training images, ~75% from 45k).
 */
const OFFSET_NORM = 2.4 * NOISE_STD;
/** Standard normal quantiles for each byte value: one random word gives four noise values. */
const NORMAL_BY_BYTE = normalTable();

/** Independent streams, so e.g. the test set does not change when trainSize does. */
const STREAM = { prototypes: 1, train: 2, validation: 3, test: 4 } as const;

export function makeSyntheticSplits(data: SyntheticDataSpec, seed: number): DatasetSplits {
  const d = data.features;
  const k = data.classes;
  // ImageSet labels are bytes, although the spec allows up to LIMITS.maxSyntheticClasses.
  if (k > 256) throw new Error(`synthetic data supports at most 256 classes (labels are bytes); got ${k}`);
  const prototypes = makePrototypes(d, k, data.separation, createRng(seed, STREAM.prototypes));
  const trainCount = data.subset !== undefined ? Math.min(data.subset, data.trainSize) : data.trainSize;
  const imageShape: ImageShape | null = d === 3072 ? CIFAR10_SHAPE : null;
  return {
    train: makeSet(prototypes, d, k, data.trainSize, trainCount, createRng(seed, STREAM.train)),
    validation: makeSet(prototypes, d, k, data.validationSize, data.validationSize, createRng(seed, STREAM.validation)),
    test: makeSet(prototypes, d, k, data.testSize, data.testSize, createRng(seed, STREAM.test)),
    classes: k,
    classNames: Array.from({ length: k }, (_, c) => `class${c}`),
    imageShape,
    source: `synthetic (${k} classes, ${d} features, separation ${data.separation}, seed ${seed})`,
  };
}

/** k prototypes of d features (k x d, byte units, not rounded so small offsets survive). */
function makePrototypes(d: number, k: number, separation: number, rng: Rng): Float32Array {
  const shared = new Float32Array(d);
  // Mid-range mean keeps most noisy samples inside 0..255, so clamping rarely distorts them.
  for (let j = 0; j < d; j++) shared[j] = 80 + 96 * nextFloat(rng);
  const offsetStd = (separation * OFFSET_NORM) / Math.sqrt(d);
  const offsets = new Float32Array(k * d);
  fillNoise(rng, offsets, offsetStd);
  for (let c = 0; c < k; c++) {
    const row = c * d;
    for (let j = 0; j < d; j++) offsets[row + j] += shared[j];
  }
  return offsets;
}

/**
 * `count` images whose labels are balanced over a set of `fullCount` (shuffled round-robin); a
 * subset is the prefix of the full set, so subset N is the first N images of the same data.
 */
function makeSet(prototypes: Float32Array, d: number, k: number, fullCount: number, count: number, rng: Rng): ImageSet {
  const labels = new Uint8Array(fullCount);
  for (let i = 0; i < fullCount; i++) labels[i] = i % k;
  for (let i = fullCount - 1; i > 0; i--) {
    const r = nextInt(rng, i + 1);
    const t = labels[i];
    labels[i] = labels[r];
    labels[r] = t;
  }

  // Writing floats through a clamped view rounds and clamps to 0..255 in one store.
  const bytes = new Uint8ClampedArray(count * d);
  const noise = new Float32Array(d);
  for (let i = 0; i < count; i++) {
    fillNoise(rng, noise, NOISE_STD);
    const p = labels[i] * d;
    const o = i * d;
    for (let j = 0; j < d; j++) bytes[o + j] = prototypes[p + j] + noise[j];
  }
  return { n: count, d, x: new Uint8Array(bytes.buffer, 0, count * d), y: labels.subarray(0, count) };
}

/** out[j] = std * N(0, 1) noise, four values per 32-bit word. */
function fillNoise(rng: Rng, out: Float32Array, std: number): void {
  const t = NORMAL_BY_BYTE;
  const n = out.length;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const r = nextUint32(rng);
    out[j] = std * t[r & 255];
    out[j + 1] = std * t[(r >>> 8) & 255];
    out[j + 2] = std * t[(r >>> 16) & 255];
    out[j + 3] = std * t[r >>> 24];
  }
  for (; j < n; j++) out[j] = std * t[nextUint32(rng) & 255];
}

/** Quantiles of N(0, 1) at (b + 0.5) / 256, rescaled to unit variance (the tails are cut at ~2.9). */
function normalTable(): Float64Array {
  const h = 1e-3;
  const table = new Float64Array(256);
  let cdf = 0;
  let b = 0;
  for (let z = -8; z < 8 && b < 256; z += h) {
    // Midpoint rule on the density; 1.6e4 steps are plenty for 256 quantiles.
    const next = cdf + h * Math.exp(-0.5 * (z + h / 2) ** 2) / Math.sqrt(2 * Math.PI);
    while (b < 256 && next >= (b + 0.5) / 256) {
      table[b] = z + (h * ((b + 0.5) / 256 - cdf)) / (next - cdf);
      b++;
    }
    cdf = next;
  }
  let sq = 0;
  for (let i = 0; i < 256; i++) sq += table[i] * table[i];
  const rescale = 1 / Math.sqrt(sq / 256);
  for (let i = 0; i < 256; i++) table[i] *= rescale;
  return table;
}
