// The key parameters of a run as the reports name them (λ, η or the cyclical range, hidden sizes,
// batch norm), read from its stored spec; shared by the runs table, its CSV and compare.
import type { ExperimentSpec, Schedule } from '../api/types';
import { num } from './format';

export function etaText(s: Schedule): string {
  return s.kind === 'cyclical' ? `${num(s.etaMin)}..${num(s.etaMax)}` : num(s.eta);
}

/** "50-50" for two hidden layers of 50; "none" for a one-layer network. */
export function hiddenText(spec: ExperimentSpec): string {
  return spec.model.hidden.length ? spec.model.hidden.join('-') : 'none';
}

export function scheduleText(s: Schedule): string {
  if (s.kind === 'cyclical') return `cyclical, ${s.cycles} × 2·${s.stepSize}`;
  if (s.kind === 'stepDecay') return `step decay ${s.decay}, ${s.epochs} epochs`;
  return `constant, ${s.epochs} epochs`;
}
