// Flags every command shares, and what they select: the kernels (with the one-line warning when
// the native backend is missing) and the CIFAR-10 folder.
import type { Kernels } from '../core/kernels/kernels.js';
import { selectKernels } from '../nativeKernels/selectKernels.js';

export interface CommonFlags {
  data?: string;
  json?: boolean;
  backend?: 'ts' | 'native' | 'auto';
}

export function kernelsFor(flags: CommonFlags, fallback?: 'ts' | 'native' | 'auto'): Kernels {
  const { kernels, warning } = selectKernels({ backend: flags.backend ?? fallback });
  if (warning) console.error(warning);
  return kernels;
}

export const dataDir = (flags: CommonFlags): string | undefined => flags.data ?? process.env.CIFAR10_DIR;
