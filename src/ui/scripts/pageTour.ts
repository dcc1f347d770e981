// The pages a person would visit, in order, with how to tell each is ready: shared by the
// screenshot and accessibility scripts. Ids come from the API unless RUN_ID, SEARCH_ID or
// COMPARE_IDS choose them; ONLY=runs,search limits the tour. The service is BASE_URL and KEY, or
// one set with setTarget (npm run screenshots starts its own when neither is given).
import type { BrowserContext, Page } from 'playwright-core';

export let BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3112';
export let KEY = process.env.KEY ?? '';

export function setTarget(base: string, key: string): void {
  BASE = base;
  KEY = key;
}

export interface Stop {
  name: string;
  hash: string;
  signedIn?: boolean;
  /** Waits for the page's content, and optionally drives it into the state worth showing. */
  prepare?: (page: Page) => Promise<void>;
}

async function api<T>(path: string): Promise<T> {
  const r = await fetch(BASE + path, { headers: { authorization: `Bearer ${KEY}` } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
}

/** `oneLayerRunId`: a one-layer run, shown as its own stop for the W-row images. */
export async function tour(o: { oneLayerRunId?: string } = {}): Promise<Stop[]> {
  if (!KEY) throw new Error('set KEY to an API key of the project to show');
  const { runs } = await api<{ runs: { id: string; status: string; progress: { step: number } }[] }>('/v1/runs?limit=100');
  const withCurves = runs.filter((r) => r.progress.step > 0);
  const runId = process.env.RUN_ID ?? withCurves.find((r) => r.status === 'running')?.id ?? withCurves[0]?.id;
  const { searches } = await api<{ searches: { id: string }[] }>('/v1/searches?limit=1');
  const searchId = process.env.SEARCH_ID ?? searches[0]?.id;
  // Runs worth comparing: the best trials of one search (same base spec, different parameters).
  const best = searchId ? (await api<{ entries: { runId: string }[] }>(`/v1/searches/${searchId}/leaderboard?limit=8`)).entries.map((e) => e.runId) : [];
  const compare = process.env.COMPARE_IDS ?? (best.length > 1 ? best : withCurves.slice(0, 8).map((r) => r.id)).join(',');
  const heading = (name: string) => async (page: Page) => {
    await page.getByRole('heading', { level: 1, name }).first().waitFor();
    await page.waitForTimeout(1500);
  };
  const charts = (selector: string) => async (page: Page) => {
    await page.locator(selector).first().waitFor();
    await page.waitForTimeout(2000);
  };
  const stops: Stop[] = [
    { name: 'sign-in', hash: '', signedIn: false, prepare: heading('Sign in') },
    {
      name: 'runs',
      hash: '#/runs',
      prepare: async (page) => {
        await page.locator('table.runs tbody tr[data-row]:not(.placeholder), .runs-scroll .empty:not(:has-text("Loading"))').first().waitFor();
        await page.waitForTimeout(500);
      },
    },
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
  if (runId) stops.push({ name: 'run', hash: `#/runs/${runId}`, prepare: charts('.uplot canvas') });
  const oneLayer = process.env.ONE_LAYER_RUN_ID ?? o.oneLayerRunId;
  if (oneLayer)
    stops.push({
      name: 'run-one-layer',
      hash: `#/runs/${oneLayer}`,
      prepare: async (page) => {
        await page.locator('.uplot canvas').first().waitFor();
        await page.locator('.weight-rows img').waitFor();
        await page.waitForFunction(() => [...document.images].every((i) => i.complete));
        await page.waitForTimeout(1000);
      },
    });
  if (compare) stops.push({ name: 'compare', hash: `#/compare?ids=${compare}`, prepare: charts('.uplot canvas') });
  if (searchId) stops.push({ name: 'search', hash: `#/searches/${searchId}`, prepare: charts('.scatter-grid canvas') });
  const only = process.env.ONLY?.split(',');
  return only ? stops.filter((s) => only.includes(s.name)) : stops;
}

/** The browser every tour uses. */
export { launchChromium as launch } from './launchChromium.js';

/** A new tab (the key lives in the tab's sessionStorage) at one stop, ready. */
export async function visit(browser: BrowserContext, stop: Stop, width: number, height: number, scheme: 'light' | 'dark'): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme: scheme });
  page.on('pageerror', (e) => console.error(`${stop.name}: page error: ${e.message}`));
  if (stop.signedIn !== false) {
    await page.goto(`${BASE}/#key=${encodeURIComponent(KEY)}`);
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
  }
  await page.goto(`${BASE}/${stop.hash}`);
  await stop.prepare?.(page);
  await page.evaluate(() => scrollTo(0, 0));
  return page;
}
