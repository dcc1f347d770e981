// Chooses the kernel backend: the pure-TypeScript kernels (always available) or the OpenBLAS
// addon (when built). Configured by options or the environment:
//   TRAINYARD_BACKEND  ts | native | auto   (default auto)
//   TRAINYARD_THREADS  positive integer: OpenBLAS threads per process
//
// Threads. OpenBLAS parallelises each gemm inside the process, so the right count depends on how
// many processes share the machine:
//   - a worker pool running one training job per core must use 1 BLAS thread per process (the
//     worker passes `threads: 1` or sets TRAINYARD_THREADS=1), otherwise N jobs x N threads
//     oversubscribe the cores and every job slows down;
//   - a single job (CLI `trainyard train`, benchmarks) should use every core.
// So the default, when neither the option nor TRAINYARD_THREADS is given, is OpenBLAS's own
// default: all cores (or OPENBLAS_NUM_THREADS / OMP_NUM_THREADS if the user set them). The
// thread count is process-wide: the last selectKernels call with a thread count wins.
import type { Kernels } from '../core/kernels/kernels.js';
import { tsKernels } from '../core/kernels/tsKernels.js';
import { loadNativeKernels, NATIVE_FIX_HINT, nativeLoadError } from './loadNativeKernels.js';

/** A backend setting that cannot be honoured: the message says what to change. */
export class BackendError extends Error {}

export type BackendChoice = 'ts' | 'native' | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['ts', 'native', 'auto'];

export interface SelectOptions {
  /** Defaults to TRAINYARD_BACKEND, else 'auto'. */
  backend?: BackendChoice;
  /** OpenBLAS threads; defaults to TRAINYARD_THREADS, else the OpenBLAS default (all cores). */
  threads?: number;
}

export interface Selection {
  kernels: Kernels;
  /** Set when 'auto' fell back to the TypeScript kernels: says how to enable the fast path. */
  warning?: string;
}

function parseBackend(value: unknown, source: string): BackendChoice {
  if (typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new BackendError(`${source} must be one of ${BACKEND_CHOICES.join(', ')}; got ${JSON.stringify(value)}`);
}

function parseThreads(value: unknown, source: string): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 4096) return n;
  throw new BackendError(`${source} must be a positive integer; got ${JSON.stringify(value)}`);
}

/** The backend asked for by the options or TRAINYARD_BACKEND (default auto). */
export function requestedBackend(opts: SelectOptions = {}, env: NodeJS.ProcessEnv = process.env): BackendChoice {
  if (opts.backend !== undefined) return parseBackend(opts.backend, 'backend option');
  const fromEnv = env.TRAINYARD_BACKEND;
  if (fromEnv === undefined || fromEnv === '') return 'auto';
  return parseBackend(fromEnv, 'TRAINYARD_BACKEND');
}

/** The thread count asked for by the options or TRAINYARD_THREADS; undefined = OpenBLAS default. */
export function requestedThreads(opts: SelectOptions = {}, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (opts.threads !== undefined) return parseThreads(opts.threads, 'threads option');
  const fromEnv = env.TRAINYARD_THREADS;
  if (fromEnv === undefined || fromEnv === '') return undefined;
  return parseThreads(fromEnv, 'TRAINYARD_THREADS');
}

export function selectKernels(opts: SelectOptions = {}): Selection {
  const backend = requestedBackend(opts);
  const threads = requestedThreads(opts);
  if (backend === 'ts') return { kernels: tsKernels };
  const native = loadNativeKernels();
  if (native) {
    if (threads !== undefined) native.setThreads(threads);
    return { kernels: native };
  }
  const why = nativeLoadError() ?? 'the native addon did not load';
  if (backend === 'native') {
    throw new BackendError(`native backend requested (TRAINYARD_BACKEND / --backend native) but unavailable: ${why}`);
  }
  return {
    kernels: tsKernels,
    warning: `using the slower pure-TypeScript kernels: the native OpenBLAS backend is unavailable (${why.split(';')[0]}); to enable it: ${NATIVE_FIX_HINT}`,
  };
}

export interface BackendInfo {
  backend: 'ts' | 'native';
  /** OpenBLAS build configuration, null for the TypeScript backend. */
  blas: string | null;
  threads: number;
  /** OpenBLAS kernel family for this CPU, null for the TypeScript backend. */
  coretype: string | null;
  detail: string;
  warning?: string;
}

/** What `trainyard info` reports: the backend the options / environment select and its BLAS. */
export function backendInfo(opts: SelectOptions = {}): BackendInfo {
  const { kernels, warning } = selectKernels(opts);
  const native = kernels.backend === 'native' ? loadNativeKernels() : null;
  if (native) {
    const info = native.info();
    return { backend: 'native', blas: info.blas, threads: info.threads, coretype: info.coretype, detail: native.detail };
  }
  return { backend: 'ts', blas: null, threads: 1, coretype: null, detail: kernels.detail, ...(warning ? { warning } : {}) };
}
