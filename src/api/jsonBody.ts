// Request bodies and query strings as the rest of the API may assume them: valid UTF-8 JSON, at
// most MAX_DEPTH levels deep, finite numbers, and text Postgres can store (no NUL, no lone UTF-16
// surrogates), with no prototype-poisoning keys. Anything else is a 400 naming where it is.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

export const MAX_DEPTH = 32;
const PROTO_KEY = 'a key that would set an object prototype is not allowed';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first problem in a parsed JSON value (or query object), with its dotted path; null when clean. */
export function textProblem(value: unknown, where: string, depth = 0): { path: string; message: string } | null {
  if (depth > MAX_DEPTH) return { path: where, message: `nested deeper than ${MAX_DEPTH} levels` };
  if (typeof value === 'string') return stringProblem(value, where);
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path: where, message: 'must be a finite number (this one is too large to represent)' };
  if (value === null || typeof value !== 'object') return null;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const path = where ? `${where}.${k}` : k;
    if (!Array.isArray(value)) {
      if (k === '__proto__' || (k === 'constructor' && v !== null && typeof v === 'object' && 'prototype' in v)) return { path, message: PROTO_KEY };
      const bad = stringProblem(k, path);
      if (bad) return { path: where || '(root)', message: `a key ${bad.message}` };
    }
    const p = textProblem(v, path, depth + 1);
    if (p) return p;
  }
  return null;
}

function stringProblem(s: string, path: string): { path: string; message: string } | null {
  if (s.includes('\u0000')) return { path, message: 'must not contain the NUL character (\\u0000)' };
  if (LONE_SURROGATE.test(s)) return { path, message: 'must be valid Unicode text (it holds a lone UTF-16 surrogate)' };
  return null;
}

/** Replaces Fastify's JSON parser and checks every query string. */
export function strictJson(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(new ApiError('invalid_json', 'the request body is not valid UTF-8; send JSON encoded as UTF-8'), undefined);
    }
    if (text.trim() === '') return done(new ApiError('invalid_json', 'the request body is empty; send a JSON object'), undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return done(new ApiError('invalid_json', `the request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
    const p = textProblem(value, '');
    // Prototype-poisoning keys are refused as malformed JSON, as Fastify's own parser does.
    if (p?.message === PROTO_KEY) return done(new ApiError('invalid_json', `the request body is not valid JSON here: ${p.path}: ${p.message}`), undefined);
    if (p) return done(new ApiError('invalid_request', `invalid body: ${p.path || '(root)'}: ${p.message}`, [{ path: p.path || '(root)', message: p.message }]), undefined);
    done(null, value);
  });
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const p = textProblem(req.query, 'query');
    if (p) throw new ApiError('invalid_request', `invalid query: ${p.path}: ${p.message}`, [p]);
  });
}
