// A search's trials as the API reports them and as an uninterrupted in-process search has them
// (test/helpers/referenceRun.ts searchReference), in plan order, in one comparable shape.
import type { SearchOutcome } from '../../src/search/localSearch.js';
import type { apiClient } from './apiClient.js';

export interface TrialOutcome {
  stage: number;
  params: unknown;
  status: string;
  objective: number | null;
  prunedAtStep: number | null;
  test: unknown;
}

/** The search's trials through the API, in plan order (stage, then trial index). */
export async function serviceTrials(api: ReturnType<typeof apiClient>, key: string, searchId: string): Promise<TrialOutcome[]> {
  const runs = (await api.get(`/v1/runs?searchId=${searchId}&limit=200`, key)).body.runs;
  return runs
    .sort((a: any, b: any) => a.trial.stage - b.trial.stage || a.trial.trialIndex - b.trial.trialIndex)
    .map((r: any) => ({ stage: r.trial.stage, params: r.trial.params, status: r.trial.reusedFrom ? 'reused' : r.status, objective: r.trial.objective, prunedAtStep: r.trial.prunedAtStep, test: r.metrics.test }));
}

export function referenceTrials(o: SearchOutcome): TrialOutcome[] {
  return o.trials.map((x) => ({ stage: x.stage, params: x.params, status: x.status, objective: x.objective, prunedAtStep: x.prunedAtStep, test: x.status === 'pruned' ? null : (x.result?.test ?? null) }));
}
