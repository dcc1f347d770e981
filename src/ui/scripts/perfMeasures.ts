// Measurements of the dashboard in headless Chromium against a running API, shared by the perf
// probe (perfProbe.ts, any API) and `npm run bench:ui` (bench/uiBench.ts, its own seeded API).
// Every figure is taken inside the page (performance.now(), requestAnimationFrame, the bytes a
// stream delivers), so the time the test driver takes to notice is not counted.
import type { Page } from 'playwright-core';

export { launchChromium } from './launchChromium.js';

/** Signs the tab in (the key lives in its sessionStorage) and waits for the runs page. */
export async function signIn(page: Page, base: string, key: string): Promise<void> {
  await page.goto(`${base}/#key=${encodeURIComponent(key)}`);
  await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
}

export interface LoadTime {
  /** Navigation start to the ready condition holding (checked every animation frame). */
  total: number;
  /** Navigation start to the end of the last /v1 response before ready (event streams excluded). */
  api: number;
  /** JSON bytes the page fetched from /v1 (transfer size, before ready). */
  apiBytes: number;
}

/**
 * A full page load of `base/hash` in a signed-in tab (through about:blank, so every repeat is a
 * new document; the bundle comes from the HTTP cache after the first): from navigation start to
 * `ready` holding, and how much of that was spent waiting for the API.
 */
export async function loadTime(page: Page, base: string, hash: string, ready: Ready): Promise<LoadTime> {
  // A tab in the background gets no animation frames: measure in the foreground one.
  await page.bringToFront();
  await page.goto('about:blank');
  await page.goto(`${base}/${hash}`, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(ready, undefined, { timeout: 120_000, polling: 'raf' });
  const total = (await handle.jsonValue()) as number;
  const { api, apiBytes } = await page.evaluate((t) => {
    const v1 = performance
      .getEntriesByType('resource')
      .map((e) => e as PerformanceResourceTiming)
      .filter((e) => e.name.includes('/v1/') && !e.name.endsWith('/events') && e.responseEnd <= t);
    return { api: Math.max(0, ...v1.map((e) => e.responseEnd)), apiBytes: v1.reduce((n, e) => n + (e.encodedBodySize || 0), 0) };
  }, total);
  return { total, api, apiBytes };
}

/**
 * When each page is ready, as functions run in the page (the dashboard's CSP forbids eval, so no
 * string predicates): they return performance.now() once the condition holds, else false.
 */
export type Ready = () => number | false;
export const READY: Record<'runs' | 'run' | 'compare' | 'search', Ready> = {
  runs: () => (document.querySelector('table.runs tbody tr[data-row]:not(.placeholder)') !== null ? performance.now() : false),
  run: () =>
    document.querySelectorAll('.run-charts .uplot canvas').length >= 4 && /^[\d,]+ points/.test(document.querySelector('.run-charts header .muted')?.textContent ?? '') ? performance.now() : false,
  compare: () => (document.querySelectorAll('.compare-page .uplot canvas').length >= 4 && document.querySelector('table.diff') !== null ? performance.now() : false),
  search: () => {
    const c = document.querySelector('.board-count');
    const ok =
      !!c &&
      /[1-9][0-9]* trials/.test(c.textContent ?? '') &&
      document.querySelectorAll('.scatter-grid canvas').length > 0 &&
      document.querySelector('.pc-wrap canvas, .pc-wrap svg') !== null &&
      document.querySelector('.ladder .rung') !== null;
    return ok ? performance.now() : false;
  },
};

export interface ScrollResult {
  frames: number;
  /** Frame gaps (ms between consecutive animation frames while scrolling). */
  median: number;
  p95: number;
  max: number;
  over16: number;
  /** Gaps over 1.5 frame intervals (25 ms at 60 Hz): a frame the display missed. */
  dropped: number;
  over33: number;
  maxRows: number;
  placeholdersSeen: number;
  scrollMs: number;
  /** From the scroll reaching the bottom to the last row being real (pages fetched in order). */
  lastPageMs: number;
  /** Frames whose view held no rendered row, only the outlines of rows a fling has not drawn yet. */
  outlineFrames: number;
  /** The longest frame gap of the 30 frames after the last scroll step (the rows drawn as it stops). */
  settleMax: number;
}

/**
 * Scrolls the runs table from top to bottom at a constant `pxPerFrame` (one step per animation
 * frame, as a fast fling would), recording every frame's gap, the most rows in the DOM, and how
 * many placeholder rows (pages not yet fetched) were seen on screen.
 */
export async function scrollRunsTable(page: Page, pxPerFrame: number, maxPx = Infinity): Promise<ScrollResult> {
  await page.bringToFront();
  const r = await page.evaluate(async ([step, limit]) => {
    const el = document.querySelector<HTMLElement>('.runs-scroll')!;
    el.scrollTop = 0;
    await new Promise(requestAnimationFrame);
    const gaps: number[] = [];
    let maxRows = 0;
    let placeholders = 0;
    let outlines = 0;
    const start = performance.now();
    let last = start;
    while (el.scrollTop + el.clientHeight < el.scrollHeight - 1 && el.scrollTop < limit) {
      el.scrollTop += step;
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, el.querySelectorAll('tbody tr[data-row]').length);
      placeholders += el.querySelectorAll('tbody tr.placeholder').length > 0 ? 1 : 0;
      // Whether any rendered row (36 px each, after a 36 px header) is in the view. (Inline: tsx
      // would wrap a named helper in a __name call the page does not have.)
      const rendered = el.querySelectorAll<HTMLElement>('tbody tr[data-row]');
      const firstRow = rendered.length ? Number(rendered[0].dataset.row) : Infinity;
      const lastRow = rendered.length ? Number(rendered[rendered.length - 1].dataset.row) : -Infinity;
      const inView = lastRow >= Math.floor(el.scrollTop / 36) - 1 && firstRow <= Math.ceil((el.scrollTop + el.clientHeight) / 36);
      outlines += inView ? 0 : 1;
      if (gaps.length > 20_000) break;
    }
    const scrollMs = performance.now() - start;
    let settleMax = 0;
    for (let i = 0; i < 30; i++) {
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      settleMax = Math.max(settleMax, now - last);
      last = now;
    }
    const sorted = [...gaps].sort((a, b) => a - b);
    const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
    return {
      frames: gaps.length,
      median: q(0.5),
      p95: q(0.95),
      max: sorted[sorted.length - 1],
      over16: gaps.filter((g) => g > 1000 / 60).length,
      dropped: gaps.filter((g) => g > 1500 / 60).length,
      over33: gaps.filter((g) => g > 2000 / 60).length,
      maxRows,
      placeholdersSeen: placeholders,
      scrollMs,
      outlineFrames: outlines,
      settleMax,
    };
  }, [pxPerFrame, maxPx] as const);
  const t = Date.now();
  await page.waitForFunction(() => document.querySelectorAll('table.runs tr.placeholder').length === 0, undefined, { timeout: 120_000 });
  return { ...r, lastPageMs: Date.now() - t };
}

