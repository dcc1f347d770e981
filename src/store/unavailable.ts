// Whether an error means Postgres cannot be reached right now (refused, restarting, connection
// lost), as opposed to a bad query or a misconfiguration: the API answers 503 with Retry-After,
// and trainers retry their writes, instead of failing.
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'P1001', 'P1002', 'P1017']);
const MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|the database system is (starting up|shutting down)|Client has encountered a connection error|Server has closed the connection|Connection refused/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[]; originalCode?: unknown; kind?: unknown; meta?: { driverAdapterError?: unknown } };
  if ((typeof e.code === 'string' && CODES.has(e.code)) || (typeof e.originalCode === 'string' && CODES.has(e.originalCode))) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  // Prisma's driver adapter reports a Postgres error it has no code of its own for (a server in
  // crash recovery, 57P03) as P2039 and keeps Postgres's error under meta.driverAdapterError.
  if (e.meta && typeof e.meta === 'object' && isDatabaseUnavailable(e.meta.driverAdapterError, depth + 1)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/**
 * Runs `op`, retrying while Postgres is unreachable (with backoff, for up to `forMs`). `done` is
 * asked before a retry: an attempt whose connection dropped at commit may have committed.
 */
export async function retryWhileUnavailable<T>(op: () => Promise<T>, o: { forMs?: number; done?: () => Promise<boolean>; onRetry?: (err: Error) => void } = {}): Promise<T | undefined> {
  const until = Date.now() + (o.forMs ?? 120_000);
  for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await op();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + wait > until) throw err;
      o.onRetry?.(err as Error);
      await new Promise((r) => setTimeout(r, wait));
      if (o.done && (await o.done().catch(() => false))) return undefined;
    }
  }
}

/** A deadlock (40P01) or serialisation failure (40001): the transaction was rolled back, retryable. */
export function isTransactionConflict(err: unknown): boolean {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return code === '40P01' || code === '40001';
}

/** Runs `op` (a whole transaction), again up to `attempts` times in all while it meets a conflict. */
export async function retryConflicts<T>(op: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await op();
    } catch (err) {
      if (i >= attempts || !isTransactionConflict(err)) throw err;
    }
  }
}
