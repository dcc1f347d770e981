// The dashboard end to end: headless Chromium (playwright-core, Debian's chromium) against the
// real API (serving the built dashboard), Postgres, Redis and a real worker process, on
// synthetic data so every run trains in seconds. One person's session, in order: sign in and out,
// a spec with a mistake shown at its path, then fixed and submitted; its progress and curves
// growing live to succeeded; zoom and x axes; compare; a search with successive halving (sort,
// scatters, parallel coordinates, why a trial was pruned, brush, refine into a linked child);
// cancelling a running run while zoomed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, type Browser } from '../helpers/chromium.js';
import { newKey, waitFor } from '../helpers/serviceEnv.js';
import { startTestService, type TestService } from '../helpers/testService.js';

const PROJECT = 'e2e-project';

/** A run of a few seconds: 5,000 samples of 3,072 features, `epochs` epochs of 100 steps. */
function liveSpec(name: string, epochs: number, lambda = 0.001) {
  return {
    name,
    data: { dataset: 'synthetic', trainSize: 5000, validationSize: 500, testSize: 500, features: 3072, classes: 10, separation: 1.5 },
    model: { hidden: [64] },
    training: { batchSize: 50, lambda, schedule: { kind: 'constant', eta: 0.02, epochs }, evalsPerEpoch: 4 },
    seed: 1,
  };
}

/** A quick run (well under a second). */
function quickSpec(name: string, lambda: number) {
  return {
    name,
    data: { dataset: 'synthetic', trainSize: 400, validationSize: 200, testSize: 200, features: 64, classes: 4, separation: 2 },
    model: { hidden: [16] },
    training: { batchSize: 20, lambda, schedule: { kind: 'constant', eta: 0.05, epochs: 4 }, evalsPerEpoch: 4 },
    seed: 2,
  };
}

/** Eight trials that differ in λ and η (so they train fused), halved at the end of the first cycle. */
const SEARCH = {
  name: 'e2e-search',
  base: {
    data: { dataset: 'synthetic', trainSize: 600, validationSize: 200, testSize: 200, features: 64, classes: 4, separation: 2 },
    model: { hidden: [16] },
    training: { batchSize: 20, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 30, cycles: 2 }, evalsPerEpoch: 2 },
    seed: 3,
  },
  space: { lambda: { logUniform: [-5, -1] }, etaMax: { values: [0.01, 0.05, 0.1] } },
  strategy: { kind: 'random', trials: 8, seed: 4 },
  pruning: { kind: 'successiveHalving', reduction: 2 },
};

const LIVE_EPOCHS = 30;

interface XRange {
  min: number;
  max: number;
}

async function xRange(figure: Locator): Promise<XRange> {
  const [min, max] = await Promise.all([figure.getAttribute('data-x-min'), figure.getAttribute('data-x-max')]);
  return { min: Number(min), max: Number(max) };
}

/** Drags across a uPlot chart's plot area from fraction `a` to fraction `b` of its width. */
async function dragAcross(page: Page, figure: Locator, a: number, b: number) {
  const over = figure.locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * a, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((a + b) / 2), y, { steps: 4 });
  await page.mouse.move(box.x + box.width * b, y, { steps: 4 });
  await page.mouse.up();
}

/** The number of points the run's Curves card says it holds. */
async function pointsShown(page: Page): Promise<number> {
  const note = await page.locator('.run-charts header .small-note').textContent();
  if (!note || note.includes('no points')) return 0;
  return Number(note.match(/^([\d,]+) points/)![1].replace(/,/g, ''));
}

