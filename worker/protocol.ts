// How the training child process tells the worker what happened: its exit code, plus one
// IPC message with the reason when it fails.

export const EXIT = {
  /** The job is finished: the run's outcome (succeeded, failed, cancelled) is in Postgres, or the group parked at a rung. */
  done: 0,
  /** SIGTERM: checkpoint written, the run goes back to the queue for another worker. */
  handedBack: 75,
  /** The worker process went away; the child stopped without writing anything more. */
  orphaned: 70,
} as const;

export interface ChildFailure {
  kind: 'failure';
  message: string;
}

/**
 * What a failed attempt tells users (it becomes the run's error): how the training process
 * ended; an internal exception's message stays in the worker's log, under the job id.
 */
export function publicFailure(jobId: string, failure: string | null, code: number | null, signal: string | null): string {
  if (failure) return `the training process failed with an internal error (worker log: job ${jobId})`;
  return signal ? `the training process was killed by ${signal}` : `the training process exited with code ${code}`;
}
