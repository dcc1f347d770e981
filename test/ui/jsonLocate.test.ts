import { describe, expect, it } from 'vitest';
import { lineOf, locate, syntaxError } from '../../src/ui/lib/jsonLocate';

const text = `{
  "training": {
    "lambda": -1,
    "schedule": { "kind": "cyclical", "etaMax": 0.1 }
  },
  "model": { "hidden": [50, 0] }
}`;

describe('locate', () => {
  it('finds a field by its dotted path and marks key through value', () => {
    const l = locate(text, 'training.lambda')!;
    expect(l.line).toBe(3);
    expect(text.slice(l.from, l.to)).toBe('"lambda": -1');
    expect(l.exact).toBe(true);
  });

  it('finds array items by index', () => {
    const l = locate(text, 'model.hidden.1')!;
    expect(text.slice(l.from, l.to)).toBe('0');
    expect(l.line).toBe(6);
  });

  it('marks the key of an object-valued field', () => {
    const l = locate(text, 'training.schedule')!;
    expect(text.slice(l.from, l.to)).toBe('"schedule"');
    expect(l.line).toBe(4);
  });

  it('points a missing field at its nearest parent', () => {
    const l = locate(text, 'training.schedule.stepSize')!;
    expect(l.exact).toBe(false);
    expect(text.slice(l.from, l.to)).toBe('"schedule"');
  });

  it('points the root path at the opening brace', () => {
    const l = locate(text, '(root)')!;
    expect([l.from, l.to, l.line]).toEqual([0, 1, 1]);
  });
});

describe('syntaxError', () => {
  it('gives the line and a readable message of the first syntax error', () => {
    const e = syntaxError('{\n  "a": 1\n  "b": 2\n}')!;
    expect(e.line).toBe(3);
    expect(e.message).toBe('a comma is expected');
    expect(syntaxError(text)).toBeNull();
  });

  it('rejects trailing commas, which JSON does not allow', () => {
    expect(syntaxError('{"a": 1,}')).not.toBeNull();
  });
});

describe('lineOf', () => {
  it('counts lines from 1', () => {
    expect(lineOf('a\nb\nc', 0)).toBe(1);
    expect(lineOf('a\nb\nc', 4)).toBe(3);
  });
});
