// Gradient checks run as jobs: the spec, the options, and the per-tensor result as JSON.
import { randomUUID } from 'node:crypto';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import { Prisma, type Db } from './db.js';
import type { GradientCheckModel } from './generated/models.js';
import { isUniqueViolation } from './runs.js';

export type GradientCheckRow = GradientCheckModel;

export interface GradientCheckOptionsIn {
  features: number;
  samples: number;
  h: number;
  method: 'centred' | 'forward';
}

export async function createGradientCheck(
  db: Db,
  r: { projectId: string; spec: ExperimentSpec; options: GradientCheckOptionsIn; idempotencyKey?: string },
): Promise<{ check: GradientCheckRow; created: boolean }> {
  const find = () => db.gradientCheck.findUnique({ where: { projectId_idempotencyKey: { projectId: r.projectId, idempotencyKey: r.idempotencyKey! } } });
  if (r.idempotencyKey) {
    const existing = await find();
    if (existing) return { check: existing, created: false };
  }
  try {
    const check = await db.gradientCheck.create({
      data: {
        id: randomUUID(),
        projectId: r.projectId,
        idempotencyKey: r.idempotencyKey ?? null,
        spec: r.spec as unknown as Prisma.InputJsonValue,
        options: r.options as unknown as Prisma.InputJsonValue,
      },
    });
    return { check, created: true };
  } catch (err) {
    if (r.idempotencyKey && isUniqueViolation(err)) {
      const existing = await find();
      if (existing) return { check: existing, created: false };
    }
    throw err;
  }
}

export function getGradientCheck(db: Db, projectId: string, id: string): Promise<GradientCheckRow | null> {
  return db.gradientCheck.findFirst({ where: { id, projectId } });
}

export async function claimGradientCheck(db: Db, id: string): Promise<GradientCheckRow | null> {
  const r = await db.gradientCheck.updateMany({
    where: { id, status: { in: ['queued', 'running'] } },
    data: { status: 'running', attempts: { increment: 1 }, startedAt: new Date() },
  });
  if (r.count === 0) return null;
  return db.gradientCheck.findUnique({ where: { id } });
}

export async function finishGradientCheck(db: Db, id: string, result: unknown): Promise<void> {
  await db.gradientCheck.update({ where: { id }, data: { status: 'succeeded', result: result as Prisma.InputJsonValue, finishedAt: new Date() }, select: { id: true } });
}

export async function failGradientCheck(db: Db, id: string, message: string): Promise<boolean> {
  const r = await db.gradientCheck.updateMany({
    where: { id, status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error: message.slice(0, 4000), finishedAt: new Date() },
  });
  return r.count > 0;
}
