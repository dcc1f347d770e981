// The training process: one per job, forked by worker/main.ts so that CPU-bound training never
// blocks the worker's event loop (which keeps renewing the BullMQ job lock). It owns its
// Postgres connections and writes progress itself (src/trainer/trainMembers.ts says how). A `run`
// job trains one run; a `group` job one release of a fused group of search trials.
// Cancellation is checked a few times a second; on SIGTERM it stops after the current step
// (checkpoint, runs back to queued, exit EXIT.handedBack); it exits at once if its worker dies.
// Usage: node dist/worker/runProcessor.js run|group|gradcheck ID
import type { JobName } from '../src/queue/queue.js';
import { requestedThreads, selectKernels } from '../src/nativeKernels/selectKernels.js';
import { loadConfig } from '../src/runtime/config.js';
import { createLogger } from '../src/runtime/logger.js';
import { createStore } from '../src/store/store.js';
import { workerDatabaseUrl } from './databaseUrl.js';
import { gradientCheckJob } from './gradientCheckJob.js';
import { trainGroupJob } from './groupJob.js';
import { EXIT, type ChildFailure } from './protocol.js';
import { trainRunJob } from './runJob.js';

let stopRequested = false;
process.on('SIGTERM', () => {
  stopRequested = true;
});
process.on('SIGINT', () => {
  stopRequested = true;
});
process.on('disconnect', () => process.exit(EXIT.orphaned));

function report(message: string): void {
  const m: ChildFailure = { kind: 'failure', message };
  if (process.send) process.send(m);
}

async function main(): Promise<void> {
  const [kind, id] = process.argv.slice(2) as [JobName, string];
  const config = loadConfig();
  const idField = kind === 'run' ? 'runId' : kind === 'group' ? 'groupId' : 'gradientCheckId';
  const log = createLogger('trainyard-worker', config.logLevel).child({ [idField]: id, role: 'trainer' });
  const store = createStore(workerDatabaseUrl(config.databaseUrl), { ormConnections: 2, sqlConnections: 2 });
  let code: number = EXIT.done;
  try {
    if (kind === 'gradcheck') await gradientCheckJob(store, id, { cifar10Dir: config.cifar10Dir, log });
    else {
      const { kernels, warning } = selectKernels({ threads: requestedThreads() ?? 1 });
      if (warning) log.warn({}, warning);
      const o = { kernels, cifar10Dir: config.cifar10Dir, log, stopRequested: () => stopRequested };
      const outcome = kind === 'run' ? await trainRunJob(store, id, o) : await trainGroupJob(store, id, o);
      code = outcome === 'handedBack' ? EXIT.handedBack : EXIT.done;
    }
  } catch (err) {
    log.error({ err }, 'training process failed');
    report((err as Error).message || String(err));
    code = 1;
  }
  await store.close();
  process.exit(code);
}

await main();
