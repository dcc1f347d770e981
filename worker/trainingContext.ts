// What a training process gives each job: its kernels and dataset cache, the dataset folder, a
// logger with the job's id, and whether the process was asked to stop.
import type { Kernels } from '../src/core/kernels/kernels.js';
import type { DatasetCache } from '../src/dataFiles/datasetCache.js';
import type { Logger } from '../src/runtime/logger.js';

export interface TrainingContext {
  kernels: Kernels;
  datasets: DatasetCache;
  cifar10Dir: string | undefined;
  log: Logger;
  stopRequested: () => boolean;
}
