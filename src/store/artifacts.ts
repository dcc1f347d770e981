// A finished run's artifacts (result.json, plots, weights): listed without their bodies, read one at a time.
import type { Db } from './db.js';

export function artifactRepository(db: Db) {
  return {
    list: (runId: string) => db.artifact.findMany({ where: { runId }, select: { name: true, contentType: true, size: true, createdAt: true }, orderBy: { name: 'asc' } }),
    get: (runId: string, name: string) => db.artifact.findUnique({ where: { runId_name: { runId, name } } }),
  };
}

export type ArtifactRepository = ReturnType<typeof artifactRepository>;
