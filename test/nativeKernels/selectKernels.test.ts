// Backend selection: options and environment, the fallback warning and the errors. Cases that
// need the addon to be missing run in a child process with TRAINYARD_NATIVE_ADDON pointing
// nowhere (the loader caches its result per process).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNativeKernels, nativeLoadError } from '../../src/nativeKernels/loadNativeKernels.js';
import { backendInfo, requestedBackend, requestedThreads, selectKernels } from '../../src/nativeKernels/selectKernels.js';
import { tsKernels } from '../../src/core/kernels/tsKernels.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const selectModule = path.resolve(here, '../../src/nativeKernels/selectKernels.js');
const native = loadNativeKernels();
const required = process.env.TRAINYARD_REQUIRE_NATIVE === '1';
const needsNative: string | false = native ? false : `native addon unavailable, skipping: ${nativeLoadError()}`;

/** Runs selectKernels / backendInfo in a fresh process with the given environment. */
function inChild(env: Record<string, string>, code: string): { status: number | null; stdout: string; stderr: string } {
  const script = `import * as sel from ${JSON.stringify(selectModule)};\n${code}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TRAINYARD_BACKEND: '', TRAINYARD_THREADS: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('TRAINYARD_BACKEND: ts, native, auto, default auto, anything else is an error listing the values', () => {
  assert.equal(requestedBackend({}, {}), 'auto');
  assert.equal(requestedBackend({}, { TRAINYARD_BACKEND: '' }), 'auto');
  for (const v of ['ts', 'native', 'auto'] as const) assert.equal(requestedBackend({}, { TRAINYARD_BACKEND: v }), v);
  assert.equal(requestedBackend({ backend: 'ts' }, { TRAINYARD_BACKEND: 'native' }), 'ts');
  assert.throws(() => requestedBackend({}, { TRAINYARD_BACKEND: 'blas' }), /TRAINYARD_BACKEND must be one of ts, native, auto; got "blas"/);
  assert.throws(() => requestedBackend({ backend: 'gpu' as 'ts' }, {}), /backend option must be one of ts, native, auto/);
});

test('TRAINYARD_THREADS: positive integer, else an error; unset means the OpenBLAS default', () => {
  assert.equal(requestedThreads({}, {}), undefined);
  assert.equal(requestedThreads({}, { TRAINYARD_THREADS: '3' }), 3);
  assert.equal(requestedThreads({ threads: 1 }, { TRAINYARD_THREADS: '3' }), 1);
  for (const bad of ['0', '-2', '1.5', 'two', '2x']) {
    assert.throws(() => requestedThreads({}, { TRAINYARD_THREADS: bad }), /TRAINYARD_THREADS must be a positive integer/);
  }
  assert.throws(() => requestedThreads({ threads: 0 }, {}), /threads option must be a positive integer/);
});

test('backend ts always gives the TypeScript kernels, without a warning', () => {
  const sel = selectKernels({ backend: 'ts' });
  assert.equal(sel.kernels, tsKernels);
  assert.equal(sel.warning, undefined);
});

test('auto and native give the addon when it is built; threads option sets OpenBLAS threads', { skip: native || required ? false : needsNative }, () => {
  assert.ok(native, `TRAINYARD_REQUIRE_NATIVE=1 but ${nativeLoadError()}`);
  const before = native.getThreads();
  try {
    const auto = selectKernels({ backend: 'auto', threads: 1 });
    assert.equal(auto.kernels.backend, 'native');
    assert.equal(auto.warning, undefined);
    assert.equal(native.getThreads(), 1);
    const info = backendInfo({ backend: 'native', threads: 2 });
    assert.equal(info.backend, 'native');
    assert.equal(info.threads, 2);
    assert.match(info.blas ?? '', /OpenBLAS/);
    assert.equal(typeof info.coretype, 'string');
    assert.match(info.detail, /^OpenBLAS .*, 2 threads$/);
  } finally {
    native.setThreads(before);
  }
});

test('without the addon: auto falls back to ts with one warning, native is an error saying why and how to fix', () => {
  const env = { TRAINYARD_NATIVE_ADDON: path.join(here, 'does-not-exist.node') };
  const auto = inChild(env, `const s = sel.selectKernels(); console.log(JSON.stringify({ backend: s.kernels.backend, warning: s.warning }));`);
  assert.equal(auto.status, 0, auto.stderr);
  const parsed = JSON.parse(auto.stdout) as { backend: string; warning: string };
  assert.equal(parsed.backend, 'ts');
  assert.match(parsed.warning, /pure-TypeScript kernels/);
  assert.match(parsed.warning, /apt-get install -y libopenblas-dev && npm run build:native/);
  assert.ok(!parsed.warning.includes('\n'), 'one line');

  const info = inChild(env, `console.log(JSON.stringify(sel.backendInfo()));`);
  assert.equal(info.status, 0, info.stderr);
  const i = JSON.parse(info.stdout) as { backend: string; blas: null; threads: number; warning: string };
  assert.deepEqual([i.backend, i.blas, i.threads], ['ts', null, 1]);
  assert.match(i.warning, /libopenblas-dev/);

  const strict = inChild({ ...env, TRAINYARD_BACKEND: 'native' }, `sel.selectKernels();`);
  assert.notEqual(strict.status, 0);
  assert.match(strict.stderr, /native backend requested .* but unavailable: the native addon is not built \(.*does-not-exist\.node does not exist\); to build it: apt-get install -y libopenblas-dev/);

  const bad = inChild({ TRAINYARD_BACKEND: 'fast' }, `sel.selectKernels();`);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /TRAINYARD_BACKEND must be one of ts, native, auto; got "fast"/);
});

test('an addon that exists but cannot be loaded reports the loader error', () => {
  // A .node file that is not a shared object: dlopen fails.
  const dir = mkdtempSync(path.join(tmpdir(), 'trainyard-addon-'));
  const fake = path.join(dir, 'trainyard_native.node');
  writeFileSync(fake, 'not an ELF file');
  try {
    const r = inChild({ TRAINYARD_NATIVE_ADDON: fake, TRAINYARD_BACKEND: 'native' }, `sel.selectKernels();`);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /native backend requested .* but unavailable: the native addon .*trainyard_native\.node failed to load: .*(invalid ELF header|too short)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
