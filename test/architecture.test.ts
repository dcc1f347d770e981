// The layout is the data flow, and the imports must say so: api and worker reach Postgres only
// through src/store; the store knows records, not search policy; the core does no I/O.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'generated' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  file: string;
  spec: string;
  /** The imported file relative to the package root, for relative imports. */
  target: string | null;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const spec = m[3];
    const target = spec.startsWith('.') ? relative(root, resolve(join(root, file, '..'), spec)).replace(/\.js$/, '.ts') : null;
    out.push({ file, spec, target, typeOnly: Boolean(m[2]) });
  }
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ file, spec: m[1], target: null, typeOnly: false });
  return out;
}

const DATABASE_CLIENTS = /^(pg|@prisma\/client|@prisma\/adapter-pg|prisma)$/;
const PRISMA_CALL = /\bdb\.(\w+)\.(find|create|update|upsert|delete|count|aggregate|groupBy)\w*\(|\$queryRaw|\$executeRaw|\$transaction/;

test('no file under worker/ or src/api/ imports a database client or makes a database call itself', () => {
  const bad: string[] = [];
  for (const file of [...sources('worker'), ...sources('src/api')]) {
    for (const i of importsOf(file)) {
      if (DATABASE_CLIENTS.test(i.spec) || (i.target && /^src\/store\/(db|pool|generated\/)/.test(i.target))) bad.push(`${file} imports ${i.spec}`);
    }
    const text = readFileSync(join(root, file), 'utf8');
    if (PRISMA_CALL.test(text)) bad.push(`${file} makes a database call: ${text.match(PRISMA_CALL)![0]}`);
  }
  assert.deepEqual(bad, []);
});

test('src/store imports no search policy: only the storage contract, and only its types', () => {
  const bad = sources('src/store')
    .flatMap(importsOf)
    .filter((i) => i.target?.startsWith('src/search/') && !(i.typeOnly && i.target === 'src/search/searchStorage.ts'))
    .map((i) => `${i.file} imports ${i.spec}${i.typeOnly ? ' (types)' : ''}`);
  assert.deepEqual(bad, []);
});

test('layers point one way: core imports no outer layer; store, search and trainer import no api, worker or cli', () => {
  const outer = (prefixes: string[]) => (i: Import) => i.target !== null && prefixes.some((p) => i.target!.startsWith(p));
  const bad: string[] = [];
  for (const i of sources('src/core').flatMap(importsOf)) {
    // The spec is upstream of the core: its pure helpers (sizes, step counts) may be used.
    if (i.target && !i.target.startsWith('src/core/') && i.target !== 'src/experiment/experimentSpec.ts') bad.push(`${i.file} imports ${i.spec}`);
  }
  for (const dir of ['src/store', 'src/search', 'src/trainer', 'src/experiment']) {
    for (const i of sources(dir).flatMap(importsOf)) if (outer(['src/api/', 'src/cli/', 'worker/'])(i)) bad.push(`${i.file} imports ${i.spec}`);
  }
  for (const dir of ['src/search', 'src/trainer']) {
    for (const i of sources(dir).flatMap(importsOf)) if (outer(['src/store/'])(i) || (i.target === null && DATABASE_CLIENTS.test(i.spec))) bad.push(`${i.file} imports ${i.spec}`);
  }
  assert.deepEqual(bad, []);
});

test('src/core is pure computation: no I/O modules, no environment', () => {
  const IO = /^(node:)?(fs|fs\/promises|child_process|net|http|https|worker_threads|os|process|path|url)$|^(fastify|bullmq|ioredis|pg|@prisma\/.*|prisma|pino)$/;
  const bad: string[] = [];
  for (const file of sources('src/core')) {
    for (const i of importsOf(file)) if (IO.test(i.spec)) bad.push(`${file} imports ${i.spec}`);
    const code = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    if (/process\.(env|argv|exit|stdout|stderr)|\bBuffer\b|require\(/.test(code)) bad.push(`${file} touches the process or Buffer`);
  }
  assert.deepEqual(bad, []);
});

test('the checks see the imports they check (a file with a forbidden import is caught)', () => {
  const found = importsOf('src/store/pgSearchStorage.ts');
  assert.ok(found.some((i) => i.target === 'src/search/searchStorage.ts' && i.typeOnly), 'the type import of the contract is read');
  assert.ok(importsOf('src/store/pool.ts').some((i) => i.spec === 'pg'), 'a package import is read');
  assert.ok(PRISMA_CALL.test('await db.run.findMany({})') && PRISMA_CALL.test('tx.$queryRaw`x`'));
});
