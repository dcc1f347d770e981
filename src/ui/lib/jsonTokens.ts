// Colouring one line of JSON for the spec editor: keys, strings, numbers, literals, punctuation.
// JSON strings cannot hold a raw line break, so lines are tokenised on their own.

export type TokenKind = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'text';

export interface Token {
  from: number;
  to: number;
  kind: TokenKind;
}

const PATTERN = /"(?:[^"\\]|\\.)*"?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\btrue\b|\bfalse\b|\bnull\b|[{}[\],:]/g;

export function tokenizeLine(line: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  for (const m of line.matchAll(PATTERN)) {
    const from = m.index!;
    const to = from + m[0].length;
    if (from > last) out.push({ from: last, to: from, kind: 'text' });
    const c = m[0][0];
    let kind: TokenKind = c === '"' ? 'string' : /[-\d]/.test(c) ? 'number' : /[a-z]/.test(c) ? 'literal' : 'punct';
    if (kind === 'string' && /^\s*:/.test(line.slice(to))) kind = 'key';
    out.push({ from, to, kind });
    last = to;
  }
  if (last < line.length) out.push({ from: last, to: line.length, kind: 'text' });
  return out;
}
