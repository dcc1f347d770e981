// `npm run migrate`: creates the database named by DATABASE_URL if missing and applies
// prisma/migrations (see src/store/migrate.ts).
import { loadConfig } from '../src/runtime/config.js';
import { ensureDatabase, migrate } from '../src/store/migrate.js';

const { databaseUrl } = loadConfig();
try {
  if (await ensureDatabase(databaseUrl)) console.log(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
  const r = await migrate(databaseUrl, { log: (m) => console.log(m) });
  console.log(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`);
} catch (err) {
  console.error(`migrate failed: ${(err as Error).message}`);
  process.exit(1);
}
