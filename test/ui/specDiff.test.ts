import { describe, expect, it } from 'vitest';
import { flatten } from '../../src/ui/lib/flatten';
import { specDiff } from '../../src/ui/lib/specDiff';

describe('flatten', () => {
  it('gives dotted paths, keeps arrays of plain values whole and indexes arrays of objects', () => {
    const f = flatten({ model: { hidden: [50, 50], init: { kind: 'he' } }, list: [{ a: 1 }], empty: {} });
    expect([...f]).toEqual([
      ['model.hidden', '[50,50]'],
      ['model.init.kind', '"he"'],
      ['list.0.a', '1'],
      ['empty', '{}'],
    ]);
  });
});

describe('specDiff', () => {
  const a = { training: { lambda: 0.01, schedule: { kind: 'cyclical', etaMax: 0.1 } }, model: { hidden: [50] }, seed: 1 };
  const b = { training: { lambda: 0.001, schedule: { kind: 'cyclical', etaMax: 0.1 } }, model: { hidden: [50, 50] }, seed: 1 };

  it('lists only the paths whose values differ', () => {
    expect(specDiff([a, b])).toEqual([
      { path: 'model.hidden', values: ['[50]', '[50,50]'] },
      { path: 'training.lambda', values: ['0.01', '0.001'] },
    ]);
  });

  it('counts a field missing from one spec as a difference', () => {
    const c = { ...a, training: { ...a.training, momentum: 0.9 } };
    expect(specDiff([a, c]).map((r) => r.path)).toEqual(['training.momentum']);
    expect(specDiff([a, c])[0].values).toEqual([null, '0.9']);
  });

  it('distinguishes a string from a number with the same text', () => {
    expect(specDiff([{ x: 1 }, { x: '1' }])).toHaveLength(1);
  });

  it('lists every path when asked for all, and nothing for identical specs', () => {
    expect(specDiff([a, a])).toEqual([]);
    expect(specDiff([a, a], true).map((r) => r.path)).toEqual(['model.hidden', 'seed', 'training.lambda', 'training.schedule.etaMax', 'training.schedule.kind']);
  });
});
