import { describe, expect, it } from 'vitest';
import { alignRuns } from '../../src/ui/lib/compareData';
import { columnsFrom } from '../../src/ui/lib/pointColumns';
import { point } from './fixtures';

describe('alignRuns', () => {
  const a = columnsFrom([point(0), point(100), point(200)]);
  const b = columnsFrom([point(50), point(100)]);
  it('joins runs on the union of their x values, with gaps where a run has no point', () => {
    const d = alignRuns([a, b], 'step', 'train', 'loss', 0, false);
    expect(d[0]).toEqual([0, 50, 100, 200]);
    expect(d[1]).toEqual([2, null, 1.9, 1.8]);
    expect(d[2]).toEqual([null, 1.95, 1.9, null]);
  });

  it("smooths each run over its own points, keeping the other runs' x values as gaps", () => {
    const d = alignRuns([a, b], 'step', 'train', 'loss', 0.5, false);
    expect(d[1][1]).toBeNull();
    expect(d[1][0]).toBeCloseTo(2, 12);
    expect(d[1][2]).not.toBeNull();
  });

  it('reads the learning rate and drops non-positive values on log axes', () => {
    const c = columnsFrom([point(0, { lr: 0 }), point(1, { lr: 0.1 })]);
    expect(alignRuns([c], 'step', 'train', 'lr', 0, true)[1]).toEqual([null, 0.1]);
  });
});
