// /v1/searches: create (idempotent), list, read (stages, counts, best), the search's
// leaderboard, cancel. Trials are runs: GET /v1/runs?searchId=... lists them.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { cancelSearch } from '../../search/searchDriver.js';
import { parseSearchSpec } from '../../search/searchSpec.js';
import { searchColumns } from '../../search/stagePlanner.js';
import { BOARD_METRICS } from '../../store/leaderboard.js';
import { SEARCH_STATUSES, type SearchRow } from '../../store/searches.js';
import { retryConflicts } from '../../store/unavailable.js';
import { ApiError, summarise } from '../errors.js';
import { assertSameRequest, idempotencyKey } from '../idempotencyKey.js';
import { parameterImportance } from '../../search/parameterImportance.js';
import { rungsBody, searchBoardEntry, searchBody } from '../responseBodies.js';
import { prunedReasonsOf, searchLadder } from '../rungs.js';
import { cursorTo400, pageCursor, parseOr400, queryInt, requireObjectBody, uuid } from '../validate.js';
import type { RouteDeps } from './deps.js';

const idParams = z.strictObject({ id: uuid });

const listQuery = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(SEARCH_STATUSES as [string, ...string[]])))
    .optional(),
  parentSearchId: uuid.optional(),
  limit: queryInt(1, 200).default(50),
  cursor: pageCursor.optional(),
});

const boardMetric = z.enum(['objective', ...(Object.keys(BOARD_METRICS) as [keyof typeof BOARD_METRICS, ...(keyof typeof BOARD_METRICS)[]])]);

const boardQuery = z.strictObject({
  limit: queryInt(1, 10_000).default(50),
  metric: boardMetric.default('objective'),
  stage: queryInt(0, 100).optional(),
});

export const searchRoutes =
  (deps: RouteDeps): FastifyPluginAsync =>
  async (app) => {
    const { searches, leaderboards, searchStorage } = app.store;
    const withDetails = async (rows: SearchRow[]) => {
      const details = await searches.details(rows.map((r) => r.id));
      return rows.map((r) => searchBody(r, details));
    };
    const findSearch = async (projectId: string, params: unknown) => {
      const { id } = parseOr400(idParams, params, 'path');
      const s = await searches.get(projectId, id);
      if (!s) throw new ApiError('not_found', `no search ${id} in this project`);
      return s;
    };

    app.post('/v1/searches', async (req, reply) => {
      const key = idempotencyKey(req.headers['idempotency-key']);
      // parentSearchId links a refinement to its parent; it is not part of the search itself.
      const { parentSearchId, ...request } = requireObjectBody(req.body, '{"base": {...}, "space": {...}, "strategy": {...}}');
      const parsed = parseSearchSpec(request);
      if (!parsed.ok) throw new ApiError('invalid_spec', `invalid search: ${summarise(parsed.problems)}`, parsed.problems);
      const parent = parentSearchId === undefined ? undefined : parseOr400(z.object({ parentSearchId: uuid }), { parentSearchId }, 'body').parentSearchId;
      if (parent && !(await searches.get(req.projectId, parent))) {
        throw new ApiError('invalid_request', `parentSearchId: no search ${parent} in this project`, [{ path: 'parentSearchId', message: 'no such search in this project' }]);
      }
      const spec = parsed.search;
      const { search, created } = await searches.create({ projectId: req.projectId, spec, ...searchColumns(spec), idempotencyKey: key, parentSearchId: parent });
      const [body] = await withDetails([search]);
      if (!created) {
        assertSameRequest({ spec: search.spec, parent: search.parentSearchId }, { spec, parent: parent ?? null });
        return reply.code(200).send(body);
      }
      await deps.triggerSearch(search.id).catch((err) => req.log.warn({ searchId: search.id, err: (err as Error).message }, 'could not wake the coordinator; the reconciler will'));
      return reply.code(202).header('location', `/v1/searches/${search.id}`).send(body);
    });

    app.get('/v1/searches', async (req) => {
      const q = parseOr400(listQuery, req.query, 'query');
      const page = await searches.list(req.projectId, { status: q.status as never, parentSearchId: q.parentSearchId, limit: q.limit, cursor: q.cursor }).catch(cursorTo400);
      return { searches: await withDetails(page.searches), nextCursor: page.nextCursor };
    });

    app.get('/v1/searches/:id', async (req) => {
      const s = await findSearch(req.projectId, req.params);
      return (await withDetails([s]))[0];
    });

    app.get('/v1/searches/:id/leaderboard', async (req) => {
      const q = parseOr400(boardQuery, req.query, 'query');
      const s = await findSearch(req.projectId, req.params);
      const direction = s.direction === 'minimize' ? 'minimize' : 'maximize';
      const rows = await leaderboards.search(s.id, { metric: q.metric, direction, stage: q.stage, limit: q.limit });
      const pruned = rows.some((r) => r.status === 'pruned') ? await prunedReasonsOf(app.store, [s]) : new Map();
      const metricDirection = q.metric === 'objective' ? direction : BOARD_METRICS[q.metric].better === 'max' ? 'maximize' : 'minimize';
      return {
        searchId: s.id,
        metric: q.metric === 'objective' ? s.objectiveMetric : q.metric,
        direction: metricDirection,
        stage: q.stage ?? null,
        entries: rows.map((r, i) => searchBoardEntry(r, i + 1, pruned.get(r.id) ?? null)),
      };
    });

    app.get('/v1/searches/:id/rungs', async (req) => {
      const s = await findSearch(req.projectId, req.params);
      return rungsBody(s.id, await searchLadder(app.store, s));
    });

    app.get('/v1/searches/:id/importance', async (req) => {
      const s = await findSearch(req.projectId, req.params);
      const parsed = parseSearchSpec(s.spec);
      const space = parsed.ok ? Object.entries(parsed.search.space) : [];
      const trials = await searches.finishedTrials(s.id);
      return {
        searchId: s.id,
        objective: { metric: s.objectiveMetric, direction: s.direction },
        trials: trials.length,
        parameters: parameterImportance(trials, space.map(([name, dim]) => ({ name, log: 'logUniform' in dim }))),
      };
    });

    app.post('/v1/searches/:id/cancel', async (req, reply) => {
      const s = await findSearch(req.projectId, req.params);
      const finished = (status: string) => new ApiError('conflict', `search ${s.id} already ${status}; only queued or running searches can be cancelled`);
      if (s.status === 'succeeded' || s.status === 'failed') throw finished(s.status);
      // It may finish between that read and the cancel's transaction: then nothing was cancelled.
      const was = await retryConflicts(() => cancelSearch(searchStorage, s.id));
      if (was === 'succeeded' || was === 'failed') throw finished(was);
      const after = (await searches.get(req.projectId, s.id))!;
      if (after.status !== 'cancelled') await deps.triggerSearch(s.id).catch(() => {});
      return reply.code(202).send((await withDetails([after]))[0]);
    });
  };
