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
