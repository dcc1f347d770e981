// Service configuration from the environment, read in one place. Every variable is optional:
// the defaults run against a local Postgres and Redis.

export interface ServiceConfig {
  databaseUrl: string;
  redisUrl: string;
  /** BullMQ key prefix: lets several deployments (or test files) share one Redis. */
  queuePrefix: string;
  queueName: string;
  host: string;
  port: number;
  logLevel: string;
  /** Requests per key (or per IP before auth) per rateLimitWindowMs. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  bodyLimitBytes: number;
  /** How often a worker re-enqueues runs that Postgres has queued/running but Redis lost. */
  reconcileIntervalMs: number;
  /** BullMQ lock duration: a job whose worker stops renewing its lock for this long is stalled. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Times a job may be found stalled (worker gone) and resumed before it is failed. */
  maxStalledCount: number;
  /** Attempts per job when the training process itself fails. */
  jobAttempts: number;
  /** Jobs run at once by one worker process (each in its own child process). */
  workerConcurrency: number;
  cifar10Dir: string | undefined;
  /** A worker's training process that has had no job for this long exits (giving back its memory). */
  trainerIdleMs: number;
  /** How much nicer than their worker the training processes run: they yield the CPU to request serving on the same host. */
  trainerNice: number;
  /** Loaded datasets a training process keeps between jobs, in bytes. */
  datasetCacheBytes: number;
  /** GET /metrics: off (404), open to anyone, or behind METRICS_KEY (Authorization: Bearer). */
  metrics: 'off' | 'open' | 'key';
  metricsKey: string | undefined;
  /** Requests with a missing or invalid API key allowed per client address per rate-limit window. */
  authFailuresMax: number;
}

function int(env: NodeJS.ProcessEnv, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}; got ${JSON.stringify(raw)}`);
  return n;
}

/** Off unless asked for: open to anyone with METRICS=open, behind a key when METRICS_KEY is set. */
function metricsMode(env: NodeJS.ProcessEnv): ServiceConfig['metrics'] {
  const m = env.METRICS || (env.METRICS_KEY ? 'key' : 'off');
  if (m !== 'off' && m !== 'open' && m !== 'key') throw new Error(`METRICS must be off, open or key; got ${JSON.stringify(m)}`);
  if (m === 'key' && !env.METRICS_KEY) throw new Error('METRICS=key needs METRICS_KEY (the key Prometheus sends as Authorization: Bearer <key>)');
  return m;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return {
    databaseUrl: env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/trainyard',
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: env.QUEUE_PREFIX || 'trainyard',
    queueName: env.QUEUE_NAME || 'jobs',
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 3000),
    logLevel: env.LOG_LEVEL || 'info',
    rateLimitMax: int(env, 'RATE_LIMIT_MAX', 6000, 1),
    rateLimitWindowMs: int(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 64 * 1024, 1024),
    reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MS', 10_000, 100),
    lockDurationMs: int(env, 'LOCK_DURATION_MS', 30_000, 1000),
    stalledIntervalMs: int(env, 'STALLED_INTERVAL_MS', 15_000, 500),
    maxStalledCount: int(env, 'MAX_STALLED_COUNT', 5, 0),
    jobAttempts: int(env, 'JOB_ATTEMPTS', 2, 1),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 1, 1),
    cifar10Dir: env.CIFAR10_DIR || undefined,
    trainerIdleMs: int(env, 'TRAINER_IDLE_MS', 5 * 60_000, 0),
    trainerNice: Math.min(19, int(env, 'TRAINER_NICE', 10, 0)),
    datasetCacheBytes: int(env, 'DATASET_CACHE_MB', 400, 0) * 1024 * 1024,
    metrics: metricsMode(env),
    metricsKey: env.METRICS_KEY || undefined,
    authFailuresMax: int(env, 'AUTH_FAILURES_MAX', 30, 1),
  };
}
