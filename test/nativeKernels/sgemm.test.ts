// The addon's own float32 products (native/src/kernels/sgemm.cc: nt = a b^T and tn = a^T b, AVX-512
// and AVX2 microkernels) against the definition (gemmReference, float64 sums) and against OpenBLAS,
// on shapes that are not multiples of any tile or block (1, odd, one past a block), with padded
// leading dimensions and unaligned starts; and the properties training relies on: the same bits
// whatever the thread count or the arrays' alignment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNativeKernels, nativeLoadError, type NativeKernels, type SgemmKind } from '../../src/nativeKernels/loadNativeKernels.js';
import { gemmReference } from '../../src/core/kernels/tsGemm.js';
import { checkGemm, type GemmCase, type GemmFn, gemmMagnitude } from '../helpers/gemmCases.js';
import { assertClose, prng, randomVec, UNIT } from '../helpers/numeric.js';

const loaded = loadNativeKernels();
const skip: string | false = loaded ? false : `native addon unavailable, skipping: ${nativeLoadError()}`;
const nk = loaded as NativeKernels;

/** The own kernels this CPU runs: avx512 implies avx2 too. */
function kinds(): SgemmKind[] {
  const best = nk.info().sgemmDetected;
  return best === 'avx512' ? ['avx512', 'avx2'] : best === 'avx2' ? ['avx2'] : [];
}

/** nk.gemm with every nt / tn product on `kind` (even the small ones), restoring the previous choice afterwards. */
function withKind(kind: SgemmKind | 'auto'): GemmFn {
  return (...args) => {
    const before = nk.info().sgemm;
    nk.setSgemm(kind, kind !== 'auto');
    try {
      nk.gemm(...args);
    } finally {
      nk.setSgemm(before);
    }
  };
}

// Tiles and blocks: nt 5x5 (AVX-512) and 3x4 (AVX2) over k in 16s / 8s, column blocks of 50, and
// from 64 rows (AVX-512) 6 x 64 outer-product tiles over 16-row panels of b in 48-row tasks, k in
// blocks of 512 (LARGE has last blocks of 488 and 3);
// tn 5 rows x 64 columns (AVX-512) and 6 x 16 in 64-column tasks (AVX2). Each shape misses some.
const SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 1, 17],
  [2, 3, 15],
  [4, 4, 16],
  [5, 5, 16],
  [6, 7, 31],
  [7, 5, 33],
  [3, 8, 9],
  [11, 13, 47],
  [13, 53, 65],
  [16, 65, 7],
  [17, 101, 100],
  [51, 64, 3],
  [3, 130, 129],
  [49, 67, 200],
  [101, 51, 257],
  [200, 1, 1],
  [201, 33, 17],
  [205, 80, 5],
];

// Large enough (m n k >= 2^20) to be split over the threads.
const LARGE: readonly (readonly [number, number, number])[] = [
  [100, 50, 3072],
  [50, 3072, 100],
  [37, 1000, 63],
  [101, 77, 301],
  [300, 70, 1000],
  [247, 129, 64],
  [64, 40, 515],
];

const tolerance = (k: number) => (magnitude: number, e: number) => (k + 4) * UNIT.float32 * magnitude + 2 * UNIT.float32 * Math.abs(e) + 1e-300;

/** Random a, b and c of one nt (transA false) or tn product, with their leading dimensions. */
function operands(m: number, n: number, k: number, transA: boolean, rnd: () => number) {
  const transB = !transA;
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  return { transB, lda, ldb, a: randomVec('float32', (transA ? k : m) * lda, rnd), b: randomVec('float32', (transB ? n : k) * ldb, rnd), c0: randomVec('float32', m * n, rnd) };
}

