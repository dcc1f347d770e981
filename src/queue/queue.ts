// The BullMQ queues shared by the API (producer) and the workers. `jobs` trains: job id = run,
// trial group or gradient check id, so enqueueing twice is harmless. `<jobs>-searches` wakes
// search coordinators: short jobs, any number per search (advancing a search is idempotent).
// Redis is not durable here: Postgres is the source of truth and worker/reconciler.ts
// re-enqueues whatever Redis lost.
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { ServiceConfig } from '../runtime/config.js';

export type JobName = 'run' | 'group' | 'gradcheck';
export interface JobData {
  /** The run, trial group or gradient check. */
  id: string;
  /** For a group job: the search to advance when it ends. */
  searchId?: string;
}

/** A group is released once per rung it parks at: each release is its own job. */
export const groupJobId = (groupId: string, release: number) => `${groupId}.${release}`;

export type SearchJobName = 'advance';
export interface SearchJobData {
  searchId: string;
}
export type SearchQueue = Queue<SearchJobData, unknown, SearchJobName>;

export function redisConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, enableOfflineQueue: true } as ConnectionOptions;
}

export function createQueue(config: Pick<ServiceConfig, 'redisUrl' | 'queuePrefix' | 'queueName'>): Queue<JobData, unknown, JobName> {
  return new Queue<JobData, unknown, JobName>(config.queueName, {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
  });
}

export function searchQueueName(config: Pick<ServiceConfig, 'queueName'>): string {
  return `${config.queueName}-searches`;
}

export function createSearchQueue(config: Pick<ServiceConfig, 'redisUrl' | 'queuePrefix' | 'queueName'>): SearchQueue {
  return new Queue<SearchJobData, unknown, SearchJobName>(searchQueueName(config), {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
  });
}

/** Wakes the search's coordinator; gives up after timeoutMs (Redis down): the reconciler wakes it later. */
export async function triggerSearch(queue: SearchQueue, searchId: string, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.add('advance', { searchId }, { attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 1000 } }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function jobOptions(id: string, attempts: number): JobsOptions {
  return {
    jobId: id,
    attempts,
    backoff: { type: 'fixed', delay: 1000 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export interface EnqueueOptions {
  attempts: number;
  timeoutMs?: number;
  /** Defaults to the row id. */
  jobId?: string;
  searchId?: string;
}

/** Adds the job; gives up after timeoutMs (Redis down) so callers can answer anyway. */
export async function enqueue(queue: Queue<JobData, unknown, JobName>, name: JobName, id: string, o: EnqueueOptions): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeoutMs = o.timeoutMs ?? 2000;
  try {
    await Promise.race([
      queue.add(name, { id, ...(o.searchId ? { searchId: o.searchId } : {}) }, jobOptions(o.jobId ?? id, o.attempts)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return true;
  } finally {
    clearTimeout(timer);
  }
}
