import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// npm ci on a fresh machine refuses a lock that lacks optional platform packages (see scripts/fixLockfile.mjs).
test('package-lock.json lists every platform build of msgpackr-extract, so npm ci accepts it', () => {
  const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8'));
  const extract = lock.packages['node_modules/msgpackr-extract'];
  if (!extract) return;
  for (const name of Object.keys(extract.optionalDependencies ?? {})) {
    assert.ok(lock.packages[`node_modules/${name}`], `${name} is missing from package-lock.json: run node scripts/fixLockfile.mjs`);
  }
});
