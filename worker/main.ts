// `npm run worker`: a BullMQ worker. Jobs train in the worker's training processes
// (worker/trainerPool.ts, worker/trainerProcess.ts), so CPU-bound training never delays this
// process's lock renewals; a training process is kept between jobs, with its dataset loaded.
//
// Threads: each job uses its share of the machine's cores, counted over every worker on the
// machine (worker/hostLoad.ts): two jobs on two cores one thread each, a lone job both;
// TRAINYARD_THREADS fixes the count instead. Run one worker (WORKER_CONCURRENCY=1) per core.
//
// SIGTERM: busy training processes finish their current step, write a checkpoint and exit; their
// jobs go back to the wait list for another worker; then this process exits. SIGKILL: the
// training processes notice their parent is gone and exit; BullMQ finds the job stalled once its
// lock expires and another worker resumes it from the last epoch checkpoint.
//
// Searches: training jobs include `group` jobs (a fused group of search trials). A second,
// light BullMQ worker in this process takes `searches` jobs and advances search coordinators
// in-process (worker/searchCoordinator.ts); it never takes a training slot.
import { fileURLToPath } from 'node:url';
import { Worker, WaitingError, type Job } from 'bullmq';
import {
  createQueue,
  createSearchQueue,
  enqueue,
  groupJobId,
  redisConnection,
  searchQueueName,
  triggerSearch,
  type JobData,
  type JobName,
  type SearchJobData,
  type SearchJobName,
} from '../src/queue/queue.js';
import { loadConfig } from '../src/runtime/config.js';
import { createLogger } from '../src/runtime/logger.js';
import { createStore } from '../src/store/store.js';
import { workerDatabaseUrl } from './databaseUrl.js';
import { faultPauseFromEnv } from './faultPause.js';
import { publicFailure } from './protocol.js';
import { reconcile } from './reconciler.js';
import { coordinateSearch } from './searchCoordinator.js';
import { createTrainerPool } from './trainerPool.js';

const config = loadConfig();
const log = createLogger('trainyard-worker', config.logLevel);
const store = createStore(workerDatabaseUrl(config.databaseUrl), { ormConnections: 3, sqlConnections: 3 });
const queue = createQueue(config);
const searchQueue = createSearchQueue(config);
const graceMs = Number(process.env.RECONCILE_GRACE_MS ?? 5000);
const trainers = createTrainerPool({ script: fileURLToPath(new URL('./trainerProcess.js', import.meta.url)), env: process.env, idleMs: config.trainerIdleMs, nice: config.trainerNice });
let shuttingDown = false;

const idField = (name: string) => (name === 'run' ? 'runId' : name === 'group' ? 'groupId' : 'gradientCheckId');

/** Wakes the coordinator of the group's search (after the group ended, one way or another). */
async function wakeSearchOf(job: Job<JobData, unknown, JobName>): Promise<void> {
  const searchId = job.data.searchId ?? (await store.reconciliation.searchOfGroup(job.data.id));
  if (searchId) await triggerSearch(searchQueue, searchId).catch((err) => log.warn({ searchId, err: (err as Error).message }, 'could not wake the search; the reconciler will'));
}

async function processJob(job: Job<JobData, unknown, JobName>, token?: string): Promise<void> {
  const jlog = log.child({ [idField(job.name)]: job.data.id, jobId: job.id, attempt: job.attemptsMade + 1 });
  jlog.info('job started');
  const end = await trainers.run(job.name, job.data.id);
  if (end.kind === 'done') {
    jlog.info({ trainerPid: end.trainerPid }, 'job finished');
    if (job.name === 'group') await wakeSearchOf(job);
    return;
  }
  if (end.kind === 'handedBack') {
    await job.moveToWait(token);
    jlog.info('job handed back to the queue');
    throw new WaitingError();
  }
  const { failure, code, signal } = end;
  // The run's error is shown to users: an internal message stays in this log, under the job id.
  const why = publicFailure(job.id!, failure, code, signal);
  jlog.error({ code, signal, failure }, `job attempt failed: ${failure ?? why}`);
  throw new Error(why);
}

