// From a stage plan to trials: each parameter set as a full experiment spec with its hash, and
// the fresh trials of a stage cut into fused groups. Shared by the service's coordinator.
import { fusionKey } from '../core/training/trainingGroup.js';
import { parseSpec, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { fusedGroupSize } from './fusedGroupSize.js';
import { applyParameters, type ParameterValues } from './parameters.js';
import type { SearchSpec } from './searchSpec.js';
import { specHash } from './specHash.js';

export type TrialSpecResult = { ok: true; spec: ExperimentSpec; hash: string } | { ok: false; message: string };

/**
 * The trial's spec. The data seed is pinned to the base spec's so that trials differing only in
 * `seed` keep the same batch order and can still train fused.
 */
export function trialSpec(search: SearchSpec, params: ParameterValues): TrialSpecResult {
  const raw = applyParameters(search.base, params);
  if (raw.dataSeed === undefined) raw.dataSeed = search.base.dataSeed ?? search.base.seed;
  const parsed = parseSpec(raw);
  if (!parsed.ok) return { ok: false, message: `parameters ${JSON.stringify(params)} give an invalid spec: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` };
  return { ok: true, spec: parsed.spec, hash: specHash(parsed.spec) };
}

/** What must be equal for trials to share one training pass and one loaded dataset. */
export function groupKey(spec: ExperimentSpec): string {
  // Synthetic data is generated from the spec's seed, so only same-seed synthetic trials share data.
  return `${fusionKey(spec)}|${spec.data.dataset === 'synthetic' ? spec.seed : ''}`;
}

export interface GroupingOptions {
  fuse: boolean;
  /** budget.maxParallel: no group is larger. */
  maxParallel: number;
  /** Worker processes available: trials are spread so that each can take a group. */
  workers: number;
}

/**
 * Trials in fused groups: per group key, as few groups as the largest useful group size allows,
 * sizes balanced. The size is capped by fusedGroupSize (the network), by spreading the trials over
 * every worker, and by maxParallel shared among the workers (so that as many groups as there are
 * workers can train at once within the budget).
 */
export function groupTrials<T extends { spec: ExperimentSpec }>(trials: T[], o: GroupingOptions): T[][] {
  const byKey = new Map<string, T[]>();
  for (const t of trials) {
    const k = groupKey(t.spec);
    byKey.set(k, [...(byKey.get(k) ?? []), t]);
  }
  const workers = Math.max(1, o.workers);
  const out: T[][] = [];
  for (const list of byKey.values()) {
    const size = o.fuse ? Math.max(1, Math.min(fusedGroupSize(list[0].spec), Math.ceil(list.length / workers), Math.floor(o.maxParallel / workers))) : 1;
    const groups = Math.ceil(list.length / size);
    let start = 0;
    for (let g = 0; g < groups; g++) {
      const n = Math.floor(list.length / groups) + (g < list.length % groups ? 1 : 0);
      out.push(list.slice(start, start + n));
      start += n;
    }
  }
  return out;
}
