// package-lock.json is complete enough for `npm ci`. npm ci refuses a lock in which package.json's
// dependencies differ from the lock's root entry, or in which some locked package depends on a
// package the lock has no entry for ("Missing: ... from lock file"), even an optional one for
// another platform. The npm mirror of these machines lacks some platform builds of
// msgpackr-extract (bullmq -> msgpackr -> msgpackr-extract), so `npm install` here writes such a
// lock; scripts/fixLockfile.mjs puts the entries back. (It rewrites the lock when imported, so its
// list of platforms is not imported here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  link?: boolean;
  os?: string[];
  cpu?: string[];
  optional?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface Lock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

const readJson = (relative: string) => JSON.parse(readFileSync(new URL(`../../${relative}`, import.meta.url), 'utf8'));
const lock: Lock = readJson('package-lock.json');
const manifest: Record<string, unknown> = readJson('package.json');

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** Where Node (and npm) finds `name` from the package at `from`: its own node_modules, then each parent's. */
function resolve(packages: Lock['packages'], from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent >= 0 ? dir.slice(0, parent) : '';
  }
}

/** Every reason npm ci would refuse this lock for package.json, as messages; none when it is fine. */
function lockProblems(l: Lock, pkg: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (l.lockfileVersion < 2) problems.push(`lockfileVersion ${l.lockfileVersion}: npm 7+ writes 2 or 3`);
  const root = l.packages[''];
  if (!root) return [...problems, 'no root entry ("") in packages'];
  for (const field of DEPENDENCY_FIELDS) {
    const want = JSON.stringify(pkg[field] ?? {});
    const got = JSON.stringify(root[field] ?? {});
    if (want !== got) problems.push(`package.json ${field} ${want} differ from the lock's ${got}: run npm install`);
  }
  for (const [at, entry] of Object.entries(l.packages)) {
    if (entry.link) continue;
    const needs = { ...entry.dependencies, ...entry.optionalDependencies, ...(at === '' ? entry.devDependencies : {}) };
    for (const peer of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional) needs[peer] = entry.peerDependencies![peer];
    }
    for (const [name, range] of Object.entries(needs)) {
      if (!resolve(l.packages, at, name)) problems.push(`${at || 'the root'} needs ${name}@${range}, which is missing from package-lock.json: run node scripts/fixLockfile.mjs`);
    }
  }
  return problems;
}

test('package-lock.json has an entry for every package npm ci needs, and matches package.json', () => {
  assert.deepEqual(lockProblems(lock, manifest), []);
});

test('msgpackr-extract and all its platform builds are in the lock, at its version, each for its own platform', () => {
  const extract = lock.packages['node_modules/msgpackr-extract'];
  assert.ok(
    extract?.version,
    'node_modules/msgpackr-extract is not in package-lock.json. If bullmq/msgpackr no longer depend on it, drop this test and scripts/fixLockfile.mjs; ' +
      'otherwise the lock was written without optional dependencies: run npm install, then node scripts/fixLockfile.mjs',
  );
  const platforms = Object.keys(extract.optionalDependencies ?? {});
  assert.ok(platforms.length >= 6, `msgpackr-extract lists ${platforms.length} platform builds: ${platforms.join(', ')}`);
  for (const name of platforms) {
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry, `${name} is missing from package-lock.json: run node scripts/fixLockfile.mjs`);
    assert.equal(entry.version, extract.version, `${name} is at ${entry.version}, msgpackr-extract at ${extract.version}`);
    assert.equal(entry.optional, true, `${name} must be optional, so other platforms skip it`);
    assert.ok(entry.os?.length === 1 && entry.cpu?.length === 1, `${name} must name its one os and cpu, so npm installs it only there`);
  }
});

test('the check above fails for the locks npm ci refuses', () => {
  const without = (key: string): Lock => ({ ...lock, packages: Object.fromEntries(Object.entries(lock.packages).filter(([k]) => k !== key)) });
  assert.match(lockProblems(without('node_modules/@msgpackr-extract/msgpackr-extract-darwin-x64'), manifest).join('\n'), /msgpackr-extract needs @msgpackr-extract\/msgpackr-extract-darwin-x64@.* missing/);
  assert.match(lockProblems(without('node_modules/zod'), manifest).join('\n'), /the root needs zod@/);
  assert.match(lockProblems(lock, { ...manifest, dependencies: { ...(manifest.dependencies as object), 'left-pad': '^1.3.0' } }).join('\n'), /package.json dependencies .* differ/);
});
