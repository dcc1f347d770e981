// Loaded datasets kept between jobs in one process (a worker's training process trains job after
// job on the same CIFAR-10): a dataset is read once, and read again only when its files change.
// Bounded by bytes; the least recently used dataset goes first.
import { LRUCache } from 'lru-cache';
import type { DatasetSplits } from '../core/data/dataset.js';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import { datasetIdentity, loadDataset } from './loadDataset.js';

export interface DatasetCache {
  /** The spec's dataset; `reused` says whether it came from memory. Throws DatasetError like loadDataset. */
  load(spec: ExperimentSpec, dir: string | undefined): { data: DatasetSplits; reused: boolean; seconds: number };
  /** Frees every dataset held (an idle process gives its memory back). */
  clear(): void;
}

/** Default bound: two copies of the full CIFAR-10 (60,000 x 3,073 bytes each). */
export const DEFAULT_DATASET_CACHE_BYTES = 400 * 1024 * 1024;

export function datasetBytes(d: DatasetSplits): number {
  return [d.train, d.validation, d.test].reduce((sum, s) => sum + s.x.byteLength + s.y.byteLength, 0);
}

export function createDatasetCache(maxBytes = DEFAULT_DATASET_CACHE_BYTES, load = loadDataset): DatasetCache {
  const held = new LRUCache<string, DatasetSplits>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (d) => Math.max(1, datasetBytes(d)) });
  return {
    load(spec, dir) {
      const t0 = performance.now();
      const key = datasetIdentity(spec, dir);
      const hit = held.get(key);
      if (hit) return { data: hit, reused: true, seconds: (performance.now() - t0) / 1000 };
      const data = load(spec, dir);
      // A dataset larger than the bound is used but not kept (LRUCache would refuse it anyway).
      if (datasetBytes(data) <= maxBytes) held.set(key, data);
      return { data, reused: false, seconds: (performance.now() - t0) / 1000 };
    },
    clear: () => held.clear(),
  };
}
