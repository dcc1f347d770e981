// The install-time build script (native/build.mjs) and its OpenBLAS probe: a missing OpenBLAS
// must never fail `npm install`, only print one warning line (unless TRAINYARD_REQUIRE_NATIVE=1).
// None of these cases compiles anything, so they leave native/build alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../../src/runtime/packageRoot.js';

const nativeDir = path.join(packageRoot(), 'native');
const buildScript = path.join(nativeDir, 'build.mjs');
const { findOpenblas } = (await import(pathToFileURL(path.join(nativeDir, 'findOpenblas.mjs')).href)) as typeof import('../../native/findOpenblas.mjs');

const TRIPLE = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const scratch = mkdtempSync(path.join(tmpdir(), 'trainyard-sysroot-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake root filesystem holding the given files (paths relative to the root). */
function sysroot(name: string, files: Record<string, string>): string {
  const root = path.join(scratch, name);
  mkdirSync(root, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

const OPENBLAS_HEADER = '/* OpenBLAS */\nchar* openblas_get_config(void);\nvoid cblas_sgemm();\n';
const REFERENCE_HEADER = '/* netlib CBLAS */\nvoid cblas_sgemm();\n';

test('probe: nothing installed', () => {
  const r = findOpenblas({ TRAINYARD_OPENBLAS_SYSROOT: sysroot('empty', {}) });
  assert.deepEqual(r, { ok: false, reason: 'OpenBLAS headers and library not found' });
});

test('probe: library without headers (libopenblas0 but not libopenblas-dev)', () => {
  const root = sysroot('lib-only', { [`usr/lib/${TRIPLE}/openblas-pthread/libopenblas.so`]: '' });
  const r = findOpenblas({ TRAINYARD_OPENBLAS_SYSROOT: root });
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /OpenBLAS library found in .*openblas-pthread but no OpenBLAS cblas\.h/);
});

test('probe: a cblas.h from another BLAS (no openblas_* functions) is not accepted', () => {
  const root = sysroot('netlib', {
    [`usr/include/${TRIPLE}/cblas.h`]: REFERENCE_HEADER,
    [`usr/lib/${TRIPLE}/libopenblas.so`]: '',
  });
  const r = findOpenblas({ TRAINYARD_OPENBLAS_SYSROOT: root });
  assert.equal(r.ok, false);
});

test('probe: the Debian layout (openblas-pthread) is found, before the generic cblas.h', () => {
  const root = sysroot('debian', {
    [`usr/include/${TRIPLE}/cblas.h`]: REFERENCE_HEADER,
    [`usr/include/${TRIPLE}/openblas-pthread/cblas.h`]: OPENBLAS_HEADER,
    [`usr/lib/${TRIPLE}/openblas-pthread/libopenblas.so`]: '',
  });
  assert.deepEqual(findOpenblas({ TRAINYARD_OPENBLAS_SYSROOT: root }), {
    ok: true,
    includeDir: path.join(root, `usr/include/${TRIPLE}/openblas-pthread`),
    libDir: path.join(root, `usr/lib/${TRIPLE}/openblas-pthread`),
  });
});

test('probe: explicit TRAINYARD_OPENBLAS_INCLUDE / _LIBDIR win', () => {
  const root = sysroot('custom', { 'opt/blas/inc/cblas.h': OPENBLAS_HEADER, 'opt/blas/lib/libopenblas.so': '' });
  const r = findOpenblas({
    TRAINYARD_OPENBLAS_SYSROOT: path.join(scratch, 'empty'),
    TRAINYARD_OPENBLAS_INCLUDE: path.join(root, 'opt/blas/inc'),
    TRAINYARD_OPENBLAS_LIBDIR: path.join(root, 'opt/blas/lib'),
  });
  assert.equal(r.ok, true);
});

test('probe: this machine has OpenBLAS when the native backend is required', { skip: process.env.TRAINYARD_REQUIRE_NATIVE === '1' ? false : 'TRAINYARD_REQUIRE_NATIVE is not 1' }, () => {
  const r = findOpenblas();
  assert.equal(r.ok, true, r.ok ? '' : r.reason);
});

function runBuild(env: Record<string, string>) {
  const r = spawnSync(process.execPath, [buildScript], {
    encoding: 'utf8',
    env: { ...process.env, TRAINYARD_REQUIRE_NATIVE: '', TRAINYARD_SKIP_NATIVE: '', ...env },
  });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  return { status: r.status, lines };
}

test('build script: TRAINYARD_SKIP_NATIVE=1 succeeds with one warning line saying how to enable the fast path', () => {
  const r = runBuild({ TRAINYARD_SKIP_NATIVE: '1' });
  assert.equal(r.status, 0);
  assert.equal(r.lines.length, 1, r.lines.join('\n'));
  assert.match(r.lines[0], /^trainyard: warning: native OpenBLAS backend not built \(TRAINYARD_SKIP_NATIVE=1\); .*apt-get install -y libopenblas-dev && npm run build:native$/);
});

test('build script: no OpenBLAS on the machine succeeds with one warning line', () => {
  const r = runBuild({ TRAINYARD_OPENBLAS_SYSROOT: sysroot('empty', {}) });
  assert.equal(r.status, 0);
  assert.equal(r.lines.length, 1, r.lines.join('\n'));
  assert.match(r.lines[0], /OpenBLAS headers and library not found.*apt-get install -y libopenblas-dev/);
});

test('build script: TRAINYARD_REQUIRE_NATIVE=1 turns the warning into a failure', () => {
  const r = runBuild({ TRAINYARD_SKIP_NATIVE: '1', TRAINYARD_REQUIRE_NATIVE: '1' });
  assert.equal(r.status, 1);
  assert.match(r.lines.join('\n'), /native backend required \(TRAINYARD_REQUIRE_NATIVE=1\) but not built/);
});