/**
 * Gaps between `frames` consecutive animation frames of a page doing nothing: what the browser
 * and the machine give any page, the floor for the scrolling figures.
 */
export async function idleFrameGaps(page: Page, frames: number): Promise<number[]> {
  await page.bringToFront();
  return page.evaluate(async (n) => {
    const gaps: number[] = [];
    let last = await new Promise<number>(requestAnimationFrame);
    for (let i = 0; i < n; i++) {
      const now = await new Promise<number>(requestAnimationFrame);
      gaps.push(now - last);
      last = now;
    }
    return gaps;
  }, frames);
}

/**
 * Before any page script runs: every fetch of a run's event stream is teed, and each `point`
 * event's step is recorded with the wall-clock time (ms since the epoch) its bytes reached the
 * page, in window.__points. The page's own reader gets the other branch, unchanged.
 */
export async function recordStreamedPoints(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __points: { step: number; at: number }[] };
    w.__points = [];
    const original = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await original(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!/\/v1\/runs\/[^/]+\/events/.test(url) || !res.body) return res;
      const [mine, theirs] = res.body.tee();
      void (async () => {
        const reader = mine.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          const at = performance.timeOrigin + performance.now();
          buf += decoder.decode(value, { stream: true });
          const frames = buf.split('\n\n');
          buf = frames.pop() ?? '';
          for (const f of frames) {
            if (!/^event: point$/m.test(f)) continue;
            const data = /^data: (.*)$/m.exec(f)?.[1];
            if (data) w.__points.push({ step: (JSON.parse(data) as { step: number }).step, at });
          }
        }
      })();
      return new Response(theirs, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
  });
}

export async function streamedPoints(page: Page): Promise<{ step: number; at: number }[]> {
  return page.evaluate(() => (window as unknown as { __points: { step: number; at: number }[] }).__points);
}

/** Median, minimum and maximum. */
export function spread(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: m, min: s[0], max: s[s.length - 1] };
}

export function quantile(xs: number[], f: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(f * s.length))];
}
