import { describe, expect, it } from 'vitest';
import { appendPoints, columnsFrom, lastStep, spliceRange } from '../../src/ui/lib/pointColumns';
import { point } from './fixtures';

describe('pointColumns', () => {
  it('turns points into columns, with bucket min and max where thinned', () => {
    const p = point(10, { bucket: { fromStep: 0, toStep: 10, count: 3, min: { train: { loss: 1, cost: 1, accuracy: 0.1 }, validation: { loss: 1, cost: 1, accuracy: 0.1 } }, max: { train: { loss: 3, cost: 3, accuracy: 0.3 }, validation: { loss: 3, cost: 3, accuracy: 0.3 } } } });
    const c = columnsFrom([p, point(20)], 10);
    expect(c.step).toEqual([10, 20]);
    expect(c.lo['train.loss']).toEqual([1, null]);
    expect(c.hi['validation.accuracy']).toEqual([0.3, null]);
    expect(c.bucketWidth).toBe(10);
    expect(c.thinned).toBe(true);
    expect(columnsFrom([point(1), point(2)], 4).thinned).toBe(false);
  });

  it('takes buckets without their envelope (compare asks for lines only): thinned, no min or max', () => {
    const c = columnsFrom([point(10, { bucket: { fromStep: 0, toStep: 10, count: 3 } }), point(20)], 10);
    expect(c.thinned).toBe(true);
    expect(c.lo['train.loss']).toEqual([null, null]);
    expect(c.hi['validation.accuracy']).toEqual([null, null]);
    expect(c.value['train.loss']).toHaveLength(2);
  });

  it('appends only steps after the last one held (dedupe on reconnect)', () => {
    const c = columnsFrom([point(10), point(20)]);
    expect(appendPoints(c, [point(20), point(15), point(30), point(30), point(40)])).toBe(2);
    expect(c.step).toEqual([10, 20, 30, 40]);
    expect(c.value['train.loss']).toHaveLength(4);
    expect(lastStep(c)).toBe(40);
  });

  it('keeps missing wall time as null', () => {
    expect(columnsFrom([point(1, { seconds: undefined })]).seconds).toEqual([null]);
  });

  it('splices finer points into a zoomed range and keeps the coarse ones outside it', () => {
    const coarse = columnsFrom([0, 100, 200, 300, 400].map((s) => point(s)), 100);
    const fine = columnsFrom([90, 100, 120, 140, 160, 180, 200, 210, 350].map((s) => point(s)), 20);
    const out = spliceRange(coarse, fine, 100, 200);
    expect(out.step).toEqual([0, 100, 120, 140, 160, 180, 200, 300, 400]);
    expect(out.value['validation.cost']).toHaveLength(out.step.length);
  });
});
