// Where a validation problem's path (training.schedule.etaMax) sits in the JSON text being edited,
// so the editor can mark that field. A path to a missing field points at its nearest parent.
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';

export interface Located {
  /** Character offsets of the marked text. */
  from: number;
  to: number;
  /** 1-based line of `from`. */
  line: number;
  /** False when the exact field is missing and its nearest present parent is marked instead. */
  exact: boolean;
}

export const lineOf = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

const segments = (path: string): (string | number)[] => (path === '' || path === '(root)' ? [] : path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)));

/** The key's text for a property value (`"lambda": -1` marks `"lambda"` through `-1`). */
function span(node: Node): [number, number] {
  const prop = node.parent?.type === 'property' ? node.parent : null;
  if (prop && node.type !== 'object' && node.type !== 'array') return [prop.offset, node.offset + node.length];
  if (prop) return [prop.offset, prop.children![0].offset + prop.children![0].length];
  return [node.offset, node.type === 'object' || node.type === 'array' ? node.offset + 1 : node.offset + node.length];
}

export function locate(text: string, path: string): Located | null {
  const root = parseTree(text);
  if (!root) return null;
  const segs = segments(path);
  for (let n = segs.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segs.slice(0, n));
    if (!node) continue;
    const [from, to] = span(node);
    return { from, to, line: lineOf(text, from), exact: n === segs.length };
  }
  return null;
}

/** The first JSON syntax error, with its position, or null when the text parses. */
export function syntaxError(text: string): { offset: number; length: number; line: number; message: string } | null {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const e = errors[0];
  if (!e) return null;
  return { offset: e.offset, length: Math.max(1, e.length), line: lineOf(text, e.offset), message: SYNTAX_MESSAGES[e.error] ?? 'invalid JSON' };
}

// jsonc-parser's ParseErrorCode values, in words.
const SYNTAX_MESSAGES: Record<number, string> = {
  1: 'invalid symbol',
  2: 'invalid number',
  3: 'a property name is expected',
  4: 'a value is expected',
  5: 'a colon is expected',
  6: 'a comma is expected',
  7: 'a closing brace is expected',
  8: 'a closing bracket is expected',
  9: 'unexpected text after the end of the document',
  10: 'comments are not allowed',
  11: 'the text ends inside a comment',
  12: 'the text ends inside a string',
  13: 'the number ends too early',
  14: 'invalid unicode escape',
  15: 'invalid escape character',
  16: 'invalid character',
};
