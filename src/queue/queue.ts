// The BullMQ queue shared by the API (producer) and the workers. Job id = run (or gradient
// check) id, so enqueueing twice is harmless. Redis is not durable here: Postgres is the
// source of truth and worker/reconciler.ts re-enqueues whatever Redis lost.
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { ServiceConfig } from '../service/config.js';

export type JobName = 'run' | 'gradcheck';
export interface JobData {
  id: string;
}

export function redisConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, enableOfflineQueue: true } as ConnectionOptions;
}

export function createQueue(config: Pick<ServiceConfig, 'redisUrl' | 'queuePrefix' | 'queueName'>): Queue<JobData, unknown, JobName> {
  return new Queue<JobData, unknown, JobName>(config.queueName, {
    connection: redisConnection(config.redisUrl),
    prefix: config.queuePrefix,
  });
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

/** Adds the job; gives up after timeoutMs (Redis down) so callers can answer anyway. */
export async function enqueue(queue: Queue<JobData, unknown, JobName>, name: JobName, id: string, attempts: number, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.add(name, { id }, jobOptions(id, attempts)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return true;
  } finally {
    clearTimeout(timer);
  }
}
