// Measures the dashboard at scale in headless Chromium against a running API: the runs table
// (rows in the DOM and frame times while scrolling through every page), a search page, a
// compare page and a long run history. Prints what it measured; it asserts nothing.
//   BASE_URL=... KEY=... RUNS_KEY=... SEARCH_ID=... COMPARE_IDS=... RUN_ID=... npx tsx src/ui/scripts/perfProbe.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3112';
const KEY = process.env.KEY ?? '';

async function signIn(page: Page, key: string) {
  await page.goto(`${BASE}/#key=${encodeURIComponent(key)}`);
  await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
}

/**
 * From navigation to `ready` holding, measured inside the page: the total, and how much of it
 * was spent waiting for the API (until the last /v1 response of the page ended).
 */
async function timeTo(page: Page, hash: string, ready: string): Promise<string> {
  await page.evaluate((h) => {
    performance.clearResourceTimings();
    (window as unknown as { t0: number }).t0 = performance.now();
    location.hash = h;
  }, hash);
  await page.waitForFunction(ready, undefined, { timeout: 60_000, polling: 'raf' });
  const { total, api } = await page.evaluate(() => {
    const t0 = (window as unknown as { t0: number }).t0;
    const ends = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/v1/') && !e.name.endsWith('/events'))
      .map((e) => (e as PerformanceResourceTiming).responseEnd);
    return { total: performance.now() - t0, api: Math.max(t0, ...ends) - t0 };
  });
  return `${total.toFixed(0)} ms (the API answered after ${api.toFixed(0)} ms; drawing took ${(total - api).toFixed(0)} ms)`;
}

async function runsTable(page: Page, key: string) {
  await signIn(page, key);
  const t = await timeTo(page, '#/runs?sort=-createdAt', "document.querySelector('table.runs tbody tr[data-row]:not(.placeholder)') !== null");
  const total = await page.locator('.page-head .sub').innerText();
  console.log(`runs: first rows after ${t} (${total})`);
  // Scroll the table from top to bottom in 120 steps, one per frame, recording frame gaps.
  const r = await page.evaluate(async () => {
    const el = document.querySelector<HTMLElement>('.runs-scroll')!;
    const gaps: number[] = [];
    let maxRows = 0;
    let last = performance.now();
    for (let i = 1; i <= 120; i++) {
      el.scrollTop = (el.scrollHeight * i) / 120;
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      maxRows = Math.max(maxRows, el.querySelectorAll('tbody tr').length);
    }
    gaps.sort((a, b) => a - b);
    return { median: gaps[60], p95: gaps[113], max: gaps[119], maxRows };
  });
  console.log(`runs: scrolling top to bottom, frame gap median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; at most ${r.maxRows} rows in the DOM`);
  const t2 = Date.now();
  await page.waitForFunction("document.querySelectorAll('table.runs tr.placeholder').length === 0", undefined, { timeout: 120_000 });
  console.log(`runs: the last page was on screen ${Date.now() - t2} ms after the scroll reached the bottom (every page before it fetched in order)`);
}

async function main() {
  const profile = mkdtempSync(join(tmpdir(), 'trainyard-perf-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await browser.newPage();
    if (process.env.RUNS_KEY) await runsTable(page, process.env.RUNS_KEY);
    await signIn(page, KEY);
    if (process.env.SEARCH_ID) {
      const t = await timeTo(page, `#/searches/${process.env.SEARCH_ID}`, "(() => { const c = document.querySelector('.board-count'); return c && /[1-9][0-9]* trials/.test(c.textContent) && document.querySelectorAll('.scatter-grid canvas').length > 0; })()");
      console.log(`search: ${await page.locator('.board-count').innerText()} with parallel coordinates, scatters and leaderboard after ${t}`);
    }
    if (process.env.COMPARE_IDS) {
      const n = process.env.COMPARE_IDS.split(',').length;
      const t = await timeTo(page, `#/compare?ids=${process.env.COMPARE_IDS}`, "document.querySelectorAll('.compare-page .uplot canvas').length >= 4 && document.querySelector('table.diff') !== null");
      console.log(`compare: ${n} runs with four charts and the spec diff after ${t}`);
    }
    if (process.env.RUN_ID) {
      const t = await timeTo(page, `#/runs/${process.env.RUN_ID}`, "document.querySelectorAll('.run-charts .uplot canvas').length >= 4 && /^[\\d,]+ points/.test(document.querySelector('.run-charts header .muted')?.textContent ?? '')");
      console.log(`run: ${await page.locator('.run-charts header .muted').innerText()}; charts drawn after ${t}`);
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
