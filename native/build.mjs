// Builds the optional OpenBLAS addon (native/build/Release/trainyard_native.node).
// Runs as the package's own "install" script (so `npm ci` / `npm install` build it) and as
// `npm run build:native`. The native backend is optional: when OpenBLAS is missing or the build
// fails, this prints ONE warning line and exits 0, and Trainyard uses the TypeScript kernels.
//
// Environment:
//   TRAINYARD_SKIP_NATIVE=1     do not build (behaves as if OpenBLAS were absent)
//   TRAINYARD_REQUIRE_NATIVE=1  exit 1 instead of warning when the addon cannot be built (CI)
//   TRAINYARD_NATIVE_VERBOSE=1  show the node-gyp / compiler output
//   TRAINYARD_OPENBLAS_INCLUDE, TRAINYARD_OPENBLAS_LIBDIR  where OpenBLAS is (else probed)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOpenblas } from './findOpenblas.mjs';

const nativeDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(nativeDir);
const addonPath = path.join(nativeDir, 'build', 'Release', 'trainyard_native.node');
const logPath = path.join(nativeDir, 'build', 'build.log');
const FIX = 'apt-get install -y libopenblas-dev && npm run build:native';
const env = process.env;
const verbose = env.TRAINYARD_NATIVE_VERBOSE === '1';
const required = env.TRAINYARD_REQUIRE_NATIVE === '1';

function giveUp(why) {
  if (required) {
    console.error(`trainyard: native backend required (TRAINYARD_REQUIRE_NATIVE=1) but not built: ${why}. Fix: ${FIX}`);
    process.exit(1);
  }
  console.warn(`trainyard: warning: native OpenBLAS backend not built (${why}); using the TypeScript kernels. To enable the fast path: ${FIX}`);
  process.exit(0);
}

function findNodeGyp() {
  const candidates = [];
  try {
    candidates.push(createRequire(path.join(rootDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a dependency: fall back to the copy bundled with npm
  }
  if (env.npm_config_node_gyp) candidates.push(env.npm_config_node_gyp);
  const execDir = path.dirname(process.execPath);
  candidates.push(path.join(execDir, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(execDir, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => existsSync(c));
}

/** Node's own headers when they are installed next to the binary (distro / nodesource packages), so no download is needed. */
function findNodeDir() {
  if (env.npm_config_nodedir) return env.npm_config_nodedir;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'common.gypi')) ? prefix : undefined;
}

if (env.TRAINYARD_SKIP_NATIVE === '1') giveUp('TRAINYARD_SKIP_NATIVE=1');

const blas = findOpenblas(env);
if (!blas.ok) giveUp(blas.reason);

const nodeGyp = findNodeGyp();
if (!nodeGyp) giveUp('node-gyp not found (npm install node-gyp)');

const nodeDir = findNodeDir();
const args = [nodeGyp, 'rebuild', '--release'];
if (nodeDir) args.push(`--nodedir=${nodeDir}`);
const result = spawnSync(process.execPath, args, {
  cwd: nativeDir,
  encoding: 'utf8',
  stdio: verbose ? 'inherit' : 'pipe',
  env: { ...env, TRAINYARD_OPENBLAS_INCLUDE: blas.includeDir, TRAINYARD_OPENBLAS_LIBDIR: blas.libDir },
  timeout: 10 * 60 * 1000,
});
if (!verbose) {
  mkdirSync(path.dirname(logPath), { recursive: true });
  writeFileSync(logPath, `${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}\n`);
}
const where = verbose ? 'see the output above' : `log: ${path.relative(rootDir, logPath)}`;
if (result.status !== 0 || !existsSync(addonPath)) giveUp(`node-gyp build failed, ${where}`);

// Load it in a fresh process: catches a library that links but cannot be found at run time.
const check = spawnSync(
  process.execPath,
  ['-e', `const a = require(${JSON.stringify(addonPath)}); const i = a.info(); console.log(i.blas.split(' ').slice(0, 2).join(' ') + ' (' + i.coretype + ')')`],
  { encoding: 'utf8', timeout: 60000 },
);
if (check.status !== 0) giveUp(`built but does not load: ${(check.stderr || '').trim().split('\n')[0]}`);
console.log(`trainyard: native backend built: ${check.stdout.trim()}, ${path.relative(rootDir, addonPath)}`);
