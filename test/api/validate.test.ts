import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ApiError } from '../../src/api/errors.js';
import { assertSameRequest, idempotencyKey } from '../../src/api/idempotencyKey.js';
import { parseOr400, parseSpecBody, queryNumber, rejectProblems, requireObjectBody } from '../../src/api/validate.js';

const apiError = (code: string, path?: string) => (err: unknown) => {
  assert.ok(err instanceof ApiError, String(err));
  assert.equal(err.code, code);
  if (path) assert.ok((err.problems ?? []).some((p) => p.path === path), JSON.stringify(err.problems));
  return true;
};

test('a body must be a JSON object', () => {
  for (const body of [null, 3, 'x', [1]]) assert.throws(() => requireObjectBody(body, '{"spec": {}}'), apiError('invalid_request', '(root)'));
  assert.deepEqual(requireObjectBody({ a: 1 }, '{}'), { a: 1 });
});

test('a create body reports its own problems and its spec problems at once, each at its path', () => {
  const schema = z.strictObject({ spec: z.unknown(), name: z.string().max(3).optional() });
  const r = parseSpecBody({ spec: { training: { lambda: -1 } }, name: 'toolong' }, schema, '{}', 'the spec');
  assert.equal(r.data, null);
  assert.equal(r.spec, null);
  assert.equal(r.specInvalid, true);
  assert.deepEqual(r.problems.map((p) => p.path).sort(), ['name', 'spec.training.lambda']);
  assert.throws(() => rejectProblems('body', r), apiError('invalid_spec', 'spec.training.lambda'));
  const missing = parseSpecBody({}, schema, '{}', 'the spec');
  assert.deepEqual(missing.problems, [{ path: 'spec', message: 'required: the spec' }], 'one problem for a missing spec, saying what it is');
  const ok = parseSpecBody({ spec: { data: { dataset: 'synthetic' } } }, schema, '{}', 'the spec');
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.spec?.data.dataset, 'synthetic');
  assert.doesNotThrow(() => rejectProblems('body', ok));
});

test('Idempotency-Key: visible ASCII, and a replay must carry the same request', () => {
  assert.equal(idempotencyKey(undefined), undefined);
  assert.equal(idempotencyKey('run-1'), 'run-1');
  for (const bad of ['', 'a b', 'é', 'x'.repeat(201)]) assert.throws(() => idempotencyKey(bad), apiError('invalid_request', 'Idempotency-Key'));
  assert.doesNotThrow(() => assertSameRequest({ a: 1, b: [1, 2], c: undefined }, { b: [1, 2], a: 1 }), 'key order and undefined members do not matter');
  assert.throws(() => assertSameRequest({ a: 1 }, { a: 2 }), apiError('conflict'));
});

test('query values: numbers and integers from strings, each problem under its path', () => {
  assert.equal(parseOr400(z.object({ x: queryNumber }), { x: '1e-3' }, 'query').x, 0.001);
  assert.throws(() => parseOr400(z.object({ x: queryNumber }), { x: 'abc' }, 'query'), apiError('invalid_request', 'query.x'));
});
