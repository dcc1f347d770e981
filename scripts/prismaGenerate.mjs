// `prisma generate` without network access: the CLI wants a schema engine binary before any
// command and would download one; generate never runs it, so any existing file satisfies the
// check (../shared/notes/prisma-offline.md). A real engine named by the caller is kept.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(import.meta.url);
}
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
env.CHECKPOINT_DISABLE = '1';
const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const args = process.argv.slice(2);
const r = spawnSync(process.execPath, [cli, ...(args.length ? args : ['generate'])], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
