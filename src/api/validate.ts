// Request validation with zod: every problem at once, each with the field's path and what to fix.
import { z } from 'zod';
import { formatIssues, parseSpec, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { CursorError } from '../store/pageCursor.js';
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
  .transform(Number)
  .pipe(z.number({ error: 'must be a finite number (this one is too large to represent)' }));

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

export interface SpecBody<T> {
  data: T | null;
  spec: ExperimentSpec | null;
  problems: Problem[];
  /** Whether any problem is the spec's (the error code then is invalid_spec). */
  specInvalid: boolean;
}

/** A create body holding an experiment spec under `spec`: every problem of the body and of the spec at once. */
export function parseSpecBody<T extends z.ZodType>(body: unknown, schema: T, example: string, specRequired: string): SpecBody<z.output<T>> {
  const raw = requireObjectBody(body, example).spec;
  const b = schema.safeParse(body);
  // The spec's own problems are reported below, each at its path, once.
  const problems: Problem[] = b.success ? [] : problemsOf(b.error).filter((p) => p.path !== 'spec');
  const specProblems: Problem[] = [];
  let spec: ExperimentSpec | null = null;
  if (raw === undefined) specProblems.push({ path: 'spec', message: `required: ${specRequired}` });
  else if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) specProblems.push({ path: 'spec', message: 'must be a JSON object (the experiment spec)' });
  else {
    const parsed = parseSpec(raw);
    if (parsed.ok) spec = parsed.spec;
    else specProblems.push(...parsed.problems.map((p) => ({ path: p.path === '(root)' ? 'spec' : `spec.${p.path}`, message: p.message })));
  }
  return { data: b.success ? b.data : null, spec, problems: [...problems, ...specProblems], specInvalid: specProblems.length > 0 };
}

/** Throws the 400 for a body with problems, naming what was invalid. */
export function rejectProblems(what: string, r: { problems: Problem[]; specInvalid: boolean }): void {
  if (r.problems.length) throw new ApiError(r.specInvalid ? 'invalid_spec' : 'invalid_request', `invalid ${what}: ${summarise(r.problems)}`, r.problems);
}

/** An opaque page cursor (a previous page's nextCursor). */
export const pageCursor = z.string().regex(/^[A-Za-z0-9_-]{1,1000}$/, 'must be a nextCursor from a previous page, unchanged');

export const queryBoolean = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((s) => s === 'true');

/** A cursor of another project or sort, or not made by this API, is the client's mistake: 400. */
export function cursorTo400(err: unknown): never {
  if (err instanceof CursorError) throw new ApiError('invalid_request', `invalid cursor: ${err.message}`, [{ path: 'query.cursor', message: err.message }]);
  throw err;
}