describe('own sgemm kernels vs gemmReference and OpenBLAS', { skip }, () => {
  test('the CPU has at least AVX2 here, or the products stay on OpenBLAS', () => {
    const info = nk.info();
    assert.ok(['avx512', 'avx2', 'openblas'].includes(info.sgemm));
    if (!process.env.TRAINYARD_SGEMM) assert.equal(info.sgemm, info.sgemmDetected, 'auto is the best the CPU has unless TRAINYARD_SGEMM says otherwise');
    if (kinds().length === 0) assert.equal(info.sgemm, 'openblas');
  });

  for (const kind of ['avx512', 'avx2'] as const) {
    test(`${kind}: nt and tn on awkward shapes, padded and unaligned, every alpha / beta kind`, { skip: skip || (kinds().includes(kind) ? false : `CPU lacks ${kind}`) }, () => {
      const rnd = prng(kind === 'avx512' ? 11 : 12);
      let i = 0;
      for (const [m, n, k] of [...SHAPES, ...LARGE]) {
        for (const [transA, transB] of [
          [false, true],
          [true, false],
        ] as const) {
          const alpha = [1, -0.01, 2.5][i % 3];
          const beta = [0, 1, 0.9999, -0.5][i % 4];
          const pad: [number, number, number] = i % 2 ? [0, 0, 0] : [1 + (i % 3), 3, 5];
          const cs: GemmCase = { transA, transB, m, n, k, alpha, beta, pad, offset: [0, 1, 3, 4][i % 4] };
          checkGemm(withKind(kind), 'float32', rnd, cs, tolerance(k));
          i++;
        }
      }
    });

    test(`${kind}: agrees with OpenBLAS on the same inputs`, { skip: skip || (kinds().includes(kind) ? false : `CPU lacks ${kind}`) }, () => {
      const rnd = prng(21);
      for (const [m, n, k] of [...SHAPES, ...LARGE]) {
        for (const transA of [false, true]) {
          const { transB, lda, ldb, a, b, c0 } = operands(m, n, k, transA, rnd);
          const own = c0.slice();
          const blas = c0.slice();
          withKind(kind)(transA, transB, m, n, k, -0.5, a, lda, b, ldb, 0.75, own, n);
          withKind('openblas')(transA, transB, m, n, k, -0.5, a, lda, b, ldb, 0.75, blas, n);
          const mag = gemmMagnitude(transA, transB, m, n, k, -0.5, a, lda, b, ldb, 0.75, c0, n);
          const tol = tolerance(k);
          // Each is within tol of the exact result, so they are within twice that of each other.
          assertClose(own, blas, (idx, e) => 2 * tol(mag[idx], e), `${kind} vs OpenBLAS ${transA ? 'tn' : 'nt'} ${m}x${n}x${k}`);
        }
      }
    });
  }

  test('the same bits on 1 and 2 threads, and whatever the alignment of the arrays', () => {
    const before = nk.getThreads();
    const rnd = prng(31);
    try {
      for (const kind of kinds()) {
        for (const [m, n, k, transA] of [
          [100, 50, 3072, false],
          [50, 3072, 100, true],
          [101, 77, 301, false],
          [37, 1000, 63, true],
          [500, 250, 3072, false],
          [251, 49, 300, false],
        ] as const) {
          const { transB, lda, ldb, a, b, c0 } = operands(m, n, k, transA, rnd);
          const results: Float32Array[] = [];
          const run = (threads: number, shift: number) => {
            nk.setThreads(threads);
            // Copies of a and b starting `shift` floats into fresh buffers: other alignments.
            const a2 = new Float32Array(a.length + shift).subarray(shift);
            const b2 = new Float32Array(b.length + shift).subarray(shift);
            a2.set(a);
            b2.set(b);
            // Several calls: the tasks go to whichever thread is free, differently each time.
            for (let rep = 0; rep < 3; rep++) {
              const c = c0.slice();
              withKind(kind)(transA, transB, m, n, k, 1.25, a2, lda, b2, ldb, 0.5, c, n);
              results.push(c as Float32Array);
            }
          };
          run(1, 0);
          run(2, 0);
          for (const shift of [1, 3, 4, 7]) run(2, shift);
          for (const r of results) assert.deepEqual(Buffer.from(r.buffer, r.byteOffset, r.byteLength), Buffer.from(results[0].buffer, results[0].byteOffset, results[0].byteLength), `${kind} ${m}x${n}x${k}`);
        }
      }
    } finally {
      nk.setThreads(before);
    }
  });

  test('holdOperands: a b^T of many rows reuses the packed b while held, and packs again once released', { skip: kinds().includes('avx512') ? false : 'the packed nt kernel is AVX-512 only' }, () => {
    const [m, n, k] = [230, 37, 300];
    const rnd = prng(41);
    const a = randomVec('float32', m * k, rnd) as Float32Array;
    const b = randomVec('float32', n * k, rnd) as Float32Array;
    const product = (bb: Float32Array) => {
      const c = new Float32Array(m * n);
      nk.gemm(false, true, m, n, k, 1, a, k, bb, k, 0, c, n);
      return c;
    };
    const fresh = product(b);
    const same = b.slice();
    try {
      nk.holdOperands(true);
      assert.deepEqual(product(b), fresh);
      b.set(b.map((x) => -x));
      assert.deepEqual(product(b), fresh, 'held: the panels of the first b are reused (the caller broke its promise here on purpose)');
      assert.deepEqual(product(same), fresh, 'another array is packed anew');
    } finally {
      nk.holdOperands(false);
    }
    assert.deepEqual(product(b), Float32Array.from(fresh, (x) => (x === 0 ? 0 : -x)), 'released: b is packed again');
    const small = (bb: Float32Array) => {
      const c = new Float32Array(30 * n);
      nk.gemm(false, true, 30, n, k, 1, a, k, bb, k, 0, c, n);
      return c;
    };
    const before = small(b);
    try {
      nk.holdOperands(true);
      small(b);
      b.set(same);
      assert.notDeepEqual(small(b), before, 'the dot-product kernel (fewer rows) packs nothing, so it always reads b');
    } finally {
      nk.holdOperands(false);
    }
  });

  test('gatherNormalize on a batch large enough to be split gives the oracle\'s values on 1 and 2 threads', () => {
    const before = nk.getThreads();
    try {
      const rnd = prng(41);
      const d = 3072;
      const images = 300;
      const src = new Uint8Array(images * d).map(() => Math.floor(256 * rnd()));
      const rows = Int32Array.from({ length: 100 }, () => Math.floor(images * rnd()));
      const mean = randomVec('float32', d, rnd, 100, 150);
      const invStd = randomVec('float32', d, rnd, 0.01, 0.02);
      const outs: Float32Array[] = [];
      for (const threads of [1, 2]) {
        nk.setThreads(threads);
        const out = new Float32Array(100 * d);
        nk.gatherNormalize(100, d, src, rows, mean, invStd, out);
        outs.push(out);
      }
      assert.deepEqual(outs[0], outs[1]);
      const want = new Float64Array(100 * d);
      for (let i = 0; i < 100; i++) for (let j = 0; j < d; j++) want[i * d + j] = (src[rows[i] * d + j] - mean[j]) * invStd[j];
      assertClose(outs[0], want, (_i, e) => 2 * UNIT.float32 * Math.abs(e) + 1e-6, 'gatherNormalize');
    } finally {
      nk.setThreads(before);
    }
  });

  test('setSgemm and allocate check their arguments', () => {
    const before = nk.info().sgemm;
    assert.throws(() => nk.setSgemm('mmx' as SgemmKind), { name: 'RangeError', message: /auto, openblas, avx2 or avx512/ });
    if (!kinds().includes('avx512')) assert.throws(() => nk.setSgemm('avx512'), { name: 'RangeError', message: /cannot run/ });
    assert.equal(nk.setSgemm('openblas'), 'openblas');
    assert.equal(nk.info().sgemm, 'openblas');
    assert.equal(nk.setSgemm('auto'), nk.info().sgemmDetected);
    nk.setSgemm(before);
    const a = nk.allocate('float32', 1000);
    assert.ok(a instanceof Float32Array);
    assert.equal(a.length, 1000);
    assert.ok(a.every((x) => x === 0));
    const b = nk.allocate('float64', 3);
    assert.ok(b instanceof Float64Array && b.length === 3);
    assert.throws(() => nk.allocate('float16' as 'float32', 3), { name: 'RangeError' });
    assert.equal(nk.allocate('float32', 0).length, 0);
  });

  test('a 2x2 product worked by hand: the own kernels ignore what c held when beta is 0', () => {
    // a = [[1, 2, 3], [4, 5, 6]], b = [[1, 0, 1], [0, 1, 0]]: a b^T = [[4, 2], [10, 5]].
    const a = new Float32Array([1, 2, 3, 4, 5, 6]);
    const b = new Float32Array([1, 0, 1, 0, 1, 0]);
    for (const kind of kinds()) {
      const c = new Float32Array([NaN, Infinity, NaN, 7]);
      withKind(kind)(false, true, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2);
      assert.deepEqual([...c], [4, 2, 10, 5], kind);
      // tn: a^T (3x2 from a stored 2x3... here a is (k=2, m=3)) times b stored (k=2, n=3).
      const d = new Float32Array(9).fill(NaN);
      withKind(kind)(true, false, 3, 3, 2, 1, a, 3, b, 3, 0, d, 3);
      const want = new Float64Array(9);
      gemmReference(true, false, 3, 3, 2, 1, a, 3, b, 3, 0, want, 3);
      assert.deepEqual([...d], [...want], kind);
    }
  });
});
