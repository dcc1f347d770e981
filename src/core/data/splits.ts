// Joining and cutting image sets, and the CIFAR-10 train / validation / test assembly rules.
import type { DataSpec } from '../../experiment/experimentSpec.js';
import type { ImageSet } from './dataset.js';

export type Cifar10DataSpec = Extract<DataSpec, { dataset: 'cifar10' }>;

/** One set holding all images of `sets` in order; a single set is returned as is (no copy). */
export function concatSets(sets: readonly ImageSet[]): ImageSet {
  if (sets.length === 0) throw new Error('cannot concatenate zero image sets');
  if (sets.length === 1) return sets[0];
  const d = sets[0].d;
  let n = 0;
  for (const s of sets) {
    if (s.d !== d) throw new Error(`cannot concatenate image sets of ${d} and ${s.d} features`);
    n += s.n;
  }
  const x = new Uint8Array(n * d);
  const y = new Uint8Array(n);
  let at = 0;
  for (const s of sets) {
    x.set(s.x.subarray(0, s.n * d), at * d);
    y.set(s.y.subarray(0, s.n), at);
    at += s.n;
  }
  return { n, d, x, y };
}

/** Images [start, end) of set, sharing its memory. */
export function sliceSet(set: ImageSet, start: number, end: number): ImageSet {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > set.n || start > end) {
    throw new Error(`slice [${start}, ${end}) is outside the ${set.n} images`);
  }
  return { n: end - start, d: set.d, x: set.x.subarray(start * set.d, end * set.d), y: set.y.subarray(start, end) };
}

/**
 * train = the train batches, minus their last `holdout` images, which become validation when
 * holdout > 0 (otherwise validation = the validation batches); subset keeps the first N training
 * images; test = the test batches. `holdout` is resolvedHoldout(spec).
 */
export function assembleCifarSplits(
  batches: ReadonlyMap<string, ImageSet>,
  data: Cifar10DataSpec,
  holdout: number,
): { train: ImageSet; validation: ImageSet; test: ImageSet } {
  const pick = (names: readonly string[]): ImageSet => concatSets(names.map((name) => batchNamed(batches, name)));
  const allTrain = pick(data.train);
  let train: ImageSet;
  let validation: ImageSet;
  if (holdout > 0) {
    if (holdout >= allTrain.n) {
      throw new Error(`a holdout of ${holdout} images leaves no training images: the training batches hold only ${allTrain.n}`);
    }
    train = sliceSet(allTrain, 0, allTrain.n - holdout);
    validation = sliceSet(allTrain, allTrain.n - holdout, allTrain.n);
  } else {
    if (!data.validation || data.validation.length === 0) {
      throw new Error('no validation data: name validation batches or give a holdout greater than 0');
    }
    train = allTrain;
    validation = pick(data.validation);
  }
  if (data.subset !== undefined && data.subset < train.n) train = sliceSet(train, 0, data.subset);
  return { train, validation, test: pick(data.test) };
}

function batchNamed(batches: ReadonlyMap<string, ImageSet>, name: string): ImageSet {
  const set = batches.get(name);
  if (!set) throw new Error(`batch ${name} was not loaded`);
  return set;
}
