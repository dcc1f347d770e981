import { describe, expect, it } from 'vitest';
import { axesFor, coordinateAt, inBrushes, OBJECTIVE, position, ticks } from '../../src/ui/lib/searchAxes';
import { entry, search } from './fixtures';

const s = search({ lambda: { logUniform: [-3, -1] }, etaMax: { values: [0.02, 0.1] }, momentum: { uniform: [0, 0.9] }, hidden: { values: [[50], [50, 50]] } });
const entries = [entry('a', { lambda: 0.001, etaMax: 0.02, momentum: 0, hidden: [50] }, 0.4), entry('b', { lambda: 0.1, etaMax: 0.1, momentum: 0.9, hidden: [50, 50] }, 0.5)];

describe('axesFor', () => {
  const axes = axesFor(s, entries);
  it('makes log axes for logUniform dimensions, in log10 units', () => {
    const lam = axes.find((a) => a.key === 'lambda')!;
    expect(lam.kind).toBe('log');
    expect(lam.domain).toEqual([-3, -1]);
    expect(position(lam, 0.001)).toBeCloseTo(0, 12);
    expect(position(lam, 0.01)).toBeCloseTo(0.5, 12);
    expect(position(lam, 0.1)).toBeCloseTo(1, 12);
    expect(position(lam, 0)).toBeNull();
  });

  it('widens a log axis to trials outside the searched range', () => {
    const wide = axesFor(s, [...entries, entry('c', { lambda: 1e-4 }, 0.3)]).find((a) => a.key === 'lambda')!;
    expect(wide.domain).toEqual([-4, -1]);
  });

  it('places values dimensions as evenly spaced categories in the spec order', () => {
    const eta = axes.find((a) => a.key === 'etaMax')!;
    expect(eta.kind).toBe('categorical');
    expect(position(eta, 0.02)).toBe(0);
    expect(position(eta, 0.1)).toBe(1);
    const hidden = axes.find((a) => a.key === 'hidden')!;
    expect(position(hidden, [50, 50])).toBe(1);
    expect(position(hidden, [10])).toBeNull();
  });

  it('adds the objective axis last, linear over the values seen', () => {
    const obj = axes.at(-1)!;
    expect(obj.key).toBe(OBJECTIVE);
    expect(obj.domain).toEqual([0.4, 0.5]);
    expect(obj.label).toBe('validation accuracy ↑');
  });

  it('inverts positions back to coordinates (exponents on log axes)', () => {
    const lam = axes.find((a) => a.key === 'lambda')!;
    expect(coordinateAt(lam, 0.25)).toBeCloseTo(-2.5, 12);
    const mom = axes.find((a) => a.key === 'momentum')!;
    expect(coordinateAt(mom, position(mom, 0.3)!)).toBeCloseTo(0.3, 12);
  });

  it('puts log ticks at powers of ten', () => {
    expect(ticks(axes.find((a) => a.key === 'lambda')!).map((t) => t.label)).toEqual(['1e-3', '1e-2', '1e-1']);
    expect(ticks(axes.find((a) => a.key === 'etaMax')!).map((t) => t.label)).toEqual(['0.02', '0.1']);
  });
});

describe('inBrushes', () => {
  it('keeps the trials inside every brushed range', () => {
    const axes = axesFor(s, entries);
    const brushes = new Map<string, [number, number]>([['lambda', [0, 0.6]]]);
    expect(entries.filter((e) => inBrushes(axes, brushes, e)).map((e) => e.runId)).toEqual(['a']);
    brushes.set(OBJECTIVE, [0.5, 1]);
    expect(entries.filter((e) => inBrushes(axes, brushes, e))).toEqual([]);
  });
});
