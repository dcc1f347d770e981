import { describe, expect, it } from 'vitest';
import { maxPointsFor, stepRange, worthRefining } from '../../src/ui/lib/thinning';

describe('maxPointsFor', () => {
  it('asks for about two points per pixel of plot width, within the API limits', () => {
    expect(maxPointsFor(600)).toBe(1200);
    expect(maxPointsFor(0.4)).toBe(2);
    expect(maxPointsFor(8000)).toBe(10_000);
  });
});

describe('stepRange', () => {
  const steps = [0, 100, 200, 300, 400, 500];
  it('maps an x range to steps, one point wider each side', () => {
    expect(stepRange(steps, steps, 150, 320)).toEqual({ fromStep: 100, toStep: 400 });
  });
  it('works for epoch and wall-time x values', () => {
    const epochs = [0, 0.5, 1, 1.5, 2, 2.5];
    expect(stepRange(epochs, steps, 1, 1.5)).toEqual({ fromStep: 100, toStep: 400 });
    const seconds = [null, 1, 2, 3, 4, 5];
    expect(stepRange(seconds, steps, 0, 1.5)).toEqual({ fromStep: 0, toStep: 200 });
  });
  it('returns a range around a zoom that falls between two points', () => {
    expect(stepRange(steps, steps, 210, 290)).toEqual({ fromStep: 200, toStep: 300 });
  });
  it('returns null when nothing was loaded', () => {
    expect(stepRange([], [], 0, 1)).toBeNull();
  });
});

describe('worthRefining', () => {
  it('asks again only when the loaded points are thinned and sparse in the zoomed range', () => {
    expect(worthRefining(0, 100_000, 100, 600)).toBe(false);
    expect(worthRefining(0, 10_000, 100, 600)).toBe(true);
    expect(worthRefining(0, 10_000, 1, 600)).toBe(false);
  });
});
