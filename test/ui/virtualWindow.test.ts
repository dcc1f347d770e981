import { describe, expect, it } from 'vitest';
import { isFling, pagesToFetch, rowWindow, scrollToReveal } from '../../src/ui/lib/virtualWindow';

describe('rowWindow', () => {
  it('renders the rows in view plus overscan, with spacers for the rest', () => {
    const w = rowWindow({ scrollTop: 3600, viewportHeight: 720, rowHeight: 36, total: 10_000, overscan: 5 });
    expect(w).toEqual({ start: 95, end: 126, padTop: 95 * 36, padBottom: (10_000 - 126) * 36 });
    expect(w.padTop + (w.end - w.start) * 36 + w.padBottom).toBe(10_000 * 36);
  });

  it('clamps at the top and bottom', () => {
    expect(rowWindow({ scrollTop: -50, viewportHeight: 100, rowHeight: 10, total: 1000, overscan: 2 }).start).toBe(0);
    const bottom = rowWindow({ scrollTop: 10_000, viewportHeight: 100, rowHeight: 10, total: 1000, overscan: 2 });
    expect(bottom.end).toBe(1000);
    expect(bottom.padBottom).toBe(0);
  });

  it('keeps rendering a bounded number of rows however long the list', () => {
    for (const total of [100, 10_000, 1_000_000]) {
      const w = rowWindow({ scrollTop: total * 18, viewportHeight: 800, rowHeight: 36, total, overscan: 8 });
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(800 / 36) + 1 + 16);
    }
  });

  it('in chunks: the window stays put while scrolling within a chunk, and always covers the view plus overscan', () => {
    const at = (px: number) => rowWindow({ scrollTop: px, viewportHeight: 720, rowHeight: 36, total: 10_000, overscan: 10, chunk: 10 });
    expect(at(3600)).toEqual(at(3600 + 9 * 36));
    expect(at(3600 + 10 * 36).start).toBe(at(3600).start + 10);
    for (let px = 0; px < 10_000 * 36; px += 37 * 13) {
      const w = at(px);
      const first = Math.floor(px / 36);
      expect(w.start % 10).toBe(0);
      expect(w.start).toBeLessThanOrEqual(Math.max(0, first - 10));
      expect(w.end).toBeGreaterThanOrEqual(Math.min(10_000, first + 21 + 10));
      expect(w.end - w.start).toBeLessThanOrEqual(21 + 20 + 20);
    }
  });

  it('is empty for an empty list', () => {
    expect(rowWindow({ scrollTop: 0, viewportHeight: 500, rowHeight: 36, total: 0 })).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe('pagesToFetch', () => {
  it('fetches every page up to the last row needed, in order', () => {
    expect(pagesToFetch(200, 5000, 200, 10_000)).toBe(24);
    expect(pagesToFetch(200, 150, 200, 10_000)).toBe(0);
    expect(pagesToFetch(9800, 10_050, 200, 10_000)).toBe(1);
    expect(pagesToFetch(0, 1, 200, 0)).toBe(0);
  });
});

describe('scrollToReveal', () => {
  it('scrolls just enough to show a row above or below the viewport', () => {
    expect(scrollToReveal(5, 360, 360, 36)).toBe(180);
    expect(scrollToReveal(20, 0, 360, 36)).toBe(21 * 36 - 360);
    expect(scrollToReveal(3, 0, 360, 36)).toBeNull();
  });
});

describe('isFling', () => {
  it('is a jump of over half the view in one scroll event, either way, unless the keyboard made it', () => {
    expect(isFling(432, 560, false)).toBe(true);
    expect(isFling(-432, 560, false)).toBe(true);
    expect(isFling(280, 560, false)).toBe(false);
    expect(isFling(36, 560, false)).toBe(false);
    expect(isFling(360_000, 560, true)).toBe(false);
  });
});
