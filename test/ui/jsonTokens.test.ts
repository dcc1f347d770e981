import { describe, expect, it } from 'vitest';
import { tokenizeLine } from '../../src/ui/lib/jsonTokens';

const kinds = (line: string) => tokenizeLine(line).map((t) => [line.slice(t.from, t.to), t.kind]);

describe('tokenizeLine', () => {
  it('tells keys from string values and finds numbers, literals and punctuation', () => {
    expect(kinds('  "lambda": -1.5e-3, "kind": "he", "flip": true')).toEqual([
      ['  ', 'text'],
      ['"lambda"', 'key'],
      [':', 'punct'],
      [' ', 'text'],
      ['-1.5e-3', 'number'],
      [',', 'punct'],
      [' ', 'text'],
      ['"kind"', 'key'],
      [':', 'punct'],
      [' ', 'text'],
      ['"he"', 'string'],
      [',', 'punct'],
      [' ', 'text'],
      ['"flip"', 'key'],
      [':', 'punct'],
      [' ', 'text'],
      ['true', 'literal'],
    ]);
  });

  it('keeps escaped quotes inside strings and covers every character', () => {
    const line = '"a \\"b\\"" oops';
    const t = tokenizeLine(line);
    expect(line.slice(t[0].from, t[0].to)).toBe('"a \\"b\\""');
    expect(t.at(-1)!.to).toBe(line.length);
  });
});
