// Loads the splits an experiment spec asks for: synthetic data, or CIFAR-10 from a folder in the
// official binary or python layout (the folder itself or its cifar-10-batches-bin/-py subfolder).
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CIFAR10_CLASSES, CIFAR10_SHAPE, type DatasetSplits, type ImageSet } from '../core/data/dataset.js';
import { assembleCifarSplits } from '../core/data/splits.js';
import { makeSyntheticSplits } from '../core/data/synthetic.js';
import { CIFAR10_BATCHES, resolvedHoldout, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { readBinaryBatch } from './cifar10Binary.js';
import { readPickleBatch, readPickleMeta } from './cifar10Pickle.js';
import { DatasetError } from './datasetError.js';

export type CifarLayoutKind = 'binary' | 'python';

export interface CifarLayout {
  readonly kind: CifarLayoutKind;
  readonly folder: string;
}

/** `dir` comes from --data or CIFAR10_DIR (the caller's choice); unused for synthetic data. */
export function loadDataset(spec: ExperimentSpec, dir: string | undefined): DatasetSplits {
  const data = spec.data;
  if (data.dataset === 'synthetic') return makeSyntheticSplits(data, spec.seed);
  if (!dir) throw new DatasetError('', 'not-configured', 'CIFAR-10 folder not given: pass --data DIR or set CIFAR10_DIR');

  const layout = detectCifarLayout(dir);
  const holdout = resolvedHoldout(spec);
  const batches = new Map<string, ImageSet>();
  for (const name of neededBatches(spec)) batches.set(name, readCifarBatch(layout, name));

  let splits: ReturnType<typeof assembleCifarSplits>;
  try {
    splits = assembleCifarSplits(batches, data, holdout);
  } catch (e) {
    throw new DatasetError(layout.folder, 'unusable', `CIFAR-10 in ${layout.folder}: ${(e as Error).message}`);
  }
  return {
    ...splits,
    classes: CIFAR10_CLASSES.length,
    classNames: cifarClassNames(layout),
    imageShape: CIFAR10_SHAPE,
    source: `cifar10 (${layout.kind}) ${layout.folder}`,
  };
}

/**
 * A string that changes whenever loadDataset(spec, dir) could return different data: the data
 * part of the spec (and the seed, for synthetic data), the folder, and each batch file's size and
 * modification time. What a cache of loaded datasets is keyed by.
 */
export function datasetIdentity(spec: ExperimentSpec, dir: string | undefined): string {
  const data = spec.data;
  if (data.dataset === 'synthetic') return JSON.stringify({ data, seed: spec.seed });
  if (!dir) throw new DatasetError('', 'not-configured', 'CIFAR-10 folder not given: pass --data DIR or set CIFAR10_DIR');
  const layout = detectCifarLayout(dir);
  const files = [...neededBatches(spec)].map((name) => {
    const st = statSync(batchPath(layout, name), { throwIfNoEntry: false });
    return [name, st?.size ?? -1, st?.mtimeMs ?? -1];
  });
  return JSON.stringify({ data, holdout: resolvedHoldout(spec), layout, files });
}

/** The batch files a CIFAR-10 spec reads (validation batches only without a holdout). */
function neededBatches(spec: ExperimentSpec): Set<string> {
  const data = spec.data;
  if (data.dataset !== 'cifar10') return new Set();
  const holdout = resolvedHoldout(spec);
  return new Set([...data.train, ...(holdout > 0 ? [] : (data.validation ?? [])), ...data.test]);
}

/**
 * Only the first `samples` training images (what a gradient check needs): one CIFAR-10 batch file
 * read, or that prefix of the synthetic training set, never the whole dataset.
 */
export function loadTrainingSamples(spec: ExperimentSpec, dir: string | undefined, samples: number): { train: ImageSet; classes: number } {
  const data = spec.data;
  if (data.dataset === 'synthetic') {
    const s = makeSyntheticSplits({ ...data, subset: Math.min(samples, data.trainSize), validationSize: 1, testSize: 1 }, spec.seed);
    return { train: s.train, classes: s.classes };
  }
  if (!dir) throw new DatasetError('', 'not-configured', 'CIFAR-10 folder not given: pass --data DIR or set CIFAR10_DIR');
  const first = readCifarBatch(detectCifarLayout(dir), data.train[0]);
  const n = Math.min(samples, first.n);
  return { train: { n, d: first.d, x: first.x.subarray(0, n * first.d), y: first.y.subarray(0, n) }, classes: CIFAR10_CLASSES.length };
}

/** The first of dir and its two official subfolders that holds batches, binary before python. */
export function detectCifarLayout(dir: string): CifarLayout {
  const root = resolve(dir);
  if (!isDirectory(root)) throw new DatasetError(root, 'missing', `CIFAR-10 folder ${root} not found or not a folder`);
  const candidates: CifarLayout[] = [
    { kind: 'binary', folder: root },
    { kind: 'python', folder: root },
    { kind: 'binary', folder: join(root, 'cifar-10-batches-bin') },
    { kind: 'python', folder: join(root, 'cifar-10-batches-py') },
  ];
  const found = candidates.find((c) => CIFAR10_BATCHES.some((name) => isFile(batchPath(c, name))));
  if (!found) {
    throw new DatasetError(
      root,
      'missing',
      `no CIFAR-10 batches in ${root}: expected data_batch_1.bin ... test_batch.bin (binary layout) or data_batch_1 ... test_batch ` +
        '(python layout) there or in a cifar-10-batches-bin / cifar-10-batches-py subfolder',
    );
  }
  return found;
}

function readCifarBatch(layout: CifarLayout, name: string): ImageSet {
  const path = batchPath(layout, name);
  return layout.kind === 'binary' ? readBinaryBatch(path) : readPickleBatch(path);
}

function batchPath(layout: CifarLayout, name: string): string {
  return join(layout.folder, layout.kind === 'binary' ? `${name}.bin` : name);
}

/** Names from batches.meta(.txt) when it lists 10; class names are labels only, so a bad file falls back. */
function cifarClassNames(layout: CifarLayout): readonly string[] {
  const names = layout.kind === 'binary' ? binaryMetaNames(join(layout.folder, 'batches.meta.txt')) : pickleMetaNames(join(layout.folder, 'batches.meta'));
  return names && names.length === CIFAR10_CLASSES.length ? names : CIFAR10_CLASSES;
}

function binaryMetaNames(path: string): string[] | null {
  if (!isFile(path)) return null;
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

function pickleMetaNames(path: string): string[] | null {
  if (!isFile(path)) return null;
  try {
    return readPickleMeta(path);
  } catch (e) {
    if (e instanceof DatasetError) return null;
    throw e;
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
