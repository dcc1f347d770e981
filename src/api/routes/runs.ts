// /v1/runs: create (idempotent), list with filters, read, progress history, artifacts, cancel.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { RUN_STATUSES, SORT_FIELDS, TERMINAL, type RunRow, type SortField } from '../../store/runs.js';
import { ApiError } from '../errors.js';
import { assertSameRequest, idempotencyKey } from '../idempotencyKey.js';
import { runBody } from '../responseBodies.js';
import { prunedReasonsOf } from '../rungs.js';
import { cursorTo400, pageCursor, parseOr400, parseSpecBody, queryBoolean, queryInt, queryNumber, rejectProblems, requireObjectBody, uuid } from '../validate.js';
import type { RouteDeps } from './deps.js';

const tag = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:\-]+$/, 'use letters, digits and _ . : - only');

const createBody = z.strictObject({
  spec: z.unknown(),
  name: z.string().min(1).max(200).optional(),
  tags: z.array(tag).max(20).optional(),
});

const idParams = z.strictObject({ id: uuid });

const JSON_TYPE = 'application/json; charset=utf-8';
const FINISHED_TTL_MS = 5 * 60_000;
const RUNNING_TTL_MS = 1000;
const artifactParams = z.strictObject({ id: uuid, name: z.string().regex(/^[A-Za-z0-9_.\-]{1,100}$/, 'must be an artifact name like result.json') });

const statusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(RUN_STATUSES as [string, ...string[]])));
const sortKeys = Object.keys(SORT_FIELDS);
const sortParam = z
  .string()
  .refine((s) => sortKeys.includes(s.replace(/^-/, '')), `must be one of ${sortKeys.join(', ')}, with a leading - for descending`);

const listQuery = z.strictObject({
  status: statusList.optional(),
  tag: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(tag).max(20))
    .optional(),
  dataset: z.enum(['cifar10', 'synthetic']).optional(),
  schedule: z.enum(['constant', 'stepDecay', 'cyclical']).optional(),
  batchNorm: z.enum(['none', 'before', 'after']).optional(),
  hiddenLayers: queryInt(0, 64).optional(),
  name: z.string().min(1).max(200).optional(),
  lambdaMin: queryNumber.optional(),
  lambdaMax: queryNumber.optional(),
  validationAccuracyMin: queryNumber.optional(),
  validationAccuracyMax: queryNumber.optional(),
  testAccuracyMin: queryNumber.optional(),
  testAccuracyMax: queryNumber.optional(),
  searchId: uuid.optional(),
  stage: queryInt(0, 100).optional(),
  ids: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(uuid).max(200, 'at most 200 ids'))
    .optional(),
  sort: sortParam.default('-createdAt'),
  limit: queryInt(1, 200).default(50),
  cursor: pageCursor.optional(),
  withTotal: queryBoolean.optional(),
});

const epochsQuery = z.strictObject({ cursor: queryInt(0, 1_000_000_000).optional(), limit: queryInt(1, 1000).default(1000) });
const metricsQuery = z.strictObject({
  maxPoints: queryInt(2, 10_000).optional(),
  cursor: queryInt(-1, 2_147_483_647).optional(),
  limit: queryInt(1, 10_000).optional(),
  fromStep: queryInt(0, 2_147_483_647).optional(),
  toStep: queryInt(0, 2_147_483_647).optional(),
});

const annotateBody = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  tags: z.array(tag).max(20).optional(),
  notes: z.string().max(10_000).nullable().optional(),
});

