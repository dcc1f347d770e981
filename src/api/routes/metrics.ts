// /v1/metrics: thinned curves of several runs at once (a dashboard's compare view).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { parseOr400, queryBoolean, queryInt, uuid } from '../validate.js';

export const MAX_COMPARED_RUNS = 20;

const query = z.strictObject({
  runs: z
    .string()
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim()))])
    .pipe(z.array(uuid).min(1).max(MAX_COMPARED_RUNS, `at most ${MAX_COMPARED_RUNS} runs`)),
  maxPoints: queryInt(2, 2000).default(400),
  // Compare draws lines only: without each bucket's min and max the answer is a third the size.
  envelope: queryBoolean.default(true),
});

export const metricsRoutes = (): FastifyPluginAsync => async (app) => {
  app.get('/v1/metrics', async (req) => {
    const q = parseOr400(query, req.query, 'query');
    const runs = await Promise.all(q.runs.map((id) => app.store.runs.get(req.projectId, id)));
    const missing = q.runs.filter((_, i) => !runs[i]);
    if (missing.length) throw new ApiError('not_found', `no run ${missing.join(', ')} in this project`);
    const series = await Promise.all(
      q.runs.map(async (runId) => {
        const r = await app.store.metrics.thinned(runId, q.maxPoints, -1, q.maxPoints);
        const points = q.envelope ? r.points : r.points.map((p) => (p.bucket ? { ...p, bucket: { fromStep: p.bucket.fromStep, toStep: p.bucket.toStep, count: p.bucket.count } } : p));
        return { runId, thinned: true, bucketWidth: r.width, points };
      }),
    );
    return { series };
  });
};
