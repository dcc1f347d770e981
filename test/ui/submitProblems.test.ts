import { describe, expect, it } from 'vitest';
import { placeProblems } from '../../src/ui/lib/submitProblems';

const spec = '{\n  "training": {\n    "lambda": -1\n  }\n}';

describe('placeProblems', () => {
  it("puts a run's spec problems in the editor and name/tags problems at their fields", () => {
    const r = placeProblems(
      'run',
      [
        { path: 'spec.training.lambda', message: 'Too small' },
        { path: 'tags.0', message: 'use letters' },
        { path: 'Idempotency-Key', message: 'bad key' },
      ],
      spec,
    );
    expect(r.editor.map((p) => [p.line, p.message])).toEqual([[3, 'Too small']]);
    expect(r.fields).toEqual({ tags: 'use letters' });
    expect(r.other.map((p) => p.path)).toEqual(['Idempotency-Key']);
  });

  it('names the missing field when it marks the parent instead', () => {
    const r = placeProblems('run', [{ path: 'spec.training.schedule', message: 'Required' }], spec);
    expect(r.editor[0].line).toBe(2);
    expect(r.editor[0].message).toBe('schedule: Required');
  });

  it("places a search's problems by their own paths, and the whole spec at the root", () => {
    const r = placeProblems('search', [{ path: 'training.lambda', message: 'x' }, { path: '(root)', message: 'y' }], spec);
    expect(r.editor.map((p) => p.line)).toEqual([3, 1]);
  });

  it('lists problems it cannot place when the text does not parse', () => {
    expect(placeProblems('run', [{ path: 'spec.training', message: 'x' }], '').other).toHaveLength(1);
  });
});
