// `npm run bench:sgemm -- [--rounds 30] [--block-ms 10]`: builds native/bench/sgemm_limit.cc against
// the OpenBLAS the addon uses (findOpenblas.mjs) into native/build/bench/ and runs it.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOpenblas } from '../findOpenblas.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const nativeDir = path.dirname(benchDir);
const outDir = path.join(nativeDir, 'build', 'bench');
const exe = path.join(outDir, 'sgemm_limit');
const blas = findOpenblas();
if (!blas.ok) {
  console.error(`bench:sgemm needs OpenBLAS: ${blas.reason}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const sources = [path.join(benchDir, 'sgemm_limit.cc'), ...['sgemm.cc', 'thread_pool.cc'].map((f) => path.join(nativeDir, 'src', 'kernels', f))];
const cc = spawnSync(
  'g++',
  ['-O3', '-std=c++17', '-ffp-contract=off', '-pthread', `-I${blas.includeDir}`, `-I${path.join(nativeDir, 'src')}`, ...sources, '-o', exe, `-L${blas.libDir}`, `-Wl,-rpath,${blas.libDir}`, '-lopenblas'],
  { stdio: 'inherit' },
);
if (cc.status !== 0) process.exit(cc.status ?? 1);
const run = spawnSync(exe, process.argv.slice(2), { stdio: 'inherit' });
process.exit(run.status ?? 1);
