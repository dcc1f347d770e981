// Prisma CLI configuration (generate / validate). The database URL is only read by commands
// that need the schema engine (prisma migrate deploy where it is available); our own runner,
// src/store/migrate.ts, applies the same migrations everywhere else.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/trainyard' },
});
