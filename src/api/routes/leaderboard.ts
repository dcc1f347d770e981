// /v1/leaderboard: the project's best runs on one dataset by one metric, searches and single
// runs alike (copies of reused runs left out).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { BOARD_METRICS, type BoardMetric } from '../../store/leaderboard.js';
import { projectBoardEntry } from '../responseBodies.js';
import { parseOr400, queryInt } from '../validate.js';

const query = z.strictObject({
  dataset: z.enum(['cifar10', 'synthetic']).default('cifar10'),
  metric: z.enum(Object.keys(BOARD_METRICS) as [BoardMetric, ...BoardMetric[]]).default('validationAccuracy'),
  limit: queryInt(1, 200).default(20),
});

export const leaderboardRoutes =
  (): FastifyPluginAsync =>
  async (app) => {
    app.get('/v1/leaderboard', async (req) => {
      const q = parseOr400(query, req.query, 'query');
      const rows = await app.store.leaderboards.project(req.projectId, q);
      return {
        dataset: q.dataset,
        metric: q.metric,
        direction: BOARD_METRICS[q.metric].better === 'max' ? 'maximize' : 'minimize',
        entries: rows.map((r, i) => projectBoardEntry(r, i + 1)),
      };
    });
  };
