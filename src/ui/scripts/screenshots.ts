// Screenshots of every dashboard page at desktop (1280 px) and phone (390 px) width, light and
// dark, in headless Chromium, against a running API that serves the dashboard.
//   BASE_URL=http://127.0.0.1:3112 KEY=ty_... npx tsx src/ui/scripts/screenshots.ts [out-dir]
// Pages needing ids take them from the API: the newest running (else newest) run with curves, the
// newest search, and its eight best trials to compare. Set RUN_ID, SEARCH_ID or COMPARE_IDS.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3112';
const KEY = process.env.KEY ?? '';
const OUT = process.argv[2] ?? 'out/ui-screenshots';
const ONLY = process.env.ONLY?.split(',');
if (!KEY) throw new Error('set KEY to an API key of the project to show');

async function api<T>(path: string): Promise<T> {
  const r = await fetch(BASE + path, { headers: { authorization: `Bearer ${KEY}` } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
}

interface Shot {
  name: string;
  hash: string;
  signedIn?: boolean;
  /** Waits for the page's content, and optionally drives it into the state worth showing. */
  prepare?: (page: Page) => Promise<void>;
}

async function shots(): Promise<Shot[]> {
  const { runs } = await api<{ runs: { id: string; status: string; progress: { step: number } }[] }>('/v1/runs?limit=100');
  const withCurves = runs.filter((r) => r.progress.step > 0);
  const runId = process.env.RUN_ID ?? withCurves.find((r) => r.status === 'running')?.id ?? withCurves[0]?.id;
  const { searches } = await api<{ searches: { id: string }[] }>('/v1/searches?limit=1');
  const searchId = process.env.SEARCH_ID ?? searches[0]?.id;
  // Runs worth comparing: the best trials of one search (same base spec, different parameters).
  const best = searchId ? (await api<{ entries: { runId: string; status: string }[] }>(`/v1/searches/${searchId}/leaderboard?limit=8`)).entries.map((e) => e.runId) : [];
  const compare = process.env.COMPARE_IDS ?? (best.length > 1 ? best : withCurves.filter((r) => r.status === 'succeeded').slice(0, 8).map((r) => r.id)).join(',');
  const heading = (name: string) => async (page: Page) => {
    await page.getByRole('heading', { level: 1, name }).first().waitFor();
    await page.waitForTimeout(1500);
  };
  const list: Shot[] = [
    { name: 'sign-in', hash: '', signedIn: false, prepare: heading('Sign in') },
    { name: 'runs', hash: '#/runs', prepare: heading('Runs') },
    {
      name: 'submit-problems',
      hash: '#/submit?example=two-layer-cyclic.json',
      prepare: async (page) => {
        await page.getByRole('heading', { level: 1, name: 'Submit' }).waitFor();
        const editor = page.getByRole('textbox', { name: 'Spec (JSON)' });
        const text = (await editor.inputValue()).replace('"lambda": 0.01', '"lambda": -1').replace('"batchSize": 100', '"batchSize": 0');
        await editor.fill(text);
        await page.getByRole('button', { name: 'Submit run' }).click();
        await page.getByText('Too small', { exact: false }).first().waitFor();
      },
    },
    { name: 'searches', hash: '#/searches', prepare: heading('Searches') },
  ];
  if (runId) list.push({ name: 'run', hash: `#/runs/${runId}`, prepare: async (p) => (await p.locator('.uplot canvas').first().waitFor(), await p.waitForTimeout(2000)) });
  if (compare) list.push({ name: 'compare', hash: `#/compare?ids=${compare}`, prepare: async (p) => (await p.locator('.uplot canvas').first().waitFor(), await p.waitForTimeout(1500)) });
  if (searchId) list.push({ name: 'search', hash: `#/searches/${searchId}`, prepare: async (p) => (await p.locator('canvas').first().waitFor(), await p.waitForTimeout(2000)) });
  return ONLY ? list.filter((s) => ONLY.includes(s.name)) : list;
}

const VIEWPORTS = [
  { label: '1280', width: 1280, height: 900 },
  { label: '390', width: 390, height: 844 },
];

async function main() {
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'trainyard-shots-'));
  // A fresh profile; each shot gets its own tab (the key lives in the tab's sessionStorage).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    deviceScaleFactor: 1,
  });
  try {
    for (const shot of await shots()) {
      for (const vp of VIEWPORTS) {
        for (const scheme of ['light', 'dark'] as const) {
          const page = await browser.newPage();
          await page.setViewportSize({ width: vp.width, height: vp.height });
          await page.emulateMedia({ colorScheme: scheme });
          page.on('pageerror', (e) => console.error(`${shot.name}: page error: ${e.message}`));
          if (shot.signedIn !== false) {
            await page.goto(`${BASE}/#key=${encodeURIComponent(KEY)}`);
            await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
          }
          await page.goto(`${BASE}/${shot.hash}`);
          await shot.prepare?.(page);
          await page.evaluate(() => scrollTo(0, 0));
          const file = join(OUT, `${shot.name}-${vp.label}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(file);
          await page.close();
        }
      }
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
