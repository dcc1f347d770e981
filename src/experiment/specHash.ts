// Identical experiments are trained once: a spec is identified by the hash of its normalised form
// (defaults filled, keys sorted, name left out, the data seed made explicit).
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson.js';
import type { ExperimentSpec } from './experimentSpec.js';

export function specHash(spec: ExperimentSpec): string {
  const { name: _name, ...rest } = spec;
  return createHash('sha256').update(canonicalJson({ ...rest, dataSeed: spec.dataSeed ?? spec.seed })).digest('hex');
}
