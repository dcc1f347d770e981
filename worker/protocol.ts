// How a worker and its training processes talk. A training process lives across jobs (its
// dataset stays loaded): the worker sends it one job at a time, it answers when the job ends.
// After a failure it exits, so the next job starts in a fresh process.
import type { JobName } from '../src/queue/queue.js';

export const EXIT = {
  /** Idle and told to stop, or idle for too long. */
  done: 0,
  /** SIGTERM during a job: checkpoint written, the run went back to the queue for another worker. */
  handedBack: 75,
  /** The worker process went away; the child stopped without writing anything more. */
  orphaned: 70,
} as const;

/** Worker to training process: train this. */
export interface JobRequest {
  kind: 'job';
  name: JobName;
  id: string;
}

/** Training process to worker, once per job. */
export type JobReply =
  /** done: the outcome (succeeded, failed, cancelled) is in Postgres, or the group parked at a rung. handedBack: SIGTERM, checkpointed. */
  | { kind: 'finished'; outcome: 'done' | 'handedBack' }
  /** An internal error; the process exits after sending it. */
  | { kind: 'failure'; message: string };

/**
 * What a failed attempt tells users (it becomes the run's error): how the training process
 * ended; an internal exception's message stays in the worker's log, under the job id.
 */
export function publicFailure(jobId: string, failure: string | null, code: number | null, signal: string | null): string {
  if (failure) return `the training process failed with an internal error (worker log: job ${jobId})`;
  return signal ? `the training process was killed by ${signal}` : `the training process exited with code ${code}`;
}
