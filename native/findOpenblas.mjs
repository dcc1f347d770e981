// Locates the OpenBLAS header (cblas.h with the openblas_* extensions) and library.
// Used by native/build.mjs to decide whether to build, and by binding.gyp (run from native/):
//   node findOpenblas.mjs include   -> the include directory
//   node findOpenblas.mjs libdir    -> the directory holding libopenblas
//   node findOpenblas.mjs json      -> the whole probe result
// Overrides: TRAINYARD_OPENBLAS_INCLUDE and TRAINYARD_OPENBLAS_LIBDIR (tried first).
// TRAINYARD_OPENBLAS_SYSROOT=DIR looks for the standard locations under DIR instead of / and skips
// pkg-config (cross builds, and the tests that simulate a machine without OpenBLAS).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TRIPLES = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', ppc64: 'powerpc64le-linux-gnu', s390x: 's390x-linux-gnu' };

function pkgConfig(flag) {
  try {
    const r = spawnSync('pkg-config', [flag, 'openblas'], { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0 || !r.stdout) return [];
    return r.stdout
      .trim()
      .split(/\s+/)
      .filter((t) => t.startsWith('-I') || t.startsWith('-L'))
      .map((t) => t.slice(2).replace(/\/+$/, ''))
      .filter(Boolean);
  } catch {
    return [];
  }
}

function unique(list) {
  return [...new Set(list.filter(Boolean))];
}

/** A cblas.h that declares openblas_get_config (so not the reference CBLAS of another vendor). */
function isOpenblasHeader(dir) {
  const file = path.join(dir, 'cblas.h');
  if (!existsSync(file)) return false;
  try {
    return readFileSync(file, 'utf8').includes('openblas_get_config');
  } catch {
    return false;
  }
}

function hasOpenblasLib(dir) {
  return ['libopenblas.so', 'libopenblas.dylib', 'libopenblas.a'].some((f) => existsSync(path.join(dir, f)));
}

/**
 * @returns {{ ok: true, includeDir: string, libDir: string } | { ok: false, reason: string }}
 */
export function findOpenblas(env = process.env) {
  const triple = TRIPLES[process.arch] ?? `${process.arch}-linux-gnu`;
  const sysroot = env.TRAINYARD_OPENBLAS_SYSROOT;
  /** The override, then pkg-config, then the usual directories (under the sysroot instead, if one is given). */
  const candidates = (override, pkgConfigFlag, dirs) =>
    unique([override, ...(sysroot ? [] : pkgConfig(pkgConfigFlag)), ...(sysroot ? dirs.map((d) => path.join(sysroot, d)) : dirs)]);
  // Debian and Ubuntu install each threading flavour of OpenBLAS in its own directory.
  const flavours = (dir) => ['openblas-pthread', 'openblas-openmp', 'openblas-serial'].map((f) => `${dir}/${f}`);
  const includeCandidates = candidates(env.TRAINYARD_OPENBLAS_INCLUDE, '--cflags-only-I', [
    ...flavours(`/usr/include/${triple}`),
    '/usr/include/openblas',
    `/usr/include/${triple}`,
    '/usr/local/include/openblas',
    '/usr/local/include',
    '/opt/OpenBLAS/include',
    '/opt/homebrew/opt/openblas/include',
    '/usr/include',
  ]);
  const libCandidates = candidates(env.TRAINYARD_OPENBLAS_LIBDIR, '--libs-only-L', [
    ...flavours(`/usr/lib/${triple}`),
    `/usr/lib/${triple}`,
    `/lib/${triple}`,
    '/usr/local/lib',
    '/opt/OpenBLAS/lib',
    '/opt/homebrew/opt/openblas/lib',
    '/usr/lib64',
    '/usr/lib',
  ]);
  const includeDir = includeCandidates.find(isOpenblasHeader);
  const libDir = libCandidates.find(hasOpenblasLib);
  if (!includeDir && !libDir) return { ok: false, reason: 'OpenBLAS headers and library not found' };
  if (!includeDir) return { ok: false, reason: `OpenBLAS library found in ${libDir} but no OpenBLAS cblas.h` };
  if (!libDir) return { ok: false, reason: `OpenBLAS cblas.h found in ${includeDir} but no libopenblas` };
  return { ok: true, includeDir, libDir };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? 'json';
  const r = findOpenblas();
  if (what === 'json') {
    console.log(JSON.stringify(r));
  } else if (!r.ok) {
    console.error(`findOpenblas: ${r.reason}`);
    process.exit(1);
  } else if (what === 'include') {
    console.log(r.includeDir);
  } else if (what === 'libdir') {
    console.log(r.libDir);
  } else {
    console.error(`findOpenblas: unknown query ${what} (include, libdir or json)`);
    process.exit(2);
  }
}
