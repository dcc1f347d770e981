import { describe, expect, it } from 'vitest';
import { RUN_COLUMNS } from '../../src/ui/lib/runColumns';
import { activeFilterCount, apiQuery, nextSort, withParam } from '../../src/ui/lib/runQuery';

describe('runs view query', () => {
  it('sends only known, non-empty filters and a sort', () => {
    const view = new URLSearchParams('status=running&name=%20&bogus=1&lambdaMax=0.01');
    expect(apiQuery(view)).toEqual({ status: 'running', lambdaMax: '0.01', sort: '-createdAt' });
    expect(activeFilterCount(view)).toBe(2);
  });

  it('sets and clears one filter', () => {
    const v = withParam(new URLSearchParams('status=failed'), 'tag', 'ref');
    expect(v.toString()).toBe('status=failed&tag=ref');
    expect(withParam(v, 'status', '').toString()).toBe('tag=ref');
  });

  it('cycles a column sort: descending, ascending, default', () => {
    expect(nextSort('-createdAt', 'lambda')).toBe('-lambda');
    expect(nextSort('-lambda', 'lambda')).toBe('lambda');
    expect(nextSort('lambda', 'lambda')).toBe('-createdAt');
  });

  it('maps sortable columns to sort fields the API accepts', () => {
    const accepted = ['createdAt', 'validationAccuracy', 'testAccuracy', 'trainAccuracy', 'validationLoss', 'lambda', 'name'];
    for (const c of RUN_COLUMNS) if (c.sort) expect(accepted).toContain(c.sort);
  });
});
