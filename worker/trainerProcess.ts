// A worker's training process, forked by worker/trainerPool.ts so that CPU-bound training never
// blocks the worker's event loop (which keeps renewing the BullMQ job locks). It trains one job at
// a time, job after job, keeping what is costly to set up: its Postgres connections, the kernels
// and the loaded dataset (src/dataFiles/datasetCache.ts), read from disk once per process.
// A `run` job trains one run; a `group` job one release of a fused group of search trials; a
// `gradcheck` job checks a spec's gradients. It writes progress itself (src/trainer/trainMembers.ts).
// Threads: unless TRAINYARD_THREADS fixes them, each job uses its share of the machine's cores
// (worker/hostLoad.ts), followed while it trains: a lone job gets every core.
// SIGTERM: a job stops after the current step (checkpoint, runs back to queued), then the process
// exits; it exits at once if its worker dies.
import type { NativeKernels } from '../src/nativeKernels/loadNativeKernels.js';
import { requestedThreads, selectKernels } from '../src/nativeKernels/selectKernels.js';
import { createDatasetCache } from '../src/dataFiles/datasetCache.js';
import { loadConfig } from '../src/runtime/config.js';
import { createLogger } from '../src/runtime/logger.js';
import { createStore } from '../src/store/store.js';
import { workerDatabaseUrl } from './databaseUrl.js';
import { gradientCheckJob } from './gradientCheckJob.js';
import { trainGroupJob } from './groupJob.js';
import { hostLoad } from './hostLoad.js';
import { EXIT, type JobReply, type JobRequest } from './protocol.js';
import { trainRunJob } from './runJob.js';
import type { TrainingContext } from './trainingContext.js';

/** How often a training job re-reads how many trainers share the machine. */
const SHARE_CHECK_MS = 500;

const config = loadConfig();
const baseLog = createLogger('trainyard-worker', config.logLevel).child({ role: 'trainer' });
const store = createStore(workerDatabaseUrl(config.databaseUrl), { ormConnections: 2, sqlConnections: 2 });
const datasets = createDatasetCache(config.datasetCacheBytes);
const fixedThreads = requestedThreads();
const { kernels, warning } = selectKernels({ threads: fixedThreads ?? 1 });
if (warning) baseLog.warn({}, warning);
const native = kernels.backend === 'native' ? (kernels as NativeKernels) : null;
const load = hostLoad();

let stopRequested = false;
let training = false;
const stop = () => {
  stopRequested = true;
  if (!training) void exit(EXIT.done);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', () => process.exit(EXIT.orphaned));
process.on('message', (m: JobRequest) => {
  if (m?.kind === 'job') void runJob(m);
});

async function exit(code: number): Promise<never> {
  load.idle();
  await store.close().catch(() => {});
  process.exit(code);
}

function reply(m: JobReply): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));
}

/** Keeps the kernels' thread count at this process's share of the cores while a job trains; returns the stop. */
function followHostLoad(log: typeof baseLog): () => void {
  if (!native || fixedThreads !== undefined) return () => {};
  const apply = () => {
    const share = load.threadShare();
    if (share !== native.getThreads()) {
      native.setThreads(share);
      log.debug({ threads: share }, 'threads follow the machine load');
    }
  };
  apply();
  const timer = setInterval(apply, SHARE_CHECK_MS);
  return () => clearInterval(timer);
}

async function runJob({ name, id }: JobRequest): Promise<void> {
  const idField = name === 'run' ? 'runId' : name === 'group' ? 'groupId' : 'gradientCheckId';
  const log = baseLog.child({ [idField]: id });
  training = true;
  load.busy();
  const unfollow = followHostLoad(log);
  try {
    const o: TrainingContext = { kernels, datasets, cifar10Dir: config.cifar10Dir, log, stopRequested: () => stopRequested };
    let outcome: 'done' | 'handedBack' = 'done';
    if (name === 'gradcheck') await gradientCheckJob(store, id, o);
    else if ((name === 'run' ? await trainRunJob(store, id, o) : await trainGroupJob(store, id, o)) === 'handedBack') outcome = 'handedBack';
    unfollow();
    load.idle();
    training = false;
    log.info({ outcome }, 'job ended');
    await reply({ kind: 'finished', outcome });
    if (stopRequested) await exit(outcome === 'handedBack' ? EXIT.handedBack : EXIT.done);
  } catch (err) {
    unfollow();
    log.error({ err }, 'training process failed');
    await reply({ kind: 'failure', message: (err as Error).message || String(err) });
    await exit(1);
  }
}
