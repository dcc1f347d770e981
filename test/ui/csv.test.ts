import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/ui/lib/csv';

describe('toCsv', () => {
  it('writes a header and rows with CRLF line ends', () => {
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
  });

  it('quotes fields with commas, quotes and line breaks, doubling inner quotes', () => {
    expect(toCsv(['n'], [['a,b'], ['say "hi"'], ['two\nlines'], ['cr\r']])).toBe('n\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\r"\r\n');
  });

  it('leaves empty cells for null, undefined and non-finite numbers', () => {
    expect(toCsv(['a', 'b', 'c'], [[null, undefined, NaN]])).toBe('a,b,c\r\n,,\r\n');
  });

  it('writes negative numbers as numbers but defuses text that would run as a formula', () => {
    expect(toCsv(['v', 't'], [[-0.5, '=HYPERLINK("x")']])).toBe('v,t\r\n-0.5,"\'=HYPERLINK(""x"")"\r\n');
    expect(toCsv(['t'], [['+1'], ['@a'], ['-x']])).toBe("t\r\n'+1\r\n'@a\r\n'-x\r\n");
  });
});
