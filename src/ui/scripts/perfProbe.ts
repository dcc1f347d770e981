// Measures the dashboard at scale in headless Chromium against a running API: the runs table
// (first rows, then frame times while scrolling it end to end), a search page, a compare page
// and a long run history. Prints what it measured; it asserts nothing. The measurements are
// perfMeasures.ts, shared with `npm run bench:ui` (which seeds its own API and prints medians).
//   BASE_URL=... KEY=... RUNS_KEY=... SEARCH_ID=... COMPARE_IDS=... RUN_ID=... npx tsx src/ui/scripts/perfProbe.ts
import { launchChromium, loadTime, READY, scrollRunsTable, signIn, type LoadTime } from './perfMeasures';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3112';
const KEY = process.env.KEY ?? '';

const said = (t: LoadTime) => `${t.total.toFixed(0)} ms (the API answered after ${t.api.toFixed(0)} ms; drawing took ${(t.total - t.api).toFixed(0)} ms)`;

async function main() {
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage();
    if (process.env.RUNS_KEY) {
      await signIn(page, BASE, process.env.RUNS_KEY);
      const t = await loadTime(page, BASE, '#/runs?sort=-createdAt', READY.runs);
      console.log(`runs: first rows after ${said(t)} (${await page.locator('.page-head .sub').innerText()})`);
      const r = await scrollRunsTable(page, 36 * 12);
      console.log(
        `runs: scrolling top to bottom (${r.frames} frames), frame gap median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, ` +
          `${r.over16} frames > 16.7 ms, ${r.over33} > 33 ms; at most ${r.maxRows} rows in the DOM; the last page was real ${r.lastPageMs} ms after the bottom`,
      );
    }
    await signIn(page, BASE, KEY);
    if (process.env.SEARCH_ID) {
      const t = await loadTime(page, BASE, `#/searches/${process.env.SEARCH_ID}`, READY.search);
      console.log(`search: ${await page.locator('.board-count').innerText()} with parallel coordinates, scatters, leaderboard and rungs after ${said(t)}`);
    }
    if (process.env.COMPARE_IDS) {
      const t = await loadTime(page, BASE, `#/compare?ids=${process.env.COMPARE_IDS}`, READY.compare);
      console.log(`compare: ${process.env.COMPARE_IDS.split(',').length} runs with four charts and the spec diff after ${said(t)}`);
    }
    if (process.env.RUN_ID) {
      const t = await loadTime(page, BASE, `#/runs/${process.env.RUN_ID}`, READY.run);
      console.log(`run: ${await page.locator('.run-charts header .muted').innerText()}; charts drawn after ${said(t)}`);
    }
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
