// Keyset page cursors: opaque to clients, scoped to the project and to the sort they were made
// for. A cursor carries the last row's sort value and id, so the next page is found by comparing
// values, never by looking a row up: it reveals nothing about rows of other projects.
export interface CursorPosition {
  /** The sort the cursor was made for, e.g. "-createdAt". */
  sort: string;
  value: string | number | null;
  id: string;
}

export class CursorError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(projectId: string, p: CursorPosition): string {
  return Buffer.from(JSON.stringify([projectId, p.sort, p.value, p.id])).toString('base64url');
}

/** The position, or CursorError saying what is wrong with it. */
export function decodeCursor(projectId: string, sort: string, cursor: string): CursorPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('not a cursor this API made: pass back a nextCursor unchanged');
  }
  if (!Array.isArray(parts) || parts.length !== 4) throw new CursorError('not a cursor this API made: pass back a nextCursor unchanged');
  const [p, s, value, id] = parts;
  if (p !== projectId) throw new CursorError('this cursor belongs to another project');
  if (s !== sort) throw new CursorError(`this cursor was made for sort=${String(s)}; use the same sort to page on`);
  if (typeof id !== 'string' || !UUID.test(id) || !(value === null || typeof value === 'string' || typeof value === 'number')) throw new CursorError('not a cursor this API made: pass back a nextCursor unchanged');
  return { sort, value, id };
}

/**
 * The SQL condition for rows after the cursor, in the order (column IS NULL), column, id: nulls
 * last, `desc` for descending. `param` adds a parameter and returns its placeholder.
 */
export function afterCursor(column: string, desc: boolean, nullable: boolean, at: CursorPosition, param: (v: unknown) => string): string {
  const cmp = desc ? '<' : '>';
  const id = param(at.id);
  if (at.value === null) return `(${column} IS NULL AND id ${cmp} ${id}::uuid)`;
  const v = param(at.value);
  const after = `(${column} ${cmp} ${v} OR (${column} = ${v} AND id ${cmp} ${id}::uuid))`;
  return nullable ? `(${column} IS NULL OR ${after})` : after;
}
