// The Idempotency-Key header shared by every create route, and the check that a replay carries the
// same request as the first use of the key.
import { canonicalJson } from '../experiment/canonicalJson.js';
import { ApiError } from './errors.js';

const IDEMPOTENCY = /^[\x21-\x7e]{1,200}$/;

export function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY.test(header)) {
    throw new ApiError('invalid_request', 'Idempotency-Key must be 1-200 visible ASCII characters', [{ path: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }]);
  }
  return header;
}

/** A replayed key must come with the request it was first used with. */
export function assertSameRequest(stored: unknown, requested: unknown): void {
  if (canonicalJson(stored) !== canonicalJson(requested)) {
    throw new ApiError('conflict', 'this Idempotency-Key was already used with a different request body; use a new key for a new request');
  }
}
