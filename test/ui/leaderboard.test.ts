import { describe, expect, it } from 'vitest';
import { sortEntries } from '../../src/ui/lib/boardSort';
import { mergeTrial } from '../../src/ui/lib/trialMerge';
import { entry } from './fixtures';

describe('sortEntries', () => {
  const es = [entry('a', { lambda: 0.01 }, 0.5), entry('b', { lambda: 0.001 }, null), entry('c', { lambda: 0.1 }, 0.7), entry('d', {}, 0.6)];
  it('sorts by objective either way with missing values last', () => {
    expect(sortEntries(es, 'objective', true).map((e) => e.runId)).toEqual(['c', 'd', 'a', 'b']);
    expect(sortEntries(es, 'objective', false).map((e) => e.runId)).toEqual(['a', 'd', 'c', 'b']);
  });
  it('sorts by a parameter', () => {
    expect(sortEntries(es, 'param:lambda', false).map((e) => e.runId)).toEqual(['b', 'a', 'c', 'd']);
  });
});

describe('mergeTrial', () => {
  it('upserts by run id and never takes a finished trial back to running', () => {
    const m = new Map([['a', entry('a', {}, null, { status: 'running', rank: 3 })]]);
    expect(mergeTrial(m, entry('a', {}, 0.5, { status: 'succeeded' }))).toBe(true);
    expect(m.get('a')!.status).toBe('succeeded');
    expect(m.get('a')!.rank).toBe(3);
    expect(mergeTrial(m, entry('a', {}, null, { status: 'running' }))).toBe(false);
    expect(m.get('a')!.objective).toBe(0.5);
    expect(mergeTrial(m, entry('b', {}, null, { status: 'queued' }))).toBe(true);
    expect(m.size).toBe(2);
  });
});
