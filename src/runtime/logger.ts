// pino JSON logs for the API and the workers. Workers log through child loggers that carry
// the run id, so every line about a run can be found by it.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid, service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
