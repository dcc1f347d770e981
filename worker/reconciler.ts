// Postgres is the source of truth; Redis keeps nothing on disk. Every few seconds (and when a
// worker starts) this compares the two: a queued or running run (or gradient check, or released
// trial group) whose job Redis no longer has is enqueued again; one whose job failed for good is
// marked failed with the job's reason. Enqueueing uses the row id as job id, so racing
// reconcilers are harmless. Unfinished searches not advanced for a while are woken (advancing is
// idempotent), which also covers a wake-up Redis lost.
import type { Queue } from 'bullmq';
import type { JobData, JobName, SearchQueue } from '../src/queue/queue.js';
import { enqueue, triggerSearch } from '../src/queue/queue.js';
import type { Logger } from '../src/runtime/logger.js';
import type { Db } from '../src/store/db.js';
import { failGradientCheck } from '../src/store/gradientChecks.js';
import { failRun } from '../src/store/runWriter.js';
import { enqueuedGroups, failGroup } from '../src/store/trials.js';

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

export async function reconcile(db: Db, queue: Queue<JobData, unknown, JobName>, opts: ReconcileOptions): Promise<ReconcileResult> {
  const before = new Date(Date.now() - opts.graceMs);
  const limit = opts.limit ?? 500;
  const [runs, checks] = await Promise.all([
    // Search trials are trained by their group's job (or wait for an identical trial): not here.
    db.run.findMany({ where: { status: { in: ['queued', 'running'] }, searchId: null, updatedAt: { lt: before } }, select: { id: true, status: true }, orderBy: { updatedAt: 'asc' }, take: limit }),
    db.gradientCheck.findMany({ where: { status: { in: ['queued', 'running'] }, updatedAt: { lt: before } }, select: { id: true, status: true }, take: limit }),
  ]);
  const out: ReconcileResult = { requeued: 0, failed: 0 };
  const items: { name: JobName; id: string; status: string }[] = [...runs.map((r) => ({ name: 'run' as const, ...r })), ...checks.map((c) => ({ name: 'gradcheck' as const, ...c }))];
  for (const it of items) {
    const job = await queue.getJob(it.id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'missing' || state === 'unknown') {
      await enqueue(queue, it.name, it.id, opts.attempts);
      if (it.name === 'run') await db.run.updateMany({ where: { id: it.id, status: 'running' }, data: { status: 'queued' } });
      else await db.gradientCheck.updateMany({ where: { id: it.id, status: 'running' }, data: { status: 'queued' } });
      opts.log.warn({ [it.name === 'run' ? 'runId' : 'gradientCheckId']: it.id, was: it.status }, 'job missing from Redis; enqueued again');
      out.requeued++;
    } else if (state === 'failed' || state === 'completed') {
      const reason = state === 'failed' ? job!.failedReason || 'the job failed' : 'the worker finished the job without recording a result';
      const changed = it.name === 'run' ? await failRun(db, it.id, reason) : await failGradientCheck(db, it.id, reason);
      if (changed) {
        opts.log.warn({ [it.name === 'run' ? 'runId' : 'gradientCheckId']: it.id, reason }, 'job ended without a result; marked failed');
        out.failed++;
      }
    }
  }
  if (opts.searchQueue) await reconcileSearches(db, queue, opts.searchQueue, before, limit, opts, out);
  return out;
}

async function reconcileSearches(db: Db, queue: Queue<JobData, unknown, JobName>, searchQueue: SearchQueue, before: Date, limit: number, opts: ReconcileOptions, out: ReconcileResult): Promise<void> {
  const wake = new Set<string>();
  for (const g of await enqueuedGroups(db, before, limit)) {
    const job = await queue.getJob(g.id);
    const state = job ? await job.getState() : 'missing';
    if (state === 'missing' || state === 'unknown') {
      await enqueue(queue, 'group', g.id, opts.attempts, 2000, { searchId: g.searchId });
      await db.run.updateMany({ where: { groupId: g.id, status: 'running' }, data: { status: 'queued' } });
      opts.log.warn({ groupId: g.id, searchId: g.searchId }, 'group job missing from Redis; enqueued again');
      out.requeued++;
    } else if (state === 'failed') {
      await failGroup(db, g.id, job!.failedReason || 'the job failed');
      opts.log.warn({ groupId: g.id, searchId: g.searchId }, 'group job failed; unfinished trials marked failed');
      out.failed++;
      wake.add(g.searchId);
    } else if (state === 'completed') {
      wake.add(g.searchId);
    }
  }
  const idle = await db.search.findMany({ where: { status: { in: ['queued', 'running'] }, updatedAt: { lt: before } }, select: { id: true }, take: limit });
  for (const s of idle) wake.add(s.id);
  for (const id of wake) await triggerSearch(searchQueue, id);
}