export const runsRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    const { runs, metrics, artifacts } = app.store;

    app.post('/v1/runs', async (req, reply) => {
      const key = idempotencyKey(req.headers['idempotency-key']);
      const parsed = parseSpecBody(req.body, createBody, '{"spec": {...}, "name": "...", "tags": [...]}', 'the experiment spec, e.g. {"data": {"dataset": "synthetic"}}');
      rejectProblems(parsed.specInvalid ? 'experiment spec' : 'body', parsed);
      const spec = parsed.spec!;
      const body = parsed.data!;
      const { run, created } = await runs.create({ projectId: req.projectId, spec, name: body.name, tags: body.tags, idempotencyKey: key });
      if (!created) {
        assertSameRequest({ spec: run.spec, name: run.name, tags: run.tags }, { spec, name: body.name ?? spec.name ?? null, tags: body.tags ?? [] });
        return reply.code(200).send(runBody(run));
      }
      await deps.enqueue('run', run.id).catch((err) => req.log.warn({ runId: run.id, err: (err as Error).message }, 'enqueue failed; the reconciler will enqueue the run'));
      deps.onRunCreated?.(run.id);
      return reply.code(202).header('location', `/v1/runs/${run.id}`).send(runBody(run));
    });

    app.get('/v1/runs', async (req, reply) => {
      const q = parseOr400(listQuery, req.query, 'query');
      const query = req.url.slice(req.url.indexOf('?') + 1 || req.url.length);
      const json = await deps.reads.list(req.projectId, query, async () => {
        const desc = q.sort.startsWith('-');
        const page = await runs
          .list(req.projectId, {
            filters: {
              status: q.status as never,
              tags: q.tag,
              dataset: q.dataset,
              scheduleKind: q.schedule,
              batchNorm: q.batchNorm,
              hiddenLayers: q.hiddenLayers,
              name: q.name,
              lambdaMin: q.lambdaMin,
              lambdaMax: q.lambdaMax,
              validationAccuracyMin: q.validationAccuracyMin,
              validationAccuracyMax: q.validationAccuracyMax,
              testAccuracyMin: q.testAccuracyMin,
              testAccuracyMax: q.testAccuracyMax,
              searchId: q.searchId,
              stage: q.stage,
              ids: q.ids,
            },
            sort: q.sort.replace(/^-/, '') as SortField,
            order: desc ? 'desc' : 'asc',
            limit: q.limit,
            cursor: q.cursor,
            withTotal: q.withTotal,
          })
          .catch(cursorTo400);
        const pruned = await prunedReasonsOfRuns(page.runs);
        return JSON.stringify({ runs: page.runs.map((r) => runBody(r, { pruned: pruned.get(r.id) })), nextCursor: page.nextCursor, ...(page.total !== undefined ? { total: page.total } : {}) });
      });
      return reply.type(JSON_TYPE).send(json);
    });

    /** Why the pruned trials among these runs were pruned (one ladder per search involved). */
    const prunedReasonsOfRuns = async (list: RunRow[]) => {
      const ids = [...new Set(list.filter((r) => r.status === 'pruned' && r.searchId).map((r) => r.searchId!))];
      const found = (await Promise.all(ids.map((id) => app.store.searches.get(list[0].projectId, id)))).filter((s): s is NonNullable<typeof s> => s !== null);
      return prunedReasonsOf(app.store, found);
    };

    const findRun = async (projectId: string, params: unknown) => {
      const { id } = parseOr400(idParams, params, 'path');
      const run = await runs.get(projectId, id);
      if (!run) throw new ApiError('not_found', `no run ${id} in this project`);
      return run;
    };

    app.get('/v1/runs/:id', async (req, reply) => {
      const json = await deps.reads.run(req.projectId, (req.params as { id?: string }).id ?? '', async () => {
        const run = await findRun(req.projectId, req.params);
        const body = runBody(run, { pruned: (await prunedReasonsOfRuns([run])).get(run.id) });
        // A running run's wording follows the clock ("no progress for 2 min"); a finished one's does not.
        return { json: JSON.stringify(body), ttlMs: TERMINAL.includes(run.status) ? FINISHED_TTL_MS : RUNNING_TTL_MS };
      });
      return reply.type(JSON_TYPE).send(json);
    });

    app.patch('/v1/runs/:id', async (req) => {
      const { id } = parseOr400(idParams, req.params, 'path');
      const change = parseOr400(annotateBody, requireObjectBody(req.body, '{"name": "...", "tags": ["..."], "notes": "..."}'), 'body');
      const run = await runs.annotate(req.projectId, id, change);
      if (!run) throw new ApiError('not_found', `no run ${id} in this project`);
      return runBody(run, { pruned: (await prunedReasonsOfRuns([run])).get(run.id) });
    });

    app.get('/v1/runs/:id/epochs', async (req) => {
      const q = parseOr400(epochsQuery, req.query, 'query');
      const run = await findRun(req.projectId, req.params);
      const { epochs, more } = await metrics.epochs(run.id, q.cursor ?? 0, q.limit);
      return { runId: run.id, epochs, nextCursor: more ? String(epochs[epochs.length - 1].epoch) : null };
    });

    app.get('/v1/runs/:id/metrics', async (req) => {
      const q = parseOr400(metricsQuery, req.query, 'query');
      const run = await findRun(req.projectId, req.params);
      const after = q.cursor ?? -1;
      if (q.fromStep !== undefined && q.toStep !== undefined && q.fromStep > q.toStep) {
        throw new ApiError('invalid_request', 'fromStep must not be after toStep', [{ path: 'query.fromStep', message: 'must not be after toStep' }]);
      }
      if (q.maxPoints !== undefined) {
        const limit = Math.min(q.limit ?? q.maxPoints, 10_000);
        const r = await metrics.thinned(run.id, q.maxPoints, after, limit, { from: q.fromStep, to: q.toStep });
        return { runId: run.id, thinned: true, bucketWidth: r.width, points: r.points, nextCursor: r.more ? String(r.points[r.points.length - 1].bucket!.toStep) : null };
      }
      const r = await metrics.points(run.id, after, Math.min(q.limit ?? 1000, 5000));
      return { runId: run.id, thinned: false, bucketWidth: 1, points: r.points, nextCursor: r.more ? String(r.points[r.points.length - 1].step) : null };
    });

    app.get('/v1/runs/:id/artifacts', async (req) => {
      const run = await findRun(req.projectId, req.params);
      const rows = await artifacts.list(run.id);
      return {
        runId: run.id,
        artifacts: rows.map((a) => ({ name: a.name, contentType: a.contentType, size: a.size, createdAt: a.createdAt.toISOString(), url: `/v1/runs/${run.id}/artifacts/${a.name}` })),
      };
    });

    app.get('/v1/runs/:id/artifacts/:name', async (req, reply) => {
      const { id, name } = parseOr400(artifactParams, req.params, 'path');
      const run = await findRun(req.projectId, { id });
      const a = await artifacts.get(run.id, name);
      if (!a) throw new ApiError('not_found', `run ${run.id} has no artifact ${name}${run.status === 'succeeded' ? '' : ' (artifacts are written when a run succeeds)'}`);
      return reply
        .header('content-type', a.contentType)
        .header('content-disposition', `inline; filename="${a.name}"`)
        // An SVG opened directly must not run scripts or load anything.
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
        .send(Buffer.from(a.data));
    });

    app.post('/v1/runs/:id/cancel', async (req, reply) => {
      const run = await findRun(req.projectId, req.params);
      if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'pruned') throw new ApiError('conflict', `run ${run.id} already ${run.status}; only queued or running runs can be cancelled`);
      const after = (await runs.requestCancel(req.projectId, run.id))!;
      if (after.status === 'cancelled') deps.removeJob?.(run.id);
      return reply.code(202).send(runBody(after));
    });
  };
