// Create-once under an Idempotency-Key: the record already made with the key is returned instead,
// also when two requests with the same key race (the unique index decides).
import { randomUUID } from 'node:crypto';
import { Prisma } from './db.js';

/** The unique key of a project's record made under an Idempotency-Key. */
export const byIdempotencyKey = (projectId: string, idempotencyKey: string) => ({ projectId_idempotencyKey: { projectId, idempotencyKey } });

/** The columns every idempotently created record starts with. */
export const newKeyedRecord = (projectId: string, idempotencyKey: string | undefined) => ({ id: randomUUID(), projectId, idempotencyKey: idempotencyKey ?? null });

export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

export async function idempotentCreate<T>(key: string | undefined, find: () => Promise<T | null>, create: () => Promise<T>): Promise<{ row: T; created: boolean }> {
  if (key) {
    const existing = await find();
    if (existing) return { row: existing, created: false };
  }
  try {
    return { row: await create(), created: true };
  } catch (err) {
    if (key && isUniqueViolation(err)) {
      const existing = await find();
      if (existing) return { row: existing, created: false };
    }
    throw err;
  }
}
