// Assembles normalised mini-batches from 8-bit images, with on-the-fly flip and noise augmentation.
import type { ImageSet, ImageShape } from '../data/dataset.js';
import { allocate, type Kernels, type Precision, type Vec } from '../kernels/kernels.js';
import { createRng, nextFloat, nextGaussian, nextInt, type Rng } from '../random.js';

export interface Normaliser {
  /** Per-feature mean and 1/std in raw byte units: x = (byte - mean) * invStd. */
  readonly mean: Vec;
  readonly invStd: Vec;
}

export interface Batch {
  readonly X: Vec;
  readonly labels: Uint8Array;
  readonly rows: Int32Array;
}

export interface Augmentation {
  /** Noise std as a fraction of the batch's std; 0 for none. */
  readonly noise: number;
  readonly flip: boolean;
  readonly imageShape: ImageShape | null;
  /** Precomputed standard normals: drawing 300k Gaussians per batch would cost more than the update. */
  readonly noiseTable: Float64Array | null;
}

const NOISE_TABLE_SIZE = 1 << 18;

export function createAugmentation(noise: number, flip: boolean, imageShape: ImageShape | null, seed: number): Augmentation {
  let noiseTable: Float64Array | null = null;
  if (noise > 0) {
    const r = createRng(seed, 7);
    noiseTable = new Float64Array(NOISE_TABLE_SIZE);
    for (let i = 0; i < NOISE_TABLE_SIZE; i++) noiseTable[i] = nextGaussian(r);
  }
  return { noise, flip, imageShape, noiseTable };
}

/** alloc (default allocate): the batch is the large operand of both first-layer products. */
export function createBatch(precision: Precision, m: number, d: number, alloc: (p: Precision, n: number) => Vec = allocate): Batch {
  return { X: alloc(precision, m * d), labels: new Uint8Array(m), rows: new Int32Array(m) };
}

/** Fills batch with rows order[start .. start + m) of set, normalised. */
export function fillBatch(k: Kernels, set: ImageSet, norm: Normaliser, order: Int32Array, start: number, m: number, batch: Batch): void {
  const { rows, labels } = batch;
  for (let i = 0; i < m; i++) {
    const r = order[start + i];
    rows[i] = r;
    labels[i] = set.y[r];
  }
  k.gatherNormalize(m, set.d, set.x, rows, norm.mean, norm.invStd, batch.X);
}

/** Applies flips and noise in place; draws only from rng, so a resumed run repeats them exactly. */
export function augmentBatch(aug: Augmentation, set: ImageSet, norm: Normaliser, batch: Batch, m: number, rng: Rng): void {
  const d = set.d;
  if (aug.flip && aug.imageShape) {
    for (let i = 0; i < m; i++) if (nextFloat(rng) < 0.5) flipRow(aug.imageShape, set.x, batch.rows[i] * d, norm, batch.X, i * d);
  }
  if (aug.noiseTable) {
    const X = batch.X;
    const len = m * d;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < len; i++) {
      s += X[i];
      s2 += X[i] * X[i];
    }
    const mean = s / len;
    const sigma = aug.noise * Math.sqrt(Math.max(0, s2 / len - mean * mean));
    const table = aug.noiseTable;
    const mask = NOISE_TABLE_SIZE - 1;
    for (let i = 0; i < m; i++) {
      const off = nextInt(rng, NOISE_TABLE_SIZE);
      const o = i * d;
      for (let j = 0; j < d; j++) X[o + j] += sigma * table[(off + j) & mask];
    }
  }
}

/** Mirrors an image left-right from its raw bytes, so normalisation stays per pixel position. */
function flipRow(shape: ImageShape, src: Uint8Array, so: number, norm: Normaliser, X: Vec, o: number): void {
  const { channels, height, width } = shape;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const base = c * height * width + y * width;
      for (let x = 0; x < width; x++) {
        const j = base + x;
        X[o + j] = (src[so + base + width - 1 - x] - norm.mean[j]) * norm.invStd[j];
      }
    }
  }
}
