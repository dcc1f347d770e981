// The dataset a training job needs, as the training child loads it. A missing or corrupt dataset
// cannot be fixed by retrying: it fails the runs with the reason (other errors fail the attempt).
import type { DatasetSplits } from '../src/core/data/dataset.js';
import { DatasetError } from '../src/dataFiles/datasetError.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import type { ExperimentSpec } from '../src/experiment/experimentSpec.js';
import type { LoadedData } from '../src/search/groupTraining.js';
import type { TrainLog } from '../src/trainer/trainMembers.js';

export function loadJobData(spec: ExperimentSpec, cifar10Dir: string | undefined, log: TrainLog): LoadedData {
  try {
    const data: DatasetSplits = loadDataset(spec, cifar10Dir);
    return { ok: true, data };
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    log.warn({ file: err.file, problem: err.problem }, err.message);
    return { ok: false, message: `dataset ${spec.data.dataset}: ${err.message}` };
  }
}
