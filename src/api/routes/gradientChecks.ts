// /v1/gradient-checks: the core's analytic-vs-numerical gradient check as a job.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { DEFAULT_GRADCHECK } from '../../core/gradcheck/gradientCheck.js';
import { classCount, featureCount } from '../../experiment/experimentSpec.js';
import { ApiError } from '../errors.js';
import { assertSameRequest, idempotencyKey } from '../idempotencyKey.js';
import { gradientCheckBody } from '../responseBodies.js';
import { parseOr400, parseSpecBody, rejectProblems, requireObjectBody, uuid } from '../validate.js';
import type { RouteDeps } from './deps.js';

/** Numerical gradients cost two forward passes per parameter: keep the checked network small. */
export const GRADCHECK_MAX_PARAMETERS = 20_000;

const body = z.strictObject({
  spec: z.unknown(),
  /** Check this run's spec (then `spec` is left out). */
  runId: uuid.optional(),
  features: z.int().min(1).max(3072).default(DEFAULT_GRADCHECK.features),
  samples: z.int().min(1).max(100).default(DEFAULT_GRADCHECK.samples),
  h: z.number().gt(0).max(0.1).default(DEFAULT_GRADCHECK.h),
  method: z.enum(['centred', 'forward']).default(DEFAULT_GRADCHECK.method),
});

export const gradientCheckRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    app.post('/v1/gradient-checks', async (req, reply) => {
      const key = idempotencyKey(req.headers['idempotency-key']);
      const example = '{"spec": {...}, "features": 20, "samples": 10} or {"runId": "...", "features": 20}';
      let input = requireObjectBody(req.body, example);
      if (input.runId !== undefined) {
        const { runId } = parseOr400(z.object({ runId: uuid }), input, 'body');
        if (input.spec !== undefined) throw new ApiError('invalid_request', 'give either runId or spec, not both', [{ path: 'spec', message: 'leave out with runId: the run\'s spec is checked' }]);
        const run = await app.store.runs.get(req.projectId, runId);
        if (!run) throw new ApiError('not_found', `no run ${runId} in this project`);
        input = { ...input, spec: run.spec };
      }
      const parsed = parseSpecBody(input, body, example, 'the experiment spec whose network is checked (or a runId)');
      if (parsed.data && parsed.spec) {
        const d = Math.min(parsed.data.features, featureCount(parsed.spec));
        const sizes = [d, ...parsed.spec.model.hidden, classCount(parsed.spec)];
        let n = 0;
        for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l] * sizes[l + 1] + sizes[l + 1];
        if (n > GRADCHECK_MAX_PARAMETERS) parsed.problems.push({ path: 'features', message: `the checked network ${sizes.join('-')} has ${n} parameters; the limit is ${GRADCHECK_MAX_PARAMETERS}: use fewer features or smaller hidden layers` });
      }
      rejectProblems('gradient check', parsed);
      const spec = parsed.spec!;
      const { spec: _spec, runId, ...options } = parsed.data!;
      const { check, created } = await app.store.gradientChecks.create({ projectId: req.projectId, spec, options, idempotencyKey: key, runId });
      if (!created) {
        assertSameRequest({ spec: check.spec, options: check.options, runId: check.runId ?? undefined }, { spec, options, runId });
        return reply.code(200).send(gradientCheckBody(check));
      }
      await deps.enqueue('gradcheck', check.id).catch((err) => req.log.warn({ gradientCheckId: check.id, err: (err as Error).message }, 'enqueue failed; the reconciler will enqueue it'));
      return reply.code(202).header('location', `/v1/gradient-checks/${check.id}`).send(gradientCheckBody(check));
    });

    app.get('/v1/gradient-checks', async (req) => {
      const { runId } = parseOr400(z.strictObject({ runId: uuid }), req.query, 'query');
      const run = await app.store.runs.get(req.projectId, runId);
      if (!run) throw new ApiError('not_found', `no run ${runId} in this project`);
      return { gradientChecks: (await app.store.gradientChecks.ofRun(req.projectId, runId)).map(gradientCheckBody) };
    });

    app.get('/v1/gradient-checks/:id', async (req) => {
      const { id } = parseOr400(z.strictObject({ id: uuid }), req.params, 'path');
      const g = await app.store.gradientChecks.get(req.projectId, id);
      if (!g) throw new ApiError('not_found', `no gradient check ${id} in this project`);
      return gradientCheckBody(g);
    });
  };
