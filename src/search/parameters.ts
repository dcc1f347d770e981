// Search parameters: short names for the spec fields people search over, and applying a set
// of parameter values to a base spec.
import type { ExperimentSpec } from '../experiment/experimentSpec.js';

/** Short names, as the reports speak of them, for dotted spec paths. */
export const PARAMETER_ALIASES: Record<string, string> = {
  lambda: 'training.lambda',
  eta: 'training.schedule.eta',
  etaMin: 'training.schedule.etaMin',
  etaMax: 'training.schedule.etaMax',
  stepSize: 'training.schedule.stepSize',
  ns: 'training.schedule.stepSize',
  cycles: 'training.schedule.cycles',
  epochs: 'training.schedule.epochs',
  decay: 'training.schedule.decay',
  momentum: 'training.momentum',
  batchSize: 'training.batchSize',
  noise: 'training.augment.noise',
  flip: 'training.augment.flip',
  hidden: 'model.hidden',
  batchNorm: 'model.batchNorm',
  activation: 'model.activation',
  init: 'model.init',
  sigma: 'model.init.sigma',
  seed: 'seed',
};

const ROOTS = new Set(['data', 'model', 'training', 'precision', 'seed', 'dataSeed']);

export function resolveParameterPath(name: string): string | null {
  // Own keys only: a name like "toString" must not find Object's prototype.
  if (Object.hasOwn(PARAMETER_ALIASES, name)) return PARAMETER_ALIASES[name];
  const parts = name.split('.');
  if (!ROOTS.has(parts[0]) || parts.some((p) => p === '' || p === '__proto__' || p === 'constructor' || p === 'prototype')) return null;
  return name;
}

export type ParameterValues = Record<string, unknown>;

/** A new (unvalidated) spec object: base with each parameter set; run it through parseSpec. */
export function applyParameters(base: ExperimentSpec, values: ParameterValues): Record<string, unknown> {
  const spec = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(values)) {
    const path = resolveParameterPath(name);
    if (!path) throw new Error(`unknown search parameter ${name}`);
    setPath(spec, path, value);
  }
  return spec;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  // Friendly forms: a sigma implies a normal init, an activation may be given by its kind alone.
  if (path === 'model.init.sigma') return setPath(target, 'model.init', { kind: 'normal', sigma: value });
  if (path === 'model.activation' && typeof value === 'string') return setPath(target, path, { kind: value });
  const parts = path.split('.');
  let node: Record<string, unknown> = target;
  for (const p of parts.slice(0, -1)) {
    const next = node[p];
    if (typeof next !== 'object' || next === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(node) && /^\d+$/.test(last)) (node as unknown[])[Number(last)] = value;
  else node[last] = value;
}
