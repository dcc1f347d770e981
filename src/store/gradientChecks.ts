// Gradient checks run as jobs: the spec, the options, and the per-tensor result as JSON.
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import { Prisma, type Db } from './db.js';
import type { GradientCheckModel } from './generated/models.js';
import { byIdempotencyKey, idempotentCreate, newKeyedRecord } from './idempotentCreate.js';

export type GradientCheckRow = GradientCheckModel;

export interface GradientCheckOptionsIn {
  features: number;
  samples: number;
  h: number;
  method: 'centred' | 'forward';
}

export function gradientCheckRepository(db: Db) {
  return {
    async create(r: { projectId: string; spec: ExperimentSpec; options: GradientCheckOptionsIn; idempotencyKey?: string; runId?: string }): Promise<{ check: GradientCheckRow; created: boolean }> {
      const find = () => db.gradientCheck.findUnique({ where: byIdempotencyKey(r.projectId, r.idempotencyKey!) });
      const create = () =>
        db.gradientCheck.create({
          data: { ...newKeyedRecord(r.projectId, r.idempotencyKey), spec: r.spec as unknown as Prisma.InputJsonValue, options: r.options as unknown as Prisma.InputJsonValue, runId: r.runId ?? null },
        });
      const { row, created } = await idempotentCreate(r.idempotencyKey, find, create);
      return { check: row, created };
    },

    get: (projectId: string, id: string): Promise<GradientCheckRow | null> => db.gradientCheck.findFirst({ where: { id, projectId } }),

    /** The checks asked for a run, newest first. */
    ofRun: (projectId: string, runId: string): Promise<GradientCheckRow[]> => db.gradientCheck.findMany({ where: { projectId, runId }, orderBy: { createdAt: 'desc' }, take: 20 }),

    async claim(id: string): Promise<GradientCheckRow | null> {
      const r = await db.gradientCheck.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { status: 'running', attempts: { increment: 1 }, startedAt: new Date() } });
      if (r.count === 0) return null;
      return db.gradientCheck.findUnique({ where: { id } });
    },

    async finish(id: string, result: unknown): Promise<void> {
      await db.gradientCheck.updateMany({ where: { id, status: 'running' }, data: { status: 'succeeded', result: result as Prisma.InputJsonValue, finishedAt: new Date() } });
    },

    /** Fails a check that is not finished; returns whether it changed. */
    async fail(id: string, message: string): Promise<boolean> {
      const r = await db.gradientCheck.updateMany({ where: { id, status: { in: ['queued', 'running'] } }, data: { status: 'failed', error: message.slice(0, 4000), finishedAt: new Date() } });
      return r.count > 0;
    },
  };
}

export type GradientCheckRepository = ReturnType<typeof gradientCheckRepository>;
