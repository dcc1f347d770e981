// The Prisma client over node-postgres (Prisma 7: no query-engine binary at run time).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type Db = InstanceType<typeof PrismaClient>;
export { PrismaClient };
export { Prisma } from './generated/client.js';
export type { RunStatus } from './generated/enums.js';

export function createDb(databaseUrl: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10 });
  return new PrismaClient({ adapter });
}
