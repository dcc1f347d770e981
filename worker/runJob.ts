// A `run` job: claims the run under a new lease and trains it alone (src/trainer/trainMembers.ts).
import { parseSpec } from '../src/experiment/experimentSpec.js';
import type { Store } from '../src/store/store.js';
import { trainMembers, type TrainOutcome } from '../src/trainer/trainMembers.js';
import { faultPauseFromEnv } from './faultPause.js';
import { loadJobData } from './loadJobData.js';
import type { TrainingContext } from './trainingContext.js';

export async function trainRunJob(store: Store, id: string, o: TrainingContext): Promise<TrainOutcome> {
  const claim = await store.runs.claim(id);
  if (claim.kind !== 'run') {
    o.log.info({ outcome: claim.kind }, 'nothing to train');
    return 'done';
  }
  const pause = faultPauseFromEnv();
  const recorder = store.recorder(claim.lease, { pause });
  o.log.info({ attempt: claim.run.attempts }, 'run started');
  const parsed = parseSpec(claim.run.spec);
  if (!parsed.ok) {
    await recorder.fail(id, `the stored spec is no longer valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    return 'done';
  }
  const loaded = loadJobData(parsed.spec, o.cifar10Dir, o.log, o.datasets);
  if (!loaded.ok) {
    await recorder.fail(id, loaded.message);
    return 'done';
  }
  return trainMembers({ members: [{ id, spec: parsed.spec }], data: loaded.data, kernels: o.kernels, recorder, log: o.log, stopRequested: o.stopRequested, pause });
}
