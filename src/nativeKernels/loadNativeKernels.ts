// Loads the optional OpenBLAS addon (native/, built by `npm install` or `npm run build:native`)
// and exposes it as a `Kernels` object. The addon's functions take exactly the arguments of the
// Kernels methods, so they are installed as they are: no JavaScript wrapper per call.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Kernels, Precision, Vec } from '../core/kernels/kernels.js';
import { packageRoot } from '../runtime/packageRoot.js';

export const ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'trainyard_native.node');
export const NATIVE_FIX_HINT = 'apt-get install -y libopenblas-dev && npm run build:native';

export interface NativeBlasInfo {
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
  blas: string;
  /** Threads OpenBLAS currently uses for one call. */
  threads: number;
  /** openblas_get_corename(): the kernel family picked for this CPU. */
  coretype: string;
  /** CPUs OpenBLAS sees. */
  procs: number;
  /** The kernels float32 nt / tn products run on: 'avx512', 'avx2' (the addon's own) or 'openblas'. */
  sgemm: SgemmKind;
  /** The best of those this CPU can run. */
  sgemmDetected: SgemmKind;
  /** What gemmBf16 runs on: vdpbf16ps, or the rounded operands through the float32 product. */
  bf16: 'avx512bf16' | 'rounded';
}

export type SgemmKind = 'avx512' | 'avx2' | 'openblas';

interface Addon extends Omit<Kernels, 'backend' | 'detail' | 'allocate'> {
  setThreads(n: number): number;
  getThreads(): number;
  info(): NativeBlasInfo;
  setSgemm(kind: SgemmKind | 'auto', allShapes?: boolean): SgemmKind;
  setBf16Fast(on: boolean): boolean;
  holdOperands(on: boolean): void;
  allocate(precision: Precision, n: number): Vec;
}

export interface NativeKernels extends Kernels {
  readonly backend: 'native';
  /**
   * Sets the thread count of this process (OpenBLAS's, for float64 and the products it keeps, and
   * the addon's own pool's); returns the count in effect.
   */
  setThreads(n: number): number;
  getThreads(): number;
  info(): NativeBlasInfo;
  /**
   * The kernels float32 nt / tn products use ('auto': the best the CPU has, the default, which
   * TRAINYARD_SGEMM=openblas|avx2 overrides at load); only the large products (the first layer's,
   * evaluation's) go to them unless allShapes. Throws for an ISA the CPU lacks.
   */
  setSgemm(kind: SgemmKind | 'auto', allShapes?: boolean): SgemmKind;
  /**
   * Whether gemmBf16 runs on AVX512-BF16 (vdpbf16ps) when the CPU has it, else on the rounded
   * operands through the float32 product; returns the setting in effect (false without the ISA).
   */
  setBf16Fast(on: boolean): boolean;
  /** Kernels.holdOperands: the native kernels always have it. */
  holdOperands(on: boolean): void;
  /** Arrays whose data start on a cache line (64 bytes), which the products read fastest. */
  allocate(precision: Precision, n: number): Vec;
}

let cached: NativeKernels | null | undefined;
let loadError: string | null = null;

/** Path of the addon: TRAINYARD_NATIVE_ADDON if set, else <package root>/native/build/Release/trainyard_native.node. */
export function addonPath(): string {
  const override = process.env.TRAINYARD_NATIVE_ADDON;
  return override ? path.resolve(override) : path.join(packageRoot(), ADDON_RELATIVE_PATH);
}

/** "OpenBLAS 0.3.21 (SkylakeX), avx512 sgemm, 2 threads" */
function describe(info: NativeBlasInfo): string {
  const version = /OpenBLAS\s+([0-9][\w.]*)/.exec(info.blas)?.[1];
  const sgemm = info.sgemm === 'openblas' ? '' : `, ${info.sgemm} sgemm`;
  return `OpenBLAS${version ? ` ${version}` : ''} (${info.coretype})${sgemm}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

function wrap(addon: Addon): NativeKernels {
  return {
    backend: 'native',
    get detail() {
      return describe(addon.info());
    },
    gemm: addon.gemm,
    gemmBf16: addon.gemmBf16,
    fillRows: addon.fillRows,
    colSum: addon.colSum,
    batchNormForward: addon.batchNormForward,
    batchNormInference: addon.batchNormInference,
    batchNormBackward: addon.batchNormBackward,
    activationForward: addon.activationForward,
    activationBackward: addon.activationBackward,
    softmaxCrossEntropy: addon.softmaxCrossEntropy,
    sgdStep: addon.sgdStep,
    sumSquares: addon.sumSquares,
    gatherNormalize: addon.gatherNormalize,
    setThreads: addon.setThreads,
    getThreads: addon.getThreads,
    info: addon.info,
    setSgemm: addon.setSgemm,
    setBf16Fast: addon.setBf16Fast,
    holdOperands: addon.holdOperands,
    allocate: addon.allocate,
  };
}

/**
 * The native kernels, or null when the addon is not built or does not load (the reason is then
 * available from nativeLoadError()). Loads once per process.
 */
export function loadNativeKernels(): NativeKernels | null {
  if (cached !== undefined) return cached;
  let file = ADDON_RELATIVE_PATH;
  try {
    file = addonPath();
    if (!existsSync(file)) {
      loadError = `the native addon is not built (${file} does not exist); to build it: ${NATIVE_FIX_HINT}`;
      cached = null;
      return null;
    }
    const addon = createRequire(import.meta.url)(file) as Addon;
    const kernels = wrap(addon);
    kernels.info(); // fails early if the library is unusable
    cached = kernels;
    loadError = null;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    loadError = `the native addon ${file} failed to load: ${msg}; to rebuild it: ${NATIVE_FIX_HINT}`;
    cached = null;
  }
  return cached;
}

/** Why loadNativeKernels() returned null (null when it loaded or was not tried yet). */
export function nativeLoadError(): string | null {
  return loadError;
}
