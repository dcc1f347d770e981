// Which rows of a long, fixed-row-height list to put in the DOM: those in view plus an overscan
// margin; spacers above and below keep the scrollbar true to the full length.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  total: number;
  overscan?: number;
  /**
   * The window's ends snap to multiples of this many rows, so it changes only every `chunk` rows
   * scrolled: in between, a scroll changes nothing in the DOM and costs no layout or paint.
   */
  chunk?: number;
}

export interface RowWindow {
  /** First row rendered. */
  start: number;
  /** One past the last row rendered. */
  end: number;
  padTop: number;
  padBottom: number;
}

export function rowWindow({ scrollTop, viewportHeight, rowHeight, total, overscan = 8, chunk = 1 }: WindowInput): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(total - 1, Math.floor((first - overscan) / chunk) * chunk));
  const end = Math.min(total, Math.ceil((first + visible + overscan) / chunk) * chunk);
  return { start, end, padTop: start * rowHeight, padBottom: (total - end) * rowHeight };
}

/**
 * Pages still to fetch so that rows [0, needEnd) are loaded. Pages come from an opaque cursor,
 * so they can only be fetched in order: reaching row 5,000 means fetching every page before it.
 */
export function pagesToFetch(loaded: number, needEnd: number, pageSize: number, total: number): number {
  const target = Math.min(needEnd, total);
  if (target <= loaded) return 0;
  return Math.ceil((target - loaded) / pageSize);
}

/** The scrollTop that brings `row` into view, or null when it already is. */
export function scrollToReveal(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return null;
}

/**
 * Whether a scroll of `jumpPx` since the previous scroll event (one frame) is a fling that keeps
 * the rendered rows as they are until it slows: over half a view in a frame. A keyboard move
 * (Home, End, a page) jumps as far but needs its row drawn at once.
 */
export function isFling(jumpPx: number, viewportHeight: number, byKeyboard: boolean): boolean {
  return !byKeyboard && Math.abs(jumpPx) > viewportHeight / 2;
}
