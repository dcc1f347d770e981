import { describe, expect, it } from 'vitest';
import { refineSearch } from '../../src/ui/lib/refineSearch';
import { axesFor, OBJECTIVE } from '../../src/ui/lib/searchAxes';
import { entry, search } from './fixtures';

const space = { lambda: { logUniform: [-5, -1] as [number, number] }, etaMax: { values: [0.02, 0.05, 0.1] }, momentum: { uniform: [0, 0.9] as [number, number] }, width: { intRange: { min: 10, max: 100, step: 10 } } };
const parent = search(space, { pruning: { kind: 'successiveHalving', reduction: 3 } });
const axes = axesFor(parent, [entry('a', { lambda: 1e-3, etaMax: 0.05, momentum: 0.5, width: 50 }, 0.5)]);

describe('refineSearch', () => {
  it('narrows log dimensions in log10 exponents and linear ones in plain values', () => {
    const r = refineSearch(parent, axes, new Map([['lambda', [0.25, 0.5]], ['momentum', [0, 0.5]]]));
    if (!r.ok) throw new Error(r.problems.join());
    expect(r.body.space).toEqual({ lambda: { logUniform: [-4, -3] }, etaMax: space.etaMax, momentum: { uniform: [0, 0.45] }, width: space.width });
  });

  it('keeps the brushed subset of a values dimension', () => {
    const r = refineSearch(parent, axes, new Map([['etaMax', [0.4, 1]]]));
    expect(r.ok && (r.body.space as Record<string, unknown>).etaMax).toEqual({ values: [0.05, 0.1] });
  });

  it('snaps an integer range to its grid', () => {
    const r = refineSearch(parent, axes, new Map([['width', [0.3, 0.62]]]));
    // 0.3 -> 37, 0.62 -> 65.8 on [10, 100]: grid values 40..60.
    expect(r.ok && (r.body.space as Record<string, unknown>).width).toEqual({ intRange: { min: 40, max: 60, step: 10 } });
  });

  it('links to the parent and keeps its base, objective, budget and pruning', () => {
    const r = refineSearch(parent, axes, new Map([['lambda', [0, 1]]]));
    if (!r.ok) throw new Error();
    expect(r.body.parentSearchId).toBe(parent.id);
    expect(r.body.base).toBe(parent.spec.base);
    expect(r.body.objective).toEqual(parent.spec.objective);
    expect(r.body.budget).toEqual(parent.spec.budget);
    expect(r.body.pruning).toEqual({ kind: 'successiveHalving', reduction: 3 });
    expect(r.body.name).toBe('parent (refined)');
  });

  it("uses the parent's coarse-to-fine settings, or defaults for other strategies", () => {
    const ctf = search(space, { strategy: { kind: 'coarseToFine', trials: 20, stages: 3, sampling: 'grid', seed: 4 } });
    const r1 = refineSearch(ctf, axesFor(ctf, []), new Map([['lambda', [0, 0.5]]]));
    expect(r1.ok && r1.body.strategy).toEqual({ kind: 'coarseToFine', trials: 20, stages: 3, sampling: 'grid', seed: 4 });
    const r2 = refineSearch(parent, axes, new Map([['lambda', [0, 0.5]]]));
    expect(r2.ok && r2.body.strategy).toEqual({ kind: 'coarseToFine', trials: 10, stages: 2, sampling: 'random', seed: 1 });
  });

  it('refuses a selection without a parameter brush, or one that keeps nothing', () => {
    expect(refineSearch(parent, axes, new Map([[OBJECTIVE, [0.5, 1]]]))).toEqual({ ok: false, problems: ['brush at least one parameter axis first'] });
    const r = refineSearch(parent, axes, new Map([['etaMax', [0.1, 0.4]]]));
    expect(r.ok).toBe(false);
    const w = refineSearch(parent, axes, new Map([['width', [0.01, 0.09]]]));
    expect(w.ok).toBe(false);
  });
});
