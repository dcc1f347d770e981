// Postgres is the source of truth; Redis keeps nothing on disk. Every few seconds (and when a
// worker starts) this compares the two: a queued or running run (or gradient check, or released
// trial group) whose job Redis no longer has is enqueued again; one whose job failed for good is
// marked failed with the job's reason. Enqueueing uses the row id as job id, so racing
// reconcilers are harmless. Unfinished searches not advanced for a while are woken (advancing is
// idempotent), which also covers a wake-up Redis lost.
import type { Queue } from 'bullmq';
import { enqueue, groupJobId, triggerSearch, type JobData, type JobName, type SearchQueue } from '../src/queue/queue.js';
import type { Logger } from '../src/runtime/logger.js';
import type { Store } from '../src/store/store.js';

export interface ReconcileResult {
  requeued: number;
  failed: number;
}

export interface ReconcileOptions {
  graceMs: number;
  attempts: number;
  log: Logger;
  limit?: number;
  /** When given, trial groups and searches are reconciled too. */
  searchQueue?: SearchQueue;
}

async function jobState(queue: Queue<JobData, unknown, JobName>, jobId: string) {
  const job = await queue.getJob(jobId);
  const state = job ? await job.getState() : 'missing';
  return { job, lost: state === 'missing' || state === 'unknown', state };
}

export async function reconcile(store: Store, queue: Queue<JobData, unknown, JobName>, opts: ReconcileOptions): Promise<ReconcileResult> {
  const before = new Date(Date.now() - opts.graceMs);
  const limit = opts.limit ?? 500;
  const rec = store.reconciliation;
  const out: ReconcileResult = { requeued: 0, failed: 0 };
  for (const it of await rec.staleJobs(before, limit)) {
    const idField = it.kind === 'run' ? 'runId' : 'gradientCheckId';
    const { job, lost, state } = await jobState(queue, it.id);
    if (lost) {
      await enqueue(queue, it.kind, it.id, { attempts: opts.attempts });
      await rec.requeued(it);
      opts.log.warn({ [idField]: it.id, was: it.status }, 'job missing from Redis; enqueued again');
      out.requeued++;
    } else if (state === 'failed' || state === 'completed') {
      const reason = state === 'failed' ? job!.failedReason || 'the job failed' : 'the worker finished the job without recording a result';
      const changed = it.kind === 'run' ? await store.runs.fail(it.id, reason) : await store.gradientChecks.fail(it.id, reason);
      if (changed) {
        opts.log.warn({ [idField]: it.id, reason }, 'job ended without a result; marked failed');
        out.failed++;
      }
    }
  }
  if (opts.searchQueue) await reconcileSearches(store, queue, opts.searchQueue, before, limit, opts, out);
  return out;
}

async function reconcileSearches(store: Store, queue: Queue<JobData, unknown, JobName>, searchQueue: SearchQueue, before: Date, limit: number, opts: ReconcileOptions, out: ReconcileResult): Promise<void> {
  const rec = store.reconciliation;
  const wake = new Set<string>();
  for (const g of await rec.enqueuedGroups(before, limit)) {
    const jobId = groupJobId(g.id, g.releases);
    const { job, lost, state } = await jobState(queue, jobId);
    if (lost) {
      await enqueue(queue, 'group', g.id, { attempts: opts.attempts, jobId, searchId: g.searchId });
      await rec.groupRequeued(g.id);
      opts.log.warn({ groupId: g.id, searchId: g.searchId }, 'group job missing from Redis; enqueued again');
      out.requeued++;
    } else if (state === 'failed') {
      await rec.failGroup(g.id, job!.failedReason || 'the job failed');
      opts.log.warn({ groupId: g.id, searchId: g.searchId }, 'group job failed; unfinished trials marked failed');
      out.failed++;
      wake.add(g.searchId);
    } else if (state === 'completed') {
      wake.add(g.searchId);
    }
  }
  for (const id of await rec.idleSearches(before, limit)) wake.add(id);
  for (const id of wake) await triggerSearch(searchQueue, id);
}
