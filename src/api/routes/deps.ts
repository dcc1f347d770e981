// What route plugins get from buildApp: the store and the queue, never constructed by routes.
import type { RunRow } from '../../store/runs.js';
import type { Db } from '../../store/db.js';
import type { JobName } from '../../queue/queue.js';

export interface RouteDeps {
  db: Db;
  /** Enqueues a job (job id = row id); may reject when Redis is down: the reconciler catches up. */
  enqueue(name: JobName, id: string): Promise<unknown>;
  /** Best-effort removal of a queued job (a cancelled run). */
  removeJob?(id: string): void;
  onRunCreated?(id: string): void;
  /** Wakes a search's coordinator; may reject when Redis is down: the reconciler catches up. */
  triggerSearch(id: string): Promise<unknown>;
  /** The hot read of one run (node-postgres); defaults to the ORM. */
  readRun?(projectId: string, id: string): Promise<RunRow | null>;
}
