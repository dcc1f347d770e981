// bfloat16 rounding and the portable bf16 product: the operands rounded to bf16 (nearest, ties to
// even) and multiplied in float32. A product of two bf16 values is exact in float32, so this is the
// arithmetic a vdpbf16ps kernel does, summed in another order: the oracle of the native fast path.
import type { Kernels, Vec } from './kernels.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** x rounded to the nearest bfloat16 value (ties to even), as a number. Finite inputs. */
export function roundBf16(x: number): number {
  f32[0] = x;
  const u = u32[0];
  u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) << 16;
  return f32[0];
}

/** rows x cols of src (row stride ld) rounded to bf16, packed (row stride cols) into a new Float32Array. */
function roundedRows(src: Vec, rows: number, cols: number, ld: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[r * cols + q] = roundBf16(src[r * ld + q]);
  return out;
}

/** gemmBf16 through gemm: the stored operands rounded to bf16, then gemm on them. */
export function gemmBf16Rounded(gemm: Kernels['gemm']): Kernels['gemmBf16'] {
  return (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
    if (ta === tb) throw new RangeError('gemmBf16 computes a b^T or a^T b only (transA !== transB)');
    const [aRows, aCols] = ta ? [k, m] : [m, k];
    const [bRows, bCols] = tb ? [n, k] : [k, n];
    gemm(ta, tb, m, n, k, alpha, roundedRows(a, aRows, aCols, lda), aCols, roundedRows(b, bRows, bCols, ldb), bCols, beta, c, ldc);
  };
}
