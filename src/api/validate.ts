// Request validation with zod: every problem at once, each with the field's path and what to fix.
import { z } from 'zod';
import { formatIssues } from '../experiment/experimentSpec.js';
import { ApiError, summarise, type Problem } from './errors.js';

export function problemsOf(error: z.ZodError, prefix = ''): Problem[] {
  return formatIssues(error.issues).map((p) => ({ path: prefix ? (p.path === '(root)' ? prefix : `${prefix}.${p.path}`) : p.path, message: p.message }));
}

/** Parses `value` or throws a 400 invalid_request naming each bad field under `where` (query, body, path). */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const problems = problemsOf(r.error, where);
  throw new ApiError('invalid_request', `invalid ${where}: ${summarise(problems)}`, problems);
}

export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID like 3f2c1a9e-8b7d-4c6e-9f00-1a2b3c4d5e6f');

/** A query-string number (query values arrive as strings). */
export const queryNumber = z
  .string()
  .trim()
  .regex(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'must be a number')
  .transform(Number);

export function queryInt(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** The request body must be a JSON object; `example` shows what it looks like. */
export function requireObjectBody(body: unknown, example: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalid_request', `the body must be a JSON object like ${example}`, [{ path: '(root)', message: 'must be a JSON object' }]);
  }
  return body as Record<string, unknown>;
}
