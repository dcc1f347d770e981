// A `group` job: one release of a fused group of search trials, trained by the search's own group
// training (src/search/groupTraining.ts) over the Postgres storage. The worker then wakes the
// search's coordinator.
import { trainSearchGroup } from '../src/search/groupTraining.js';
import type { Store } from '../src/store/store.js';
import type { TrainOutcome } from '../src/trainer/trainMembers.js';
import { faultPauseFromEnv } from './faultPause.js';
import { loadJobData } from './loadJobData.js';
import type { TrainingContext } from './trainingContext.js';

export function trainGroupJob(store: Store, groupId: string, o: TrainingContext): Promise<TrainOutcome> {
  const pause = faultPauseFromEnv();
  return trainSearchGroup(
    {
      storage: store.searchStorage,
      recorder: (lease) => store.recorder(lease, { pause }),
      pause,
      loadData: (members) => loadJobData(members[0].spec, o.cifar10Dir, o.log, o.datasets),
      kernels: o.kernels,
      log: o.log,
      stopRequested: o.stopRequested,
    },
    groupId,
  );
}
