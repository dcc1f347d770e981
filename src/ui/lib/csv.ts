// CSV as RFC 4180 has it: comma-separated, CRLF line ends, a field with a comma, quote or line
// break is quoted with inner quotes doubled. Text that a spreadsheet would run as a formula
// (=, +, -, @ first) is prefixed with an apostrophe; numbers are written as they are.

export type Cell = string | number | boolean | null | undefined;

function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
