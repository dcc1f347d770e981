import { describe, expect, it } from 'vitest';
import { hasWallTime, learningRateData, measureData } from '../../src/ui/lib/chartData';
import { num } from '../../src/ui/lib/format';
import { columnsFrom } from '../../src/ui/lib/pointColumns';
import { point } from './fixtures';

describe('measureData', () => {
  const c = columnsFrom([point(0, { seconds: null }), point(100), point(200)]);
  it('gives x, the two envelopes and the two lines', () => {
    const d = measureData(c, 'step', 'loss', 0, false);
    expect(d).toHaveLength(7);
    expect(d[0]).toEqual([0, 100, 200]);
    expect(d[5]).toEqual([2, 1.9, 1.8]);
    expect(d[1]).toEqual([null, null, null]);
  });

  it('adds the smoothed lines only when smoothing is on', () => {
    expect(measureData(c, 'epoch', 'accuracy', 0.6, false)).toHaveLength(9);
  });

  it('leaves out points without wall time on the wall-time axis', () => {
    const d = measureData(c, 'seconds', 'cost', 0, false);
    expect(d[0]).toEqual([10, 20]);
    expect(d[6]).toHaveLength(2);
    expect(hasWallTime(c)).toBe(true);
    expect(hasWallTime(columnsFrom([point(1, { seconds: null })]))).toBe(false);
  });

  it('turns values that are not positive into gaps on a log axis', () => {
    const d = measureData(c, 'step', 'accuracy', 0, true);
    expect(d[5][0]).toBeNull();
    expect(learningRateData(columnsFrom([point(0, { lr: 0 }), point(1)]), 'step', true)[1]).toEqual([null, 0.01]);
  });
});

describe('num', () => {
  it('writes small numbers in short exponent form', () => {
    expect(num(1e-5)).toBe('1e-5');
    expect(num(4.52e-4)).toBe('4.52e-4');
    expect(num(0.0123456)).toBe('0.01235');
    expect(num(null)).toBe('—');
  });
});
