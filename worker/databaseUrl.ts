// The database URL of a worker's Postgres sessions (its coordinator, reconciler and training
// children): a transaction left idle for IDLE_IN_TRANSACTION_MS is ended by Postgres. A worker that
// is partitioned or frozen inside a transaction (a search step holding the search's row, a final
// write holding the run's) would otherwise keep those rows locked until Postgres notices the dead
// connection, hours later with default TCP keepalives, and no other worker could take the work
// over. Healthy transactions never idle between statements for more than milliseconds.
export const IDLE_IN_TRANSACTION_MS = 10_000;

export function workerDatabaseUrl(url: string): string {
  const u = new URL(url);
  const options = u.searchParams.get('options') ?? '';
  if (/idle_in_transaction_session_timeout/.test(options)) return url;
  u.searchParams.set('options', `${options} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`.trim());
  return u.toString();
}
