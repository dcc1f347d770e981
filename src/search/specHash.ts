// Identical trials are trained once: a trial is identified by the hash of its normalised spec
// (defaults filled, keys sorted, name left out).
import { createHash } from 'node:crypto';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function specHash(spec: ExperimentSpec): string {
  const { name: _name, ...rest } = spec;
  return createHash('sha256').update(canonicalJson({ ...rest, dataSeed: spec.dataSeed ?? spec.seed })).digest('hex');
}
