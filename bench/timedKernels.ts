// Kernels that time every call while timing is on, totalled per kernel (products per shape), for
// the epoch profiles (profileStep.ts, profileGroup.ts).
import type { Kernels } from '../src/core/kernels/kernels.js';

export interface KernelTimes {
  kernels: Kernels;
  totals: Map<string, { ms: number; calls: number }>;
  setTiming(on: boolean): void;
}

/** `skip(name, args)`: calls left out of the totals (profileStep leaves evaluation out). */
export function timedKernels(inner: Kernels, skip: (name: string, args: unknown[]) => boolean = () => false): KernelTimes {
  const totals = new Map<string, { ms: number; calls: number }>();
  let timing = false;
  const kernels = Object.fromEntries(
    Object.entries(inner).map(([name, f]) => {
      if (typeof f !== 'function') return [name, f];
      const call = f as (...a: unknown[]) => unknown;
      const label = (a: unknown[]) => (name === 'gemm' ? `gemm ${a[0] ? 'T' : 'N'}${a[1] ? 'T' : 'N'} ${a[2]}x${a[3]}x${a[4]}` : name);
      return [
        name,
        (...a: unknown[]) => {
          if (!timing || skip(name, a)) return call.apply(inner, a);
          const t0 = performance.now();
          const out = call.apply(inner, a);
          const e = totals.get(label(a)) ?? { ms: 0, calls: 0 };
          e.ms += performance.now() - t0;
          e.calls++;
          totals.set(label(a), e);
          return out;
        },
      ];
    }),
  ) as unknown as Kernels;
  return { kernels, totals, setTiming: (on) => (timing = on) };
}
