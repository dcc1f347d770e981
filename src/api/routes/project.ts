// /v1/project: the project of the API key (what a dashboard shows after signing in).
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../errors.js';

export const projectRoutes = (): FastifyPluginAsync => async (app) => {
  app.get('/v1/project', async (req) => {
    const project = await app.store.keys.project(req.projectId);
    // The key's project was deleted since the key was cached: the key no longer works.
    if (!project) throw new ApiError('unauthorized', 'invalid or revoked API key');
    return { project };
  });
};
