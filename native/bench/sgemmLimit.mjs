// `npm run bench:sgemm -- [--rounds 30] [--alternations 3] [--block-ms 10] [--only NAME]`: builds
// native/bench/sgemm_limit.cc against the OpenBLAS the addon uses (findOpenblas.mjs) into
// native/build/bench/ and runs it: once for the CPU and FMA ceiling, then alternately a process
// timing OpenBLAS only and one timing the own kernels only (OpenBLAS's spinning workers would
// slow the own kernels' second thread in a shared process), --alternations times each with
// rounds/alternations rounds, and prints the merged table.
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
const sources = [path.join(benchDir, 'sgemm_limit.cc'), ...['sgemm.cc', 'held_operand.cc', 'thread_pool.cc'].map((f) => path.join(nativeDir, 'src', 'kernels', f))];
const cc = spawnSync(
  'g++',
  ['-O3', '-std=c++17', '-ffp-contract=off', '-pthread', `-I${blas.includeDir}`, `-I${path.join(nativeDir, 'src')}`, ...sources, '-o', exe, `-L${blas.libDir}`, `-Wl,-rpath,${blas.libDir}`, '-lopenblas'],
  { stdio: 'inherit' },
);
if (cc.status !== 0) process.exit(cc.status ?? 1);
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const rounds = Number(opt('--rounds', '30'));
const alternations = Number(opt('--alternations', '3'));
const pass = ['--block-ms', opt('--block-ms', '10'), ...(opt('--only') ? ['--only', opt('--only')] : [])];
const info = spawnSync(exe, ['--rounds', '1', '--only', 'none', ...pass.slice(0, 2)], { encoding: 'utf8' });
process.stdout.write(info.stdout.split('\nsgemm limit')[0] + '\n');
const samples = new Map();
for (let a = 0; a < alternations; a++) {
  for (const impl of ['openblas', 'own']) {
    const r = spawnSync(exe, ['--impl', impl, '--samples', '--quiet', '--no-fma-ceiling', '--rounds', String(Math.ceil(rounds / alternations)), ...pass], { encoding: 'utf8' });
    if (r.status !== 0) process.exit(r.status ?? 1);
    for (const line of r.stdout.split('\n')) {
      const f = line.split('\t');
      if (f[0] !== 'sample') continue;
      const key = f.slice(1, 6).join('\t');
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key).push(Number(f[6]));
    }
  }
}
const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.round(p * (xs.length - 1))];
console.log(`sgemm limit: cblas_sgemm (OpenBLAS) and the addon's own kernels (native/src/kernels/sgemm.cc) in a C loop,`);
console.log(`row-major, float32, 64-byte aligned; ${alternations} alternations of an OpenBLAS-only and an own-only process, ${Math.ceil(rounds / alternations)} interleaved rounds of ~${opt('--block-ms', '10')} ms per config each`);
console.log('| product | op | m x n x k | kernels | threads | median GFLOP/s | p10-p90 | best | median us/call |');
console.log('|---|---|---|---|---|---|---|---|---|');
const order = [...samples.keys()].sort((x, y) => {
  const [nx, , , kx, tx] = x.split('\t');
  const [ny, , , ky, ty] = y.split('\t');
  const shapeOrder = (n) => [...new Set([...samples.keys()].map((k) => k.split('\t')[0]))].indexOf(n);
  return shapeOrder(nx) - shapeOrder(ny) || (kx === ky ? 0 : kx === 'OpenBLAS' ? -1 : ky === 'OpenBLAS' ? 1 : kx < ky ? 1 : -1) || Number(tx) - Number(ty);
});
for (const key of order) {
  const [name, op, shape, kernels, threads] = key.split('\t');
  const xs = samples.get(key);
  const [m, n, k] = shape.split('x').map(Number);
  console.log(`| ${name.trim()} | ${op} | ${shape} | ${kernels} | ${threads} | ${q(xs, 0.5).toFixed(1)} | ${q(xs, 0.1).toFixed(1)}-${q(xs, 0.9).toFixed(1)} | ${q(xs, 1).toFixed(1)} | ${((2 * m * n * k) / q(xs, 0.5) / 1e3).toFixed(1)} |`);
}
