import { describe, expect, it } from 'vitest';
import { ema } from '../../src/ui/lib/ema';

describe('ema', () => {
  it('returns the values unchanged at weight 0', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
  });

  it('is debiased: a constant series stays constant from the first point', () => {
    for (const v of ema([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
  });

  it('follows the recurrence last = w * last + (1 - w) * v, divided by 1 - w^n', () => {
    const w = 0.5;
    const out = ema([0, 4], w);
    expect(out[0]).toBe(0);
    // last after two points: 0.5 * 0 + 0.5 * 4 = 2 (first step: 0); debias 1 - 0.25 = 0.75.
    expect(out[1]).toBeCloseTo(2 / 0.75, 12);
  });

  it('lags behind a step change more as the weight grows', () => {
    const series = [0, 0, 0, 1, 1, 1];
    const light = ema(series, 0.3)[3]!;
    const heavy = ema(series, 0.9)[3]!;
    expect(light).toBeGreaterThan(heavy);
    expect(heavy).toBeGreaterThan(0);
  });

  it('keeps gaps as gaps without resetting the average', () => {
    const out = ema([2, null, NaN, 2], 0.8);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo(2, 12);
  });
});
