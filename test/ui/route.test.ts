import { describe, expect, it } from 'vitest';
import { href, parseRoute } from '../../src/ui/app/route';
import { keyFromHash } from '../../src/ui/app/session';

describe('parseRoute', () => {
  it('reads every page', () => {
    expect(parseRoute('').page).toBe('runs');
    expect(parseRoute('#/runs').page).toBe('runs');
    expect(parseRoute('#/runs/abc')).toEqual({ page: 'run', id: 'abc' });
    expect(parseRoute('#/compare?ids=a,b,,c')).toEqual({ page: 'compare', ids: ['a', 'b', 'c'] });
    expect(parseRoute('#/searches')).toEqual({ page: 'searches' });
    expect(parseRoute('#/searches/s1/')).toEqual({ page: 'search', id: 's1' });
    expect(parseRoute('#/submit?example=two-layer-cyclic.json').page).toBe('submit');
    expect(parseRoute('#/nope').page).toBe('notFound');
  });

  it('keeps the runs view query', () => {
    const r = parseRoute('#/runs?status=running,queued&sort=-lambda');
    expect(r.page === 'runs' && r.query.get('status')).toBe('running,queued');
  });

  it('round-trips the links it makes', () => {
    expect(parseRoute(href.run('x y'))).toEqual({ page: 'run', id: 'x y' });
    expect(parseRoute(href.compare(['a', 'b']))).toEqual({ page: 'compare', ids: ['a', 'b'] });
    expect(parseRoute(href.search('s'))).toEqual({ page: 'search', id: 's' });
  });
});

describe('keyFromHash', () => {
  it('takes the key from a #key= link only', () => {
    expect(keyFromHash('#key=ty_abc123')).toBe('ty_abc123');
    expect(keyFromHash('#/runs')).toBeNull();
    expect(keyFromHash('#/runs?key=ty_x')).toBeNull();
  });
});
