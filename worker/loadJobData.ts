// The dataset a training job needs, from the training process's dataset cache (read from disk
// once per process, again only when the files change). A missing or corrupt dataset cannot be
// fixed by retrying: it fails the runs with the reason (other errors fail the attempt).
import { createDatasetCache, type DatasetCache } from '../src/dataFiles/datasetCache.js';
import { DatasetError } from '../src/dataFiles/datasetError.js';
import type { ExperimentSpec } from '../src/experiment/experimentSpec.js';
import type { LoadedData } from '../src/search/groupTraining.js';
import type { TrainLog } from '../src/trainer/trainMembers.js';

export function loadJobData(spec: ExperimentSpec, cifar10Dir: string | undefined, log: TrainLog, datasets: DatasetCache = createDatasetCache(0)): LoadedData {
  try {
    const { data, reused, seconds } = datasets.load(spec, cifar10Dir);
    log.info({ source: data.source, reused, seconds: Number(seconds.toFixed(3)) }, reused ? 'dataset reused from memory' : 'dataset loaded');
    return { ok: true, data };
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    log.warn({ file: err.file, problem: err.problem }, err.message);
    return { ok: false, message: `dataset ${spec.data.dataset}: ${err.message}` };
  }
}