const worker = new Worker<JobData, unknown, JobName>(config.queueName, processJob, {
  connection: redisConnection(config.redisUrl),
  prefix: config.queuePrefix,
  concurrency: config.workerConcurrency,
  lockDuration: config.lockDurationMs,
  stalledInterval: config.stalledIntervalMs,
  maxStalledCount: config.maxStalledCount,
  autorun: false,
});

worker.on('failed', (job, err) => {
  if (!job) return;
  const attempts = job.opts.attempts ?? 1;
  if (job.attemptsMade < attempts && !/stalled more than/i.test(err.message)) return;
  const reason = `${err.message}${attempts > 1 ? ` (after ${job.attemptsMade} attempts)` : ''}`;
  const mark =
    job.name === 'run'
      ? store.runs.fail(job.data.id, reason)
      : job.name === 'group'
        ? store.reconciliation.failGroup(job.data.id, reason).then(async () => (await wakeSearchOf(job), true))
        : store.gradientChecks.fail(job.data.id, reason);
  mark.then(
    (changed) => changed && log.warn({ [idField(job.name)]: job.data.id, reason }, 'marked failed'),
    (e) => log.error({ err: e, [idField(job.name)]: job.data.id }, 'could not mark failed'),
  );
});
worker.on('stalled', (jobId) => {
  log.warn({ jobId }, 'job stalled (its worker stopped renewing the lock); it will be resumed');
  // A group's job id is "<group>.<release>"; a run's is the run id.
  const [id, release] = jobId.split('.');
  // Half a lock duration: the dead attempt's last write is older than that; a new claim is not.
  store.runs.requeueStalled(release === undefined ? { runId: id } : { groupId: id }, config.lockDurationMs / 2).catch(() => {});
});
worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));

const coordinator = new Worker<SearchJobData, unknown, SearchJobName>(
  searchQueueName(config),
  (job) =>
    coordinateSearch(
      {
        storage: store.searchStorage,
        log,
        enqueueGroup: (g, searchId) => enqueue(queue, 'group', g.id, { attempts: config.jobAttempts, jobId: groupJobId(g.id, g.release), searchId }),
        workerCount: () => queue.getWorkersCount(),
        pause: faultPauseFromEnv(),
      },
      job.data.searchId,
    ),
  {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
    concurrency: 2,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    autorun: false,
  },
);
coordinator.on('failed', (job, err) => log.warn({ searchId: job?.data.searchId, err: err.message }, 'search step failed; it will be retried'));
coordinator.on('error', (err) => log.error({ err: err.message }, 'coordinator error'));

let reconciling = false;
async function reconcileOnce(): Promise<void> {
  if (reconciling || shuttingDown) return;
  reconciling = true;
  try {
    const r = await reconcile(store, queue, { graceMs, attempts: config.jobAttempts, log, searchQueue });
    if (r.requeued || r.failed) log.info(r, 'reconciled');
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'reconcile failed; will retry');
  } finally {
    reconciling = false;
  }
}
const timer = setInterval(reconcileOnce, config.reconcileIntervalMs);

async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal, trainers: trainers.size() }, 'shutting down: checkpointing running jobs');
  clearInterval(timer);
  trainers.stopAll();
  await Promise.all([worker.close(), coordinator.close()]);
  await queue.close().catch(() => {});
  await searchQueue.close().catch(() => {});
  await store.close();
  log.info('worker stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

await reconcileOnce();
void worker.run();
void coordinator.run();
await Promise.all([worker.waitUntilReady(), coordinator.waitUntilReady()]);
log.info({ queue: config.queueName, prefix: config.queuePrefix, concurrency: config.workerConcurrency }, 'worker ready');
