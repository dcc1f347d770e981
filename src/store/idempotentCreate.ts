// Create-once under an Idempotency-Key: the record already made with the key is returned instead,
// also when two requests with the same key race (the unique index decides).
import { Prisma } from './db.js';

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
