// Postgres is the source of truth; Redis keeps nothing on disk. Every few seconds (and when a
// worker starts) this compares the two: a queued or running run (or gradient check) whose job
// Redis no longer has is enqueued again; one whose job failed for good is marked failed with
// the job's reason. Enqueueing uses the run id as job id, so racing reconcilers are harmless.
import type { Queue } from 'bullmq';
import type { JobData, JobName } from '../src/queue/queue.js';
import { enqueue } from '../src/queue/queue.js';
import type { Logger } from '../src/service/logger.js';
import type { Db } from '../src/store/db.js';
import { failGradientCheck } from '../src/store/gradientChecks.js';
import { failRun } from '../src/store/runWriter.js';

export interface ReconcileResult {
  requeued: number;
  failed: number;
}

export async function reconcile(db: Db, queue: Queue<JobData, unknown, JobName>, opts: { graceMs: number; attempts: number; log: Logger; limit?: number }): Promise<ReconcileResult> {
  const before = new Date(Date.now() - opts.graceMs);
  const limit = opts.limit ?? 500;
  const [runs, checks] = await Promise.all([
    db.run.findMany({ where: { status: { in: ['queued', 'running'] }, updatedAt: { lt: before } }, select: { id: true, status: true }, orderBy: { updatedAt: 'asc' }, take: limit }),
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
  return out;
}