describe('the dashboard, end to end in Chromium', { skip: !chromiumAvailable() && !process.env.CI ? 'no /usr/bin/chromium' : false, timeout: 240_000 }, () => {
  let svc: TestService;
  let browser: Browser;
  let page: Page;
  let key: string;
  let base: string;
  const runIds: Record<string, string> = {};

  const api = async (path: string) => {
    const r = await svc.api.get(path, key);
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return r.body;
  };
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const badge = () => page.locator('.page-head .badge');

  before(async () => {
    svc = await startTestService('e2e', { workerEnv: { TRAINYARD_THREADS: '1' } });
    key = await newKey(svc.t.store, PROJECT);
    base = `http://127.0.0.1:${(svc.app.server.address() as { port: number }).port}`;
    svc.spawnWorker();
    // A second run to compare with, trained while the browser starts.
    const r = await svc.api.post('/v1/runs', key, { spec: quickSpec('e2e-baseline', 0.01), tags: ['e2e'] });
    assert.equal(r.status, 202, r.text);
    runIds.baseline = r.body.id;
    [browser] = await Promise.all([launchChromium(), svc.waitWorkers(1)]);
    page = await browser.newPage();
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    if (browser) await browser.close();
    if (svc) await svc.stop();
  });

  it('signs in with an API key, refuses a wrong one, and signs out', async () => {
    await page.goto(`${base}/`);
    await heading('Sign in').waitFor();
    const field = page.getByLabel('API key');
    await field.fill('ty_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That key was not accepted' }).waitFor();
    await heading('Sign in').waitFor();

    await field.fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Runs').waitFor();
    assert.equal((await page.locator('.topbar .project').textContent())?.trim(), PROJECT);
    // The baseline run is listed once the worker has it.
    await page.getByRole('table', { name: 'Runs' }).getByRole('link', { name: 'e2e-baseline' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    // The key is forgotten, not just hidden: a reload asks again.
    await page.reload();
    await heading('Sign in').waitFor();
    assert.equal(await page.getByRole('heading', { level: 1, name: 'Runs' }).count(), 0);

    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Runs').waitFor();
  });

  it('shows a spec mistake inline at its path, then submits the fix and follows it live to succeeded', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Submit' }).click();
    await heading('Submit').waitFor();
    const editor = page.getByRole('textbox', { name: 'Spec (JSON)' });
    const wrong = JSON.stringify(liveSpec('e2e-live', LIVE_EPOCHS), null, 2).replace('"lambda": 0.001', '"lambda": -1');
    await editor.fill(wrong);
    await page.getByRole('button', { name: 'Submit run' }).click();
    await page.getByRole('alert').filter({ hasText: 'The API rejected the run: 1 problem, marked below.' }).waitFor();
    // In the list: the path; in the editor: the field marked, its line flagged and the message at the line's end.
    const problems = page.getByRole('list', { name: 'Problems' });
    await problems.getByText('spec.training.lambda').waitFor();
    const line = wrong.split('\n').findIndex((l) => l.includes('"lambda": -1')) + 1;
    assert.ok(line > 0);
    assert.match((await problems.textContent()) ?? '', new RegExp(`line ${line}`));
    assert.deepEqual(await page.locator('.json-editor .gutter .flag').allTextContents(), [String(line)]);
    const codeLines = ((await page.locator('.json-editor pre.code').textContent()) ?? '').split('\n');
    assert.match(codeLines[line - 1], /"lambda": -1,\s+← Too small.+/);
    assert.equal(codeLines.filter((l) => l.includes('←')).length, 1, 'only the wrong field carries a note');
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');

    await editor.fill(wrong.replace('"lambda": -1', '"lambda": 0.001'));
    await page.getByRole('button', { name: 'Submit run' }).click();
    await page.waitForURL(/#\/runs\/[0-9a-f-]{36}$/);
    runIds.live = page.url().split('/').pop()!;
    await heading('e2e-live').waitFor();

    // Watch it: progress and the points held grow while it runs, pushed by the server (no reload).
    const seen: { status: string; points: number; progress: number }[] = [];
    let marker = await page.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = Math.random()));
    await waitFor(
      'the live run to succeed on the page',
      async () => {
        const status = (await badge().first().textContent())?.trim() ?? '';
        const bar = page.getByRole('progressbar', { name: 'Training progress' });
        const progress = (await bar.count()) ? Number(await bar.getAttribute('aria-valuenow')) : -1;
        seen.push({ status, points: await pointsShown(page), progress });
        return status === 'succeeded';
      },
      90_000,
      150,
    );
    assert.equal(await page.evaluate(() => (window as unknown as { e2eMarker: number }).e2eMarker), marker, 'the page was not reloaded');
    const running = seen.filter((s) => s.status === 'running' && s.points > 0);
    assert.ok(new Set(running.map((s) => s.points)).size >= 2, `points grew while running: ${JSON.stringify(seen)}`);
    assert.ok(new Set(running.map((s) => s.progress)).size >= 2, `progress moved while running: ${JSON.stringify(seen)}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].points >= seen[i - 1].points, 'points never go back');
    // Every point the server holds arrived, none twice.
    const stored = await api(`/v1/runs/${runIds.live}/metrics?maxPoints=10000`);
    await waitFor('the final points on the page', async () => (await pointsShown(page)) === stored.points.length, 10_000);
    assert.ok(stored.points.length >= LIVE_EPOCHS * 4, `${stored.points.length} points stored`);
    const final = page.getByRole('region', { name: 'Final metrics' });
    await final.getByText(/validation/i).first().waitFor();
    assert.match((await final.textContent()) ?? '', /\d+(\.\d+)?\s?%/);
    marker = 0;
  });

  it('zooms the curves by dragging, resets, and switches the x axis between step, epoch and wall time', async () => {
    const loss = page.getByRole('figure', { name: 'Loss (cross-entropy) by step' });
    const accuracy = page.getByRole('figure', { name: 'Accuracy by step' });
    await loss.locator('canvas').waitFor();
    const full = await xRange(loss);
    const steps = LIVE_EPOCHS * 100;
    assert.ok(full.max >= steps * 0.95 && full.max <= steps, `full x range ${JSON.stringify(full)}`);

    await dragAcross(page, loss, 0.2, 0.6);
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor();
    const zoomed = await waitFor('the charts to zoom', async () => {
      const r = await xRange(loss);
      return r.max < full.max ? r : null;
    }, 5_000);
    assert.ok(zoomed.min > full.min + steps * 0.1 && zoomed.max < full.max - steps * 0.2, `zoomed ${JSON.stringify(zoomed)} of ${JSON.stringify(full)}`);
    // Every chart follows the zoom.
    assert.deepEqual(await xRange(accuracy), zoomed);
    await page.getByRole('status').filter({ hasText: /^Zoomed/ }).waitFor();

    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await waitFor('the zoom to reset', async () => (await xRange(loss)).max === full.max && (await xRange(loss)).min === full.min, 5_000);

    await page.getByRole('radio', { name: 'Epoch' }).check();
    const byEpoch = page.getByRole('figure', { name: 'Loss (cross-entropy) by epoch' });
    await byEpoch.locator('canvas').waitFor();
    // The label changes in the render, the chart (and its mirrored range) in the effect after it.
    const epochs = await waitFor('the x axis to count epochs', async () => {
      const r = await xRange(byEpoch);
      return Math.abs(r.max - LIVE_EPOCHS) < 0.5 && r.min < 1 ? r : null;
    }, 5_000);

    await page.getByRole('radio', { name: 'Wall time' }).check();
    const byTime = page.getByRole('figure', { name: 'Loss (cross-entropy) by seconds' });
    await byTime.locator('canvas').waitFor();
    const run = await api(`/v1/runs/${runIds.live}`);
    const took = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
    const seconds = await xRange(byTime);
    assert.ok(seconds.max > 0 && seconds.max <= took + 1, `wall-time range ${JSON.stringify(seconds)}, the run took ${took} s`);
    assert.notEqual(seconds.max, epochs.max);
  });

  it('compares two runs selected on the runs page', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Runs' }).click();
    await heading('Runs').waitFor();
    const table = page.getByRole('table', { name: 'Runs' });
    await table.getByRole('checkbox', { name: 'Select e2e-live' }).check();
    await table.getByRole('checkbox', { name: 'Select e2e-baseline' }).check();
    await page.getByRole('link', { name: 'Compare (2)' }).click();
    await heading('Compare').waitFor();
    await page.getByText('2 runs', { exact: true }).waitFor();
    const legend = page.getByRole('list', { name: 'Runs compared' });
    await legend.getByRole('link').nth(1).waitFor();
    assert.deepEqual((await legend.getByRole('link').allTextContents()).sort(), ['e2e-baseline', 'e2e-live']);
    await page.locator('.compare-page .uplot canvas').first().waitFor();
    // The spec fields that differ, and not those that agree.
    const diff = page.getByRole('table', { name: 'Spec differences' });
    const diffText = (await diff.textContent()) ?? '';
    assert.match(diffText, /lambda/);
    assert.match(diffText, /features/);
    assert.doesNotMatch(diffText, /dataset/);
  });

  it('runs a search with successive halving: leaderboard sort, scatters, parallel coordinates, why pruned, refine into a linked child', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Submit' }).click();
    const editor = page.getByRole('textbox', { name: 'Spec (JSON)' });
    await editor.fill(JSON.stringify(SEARCH, null, 2));
    await page.getByRole('button', { name: 'Start search' }).click();
    await page.waitForURL(/#\/searches\/[0-9a-f-]{36}$/);
    const searchId = page.url().split('/').pop()!;
    await heading('e2e-search').waitFor();
    await page.locator('.page-head .badge', { hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
    const search = await api(`/v1/searches/${searchId}`);
    assert.equal(search.counts.total, 8);
    assert.ok(search.counts.pruned >= 1, `pruned ${search.counts.pruned}`);

    // Leaderboard: every trial, sortable.
    const board = page.getByRole('table', { name: 'Leaderboard' });
    await page.getByText('8 trials', { exact: true }).waitFor();
    const lambdaHeader = board.getByRole('columnheader', { name: /^lambda/ });
    const headers = await board.getByRole('columnheader').allTextContents();
    const col = headers.findIndex((h) => h.startsWith('lambda'));
    const lambdas = async () => (await board.locator(`tbody tr:not(.spacer) td:nth-child(${col + 1})`).allTextContents()).map(Number);
    await lambdaHeader.getByRole('button').click();
    await board.locator('th[aria-sort="descending"]', { hasText: 'lambda' }).waitFor();
    const desc = await lambdas();
    assert.equal(desc.length, 8);
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    await lambdaHeader.getByRole('button').click();
    await board.locator('th[aria-sort="ascending"]', { hasText: 'lambda' }).waitFor();
    assert.deepEqual(await lambdas(), [...desc].reverse());

    // A scatter per parameter, pruned trials shown or hidden.
    const scatter = page.getByRole('figure', { name: /against lambda, \d+ trials$/ });
    await scatter.locator('canvas').waitFor();
    assert.match((await scatter.getAttribute('aria-label'))!, /against lambda, 8 trials$/);
    await page.getByRole('figure', { name: /against etaMax, 8 trials$/ }).waitFor();
    await page.getByRole('checkbox', { name: /Show pruned trials/ }).uncheck();
    await page.getByRole('figure', { name: new RegExp(`against lambda, ${8 - search.counts.pruned} trials$`) }).waitFor();
    await page.getByRole('checkbox', { name: /Show pruned trials/ }).check();

    // Why each pruned trial was pruned, in one sentence.
    const why = page.locator('.ladder ul.why li');
    await why.first().waitFor();
    const sentences = await why.allTextContents();
    assert.equal(sentences.length, Math.min(4, search.counts.pruned));
    for (const s of sentences) assert.match(s, /^Trial 0·\d+: at rung \d+ \(cycle 1\) its validation accuracy [\d.]+ was (below|not among) .*cut-off [\d.]+.*\.$/);

    // Parallel coordinates: brush the λ axis (the first), the leaderboard keeps what is inside.
    const pc = page.getByRole('img', { name: /^Parallel coordinates of 8 trials over lambda, etaMax/ });
    await pc.scrollIntoViewIfNeeded();
    const box = (await pc.boundingBox())!;
    const plotH = 340 - 44 - 24;
    await page.mouse.move(box.x + 56, box.y + 44 + plotH * 0.05);
    await page.mouse.down();
    await page.mouse.move(box.x + 56, box.y + 44 + plotH * 0.3, { steps: 4 });
    await page.mouse.move(box.x + 56, box.y + 44 + plotH * 0.55, { steps: 4 });
    await page.mouse.up();
    const count = page.getByText(/^\d+ of 8 trials inside the brushed ranges$/);
    await count.waitFor();
    const kept = Number(((await count.textContent()) ?? '').split(' ')[0]);
    assert.ok(kept >= 1 && kept < 8, `kept ${kept}`);
    const from = Number(await page.getByLabel('lambda from').inputValue());
    const to = Number(await page.getByLabel('lambda to').inputValue());
    assert.ok(from > 1e-5 && to < 0.1 && from < to, `brushed λ ${from} … ${to}`);
    for (const v of await lambdas()) assert.ok(v >= from * 0.999 && v <= to * 1.001, `λ ${v} outside ${from} … ${to}`);

    // Refine from the selection: a child search over the brushed range, linked both ways.
    await page.getByRole('button', { name: 'Refine from selection' }).click();
    const dialog = page.getByRole('dialog', { name: 'Refine from selection' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /lambda: log-uniform/);
    await dialog.getByRole('button', { name: 'Start child search' }).click();
    await page.waitForURL((u) => /#\/searches\/[0-9a-f-]{36}$/.test(u.toString()) && !u.toString().endsWith(searchId));
    const childId = page.url().split('/').pop()!;
    await heading('e2e-search (refined)').waitFor();
    const family = page.locator('.family');
    await family.getByRole('link', { name: 'e2e-search' }).waitFor();
    assert.match((await family.textContent()) ?? '', /^Refined from e2e-search\./);
    const child = await api(`/v1/searches/${childId}`);
    assert.equal(child.parentSearchId, searchId);
    const [lo, hi] = child.spec.space.lambda.logUniform;
    assert.ok(Math.abs(10 ** lo - from) / from < 0.01 && Math.abs(10 ** hi - to) / to < 0.01, `child λ ${10 ** lo} … ${10 ** hi}, brushed ${from} … ${to}`);
    // The child is not needed further: cancel it (from its page) so the worker is free. It is
    // small and can finish first, at either end of the click (CI saw both): before the page hears
    // of it the request is answered 409, and the page must show the finished state and say why
    // nothing was cancelled; once the page knows, the button is gone and no request is sent.
    const cancelled = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/v1/searches/${childId}/cancel`)).catch(() => null);
    const finishedBadge = page.locator('.page-head .badge', { hasText: /succeeded|failed/ });
    const clickedAt = Date.now();
    await page
      .getByRole('button', { name: 'Cancel search' })
      .click({ timeout: 10_000 })
      .catch(async (e) => assert.ok(await finishedBadge.isVisible(), `no Cancel search button while the child is not finished: ${e}`));
    const answer = await Promise.race([cancelled, finishedBadge.waitFor({ timeout: 30_000 }).then(() => 'finished' as const)]);
    if (answer === 'finished' || answer === null) {
      // No request: only right if the child had finished by the click (a dead button would not be).
      const done = await api(`/v1/searches/${childId}`);
      assert.ok(['succeeded', 'failed'].includes(done.status), done.status);
      assert.ok(Date.parse(done.finishedAt) <= clickedAt + 500, `the child finished ${Date.parse(done.finishedAt) - clickedAt} ms after the click, yet no cancel request was sent`);
      assert.equal(await page.getByRole('button', { name: 'Cancel search' }).count(), 0);
    } else if (answer.ok()) {
      await page.locator('.page-head .badge', { hasText: /cancel/ }).waitFor();
    } else {
      assert.equal(answer.status(), 409, `cancel answered ${answer.status()}`);
      await page.getByRole('alert').filter({ hasText: /already (succeeded|failed)/ }).waitFor();
      await finishedBadge.waitFor();
      assert.equal(await page.getByRole('button', { name: 'Cancel search' }).count(), 0);
    }
    await family.getByRole('link', { name: 'e2e-search' }).click();
    await heading('e2e-search').waitFor();
    await page.locator('.family').getByRole('link', { name: 'e2e-search (refined)' }).waitFor();
    assert.match((await page.locator('.family').textContent()) ?? '', /Refined into: e2e-search \(refined\)\./);
    await waitFor('the child search to stop', async () => ['cancelled', 'succeeded', 'failed'].includes((await api(`/v1/searches/${childId}`)).status), 60_000, 250);
  });

  it('keeps a zoom while live points arrive, and cancels a running run', async () => {
    const r = await svc.api.post('/v1/runs', key, { spec: liveSpec('e2e-long', 1000) });
    assert.equal(r.status, 202, r.text);
    await page.goto(`${base}/#/runs/${r.body.id}`);
    await heading('e2e-long').waitFor();
    await page.getByRole('progressbar', { name: 'Training progress' }).waitFor({ timeout: 60_000 });
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor();
    await waitFor('points on the page', async () => (await pointsShown(page)) >= 12, 30_000);

    const loss = page.getByRole('figure', { name: 'Loss (cross-entropy) by step' });
    await dragAcross(page, loss, 0.3, 0.7);
    await page.getByRole('button', { name: 'Reset zoom' }).waitFor();
    // The points (and so the unzoomed range) keep growing meanwhile: a zoom starts past step 0.
    const zoomed = await waitFor('the charts to zoom', async () => {
      const r = await xRange(loss);
      return r.min > 0 && r.max > r.min ? r : null;
    }, 5_000);
    const before = await pointsShown(page);
    await waitFor('more live points', async () => (await pointsShown(page)) >= before + 8, 30_000);
    assert.deepEqual(await xRange(loss), zoomed, 'the zoom survives live points');

    await page.getByRole('button', { name: 'Cancel e2e-long' }).click();
    await page.getByRole('button', { name: 'Confirm: cancel e2e-long' }).click();
    await page.locator('.page-head .badge', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    await page.getByRole('progressbar', { name: 'Training progress' }).waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: /^Cancel e2e-long/ }).count(), 0);
    const run = await api(`/v1/runs/${r.body.id}`);
    assert.equal(run.status, 'cancelled');
    assert.ok(run.progress.step > 0 && run.progress.step < 1000 * 100);
    assert.deepEqual(browser.errors, []);
  });
});
