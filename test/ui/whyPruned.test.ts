import { describe, expect, it } from 'vitest';
import type { Rung } from '../../src/ui/api/types';
import { composeWhy, whyPruned } from '../../src/ui/lib/whyPruned';
import { entry } from './fixtures';

const pruned = { stage: 0, rung: 2, step: 1600, cycle: 2, value: 0.4832, cutoff: 0.5011, keep: 4, competitors: 12 };

describe('composeWhy', () => {
  it('says the rung, the value, the cut-off and the fraction kept, as the server does', () => {
    expect(composeWhy(pruned, 'validationAccuracy', 'maximize')).toBe('at rung 2 (cycle 2) its validation accuracy 0.483 was below the cut-off 0.501 of the best third');
  });

  it('says above for minimised objectives, the step when there is no cycle, and counts for odd fractions', () => {
    expect(composeWhy({ ...pruned, cycle: null, keep: 3, competitors: 10, value: 1.9, cutoff: 1.7 }, 'validationLoss', 'minimize')).toBe(
      'at rung 2 (step 1600) its validation loss 1.9 was above the cut-off 1.7 of the best 3 of 10',
    );
  });

  it('does not claim a trial fell short of a cut-off it beats (pruned on arrival)', () => {
    const s = composeWhy({ ...pruned, value: 0.962, cutoff: 0.932, keep: 36, competitors: 90 }, 'validationAccuracy', 'maximize');
    expect(s).toBe("at rung 2 (cycle 2) it was pruned on arrival: its validation accuracy 0.962 was not among the best 36 of the trials that had reached the rung before it (the rung's final cut-off was 0.932)");
    expect(s).not.toContain('below');
  });

  it('explains a diverged trial', () => {
    expect(composeWhy({ ...pruned, value: null }, 'validationAccuracy', 'maximize')).toContain('not a number');
  });
});

describe('whyPruned', () => {
  const rung: Rung = { stage: 0, rung: 1, step: 800, epoch: 2, cycle: 1, metric: 'validationAccuracy', direction: 'maximize', keep: 1, competitors: 2, cutoff: 0.6, decided: true, entries: [] };
  const re = { runId: 'a', trialIndex: 0, params: {}, value: 0.5, rank: 2, promoted: false };
  it("prefers the server's sentence and composes one from the rung otherwise", () => {
    expect(whyPruned(entry('a', {}, 0.5, { pruned: { ...pruned, why: 'server says' } }), rung, re)).toBe('server says');
    expect(whyPruned(undefined, rung, re)).toBe('at rung 1 (cycle 1) its validation accuracy 0.5 was below the cut-off 0.6 of the best half');
  });
});
