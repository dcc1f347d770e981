// The machine a benchmark ran on, as /proc/cpuinfo names it: "AMD EPYC (family 26 model 2) x2
// (avx2 fma avx512f avx512_bf16)". Cloud CPUs often report only a brand, so family and model say
// which generation it is, and the flags which kernels were chosen.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export function cpuDescription(): string {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return `${cpus()[0]?.model ?? 'unknown'} x${cpus().length} (no /proc/cpuinfo)`;
  }
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1] ?? '?';
  const flags = new Set(field('flags').split(/\s+/));
  return `${field('model name')} (family ${field('cpu family')} model ${field('model')}) x${cpus().length} (${['avx2', 'fma', 'avx512f', 'avx512_bf16'].filter((f) => flags.has(f)).join(' ')})`;
}
