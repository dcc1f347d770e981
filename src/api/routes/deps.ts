// What route plugins get from buildApp besides the store (app.store): the queue, never constructed by routes.
import type { JobName } from '../../queue/queue.js';
import type { LiveResponseCache } from '../liveResponseCache.js';

export interface RouteDeps {
  /** Enqueues a job (job id = row id); may reject when Redis is down: the reconciler catches up. */
  enqueue(name: JobName, id: string): Promise<unknown>;
  /** Best-effort removal of a queued job (a cancelled run). */
  removeJob?(id: string): void;
  onRunCreated?(id: string): void;
  /** Wakes a search's coordinator; may reject when Redis is down: the reconciler catches up. */
  triggerSearch(id: string): Promise<unknown>;
  /** Serialised run reads, dropped when what they show changes. */
  reads: LiveResponseCache;
}
