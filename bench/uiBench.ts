// `npm run bench:ui`: the dashboard at scale (issue 8). One private migrated database seeded by
// bench/uiBenchSeed.ts (10,000 runs, a 100,000-point run, a 2,000-trial search with pruning),
// the API in-process serving the built dashboard (dist/ui), one worker process, and headless
// Chromium (playwright-core, /usr/bin/chromium) measuring, each inside the page:
//   - first render of the runs table, the run page's charts (100k points), a 20-run compare and
//     the 2,000-trial search page: full loads from navigation start, median over repeats;
//   - scrolling the 10,000-run table end to end: frame gaps by requestAnimationFrame;
//   - live points over SSE: a real run trained by the worker on synthetic data, each point's
//     latency from its stored write time to its bytes reaching the page;
//   - the gzipped JavaScript of the build (src/ui/scripts/bundleSize.mjs).
// Targets: each page < 1 s, SSE latency < 1 s, JS < 150 kB gzip. UI_BENCH_REPEATS (default 5),
// UI_BENCH_SCROLLS (default 3); UI_BENCH_SERVE=1 seeds, prints the ids and serves until Ctrl-C.
// UI_BENCH_BASELINE=DIR (an earlier dist/ui, copied aside before rebuilding): the scrolling is
// measured for both builds, interleaved (this, baseline, this, ...), against the same API and data.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { idleFrameGaps, launchChromium, loadTime, READY, recordStreamedPoints, scrollRunsTable, signIn, spread, streamedPoints, quantile, type LoadTime, type Ready, type ScrollResult } from '../src/ui/scripts/perfMeasures.js';
import { startLocalService } from './serviceHarness.js';
import { seedLongRun, seedRunTable, seedSearch } from './uiBenchSeed.js';
import { cpuDescription } from './cpuDescription.js';

const REPEATS = Number(process.env.UI_BENCH_REPEATS ?? 5);
const SCROLLS = Number(process.env.UI_BENCH_SCROLLS ?? 3);

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const ms = (x: number) => `${x.toFixed(0)} ms`;
const fmt = (xs: number[]) => {
  const s = spread(xs);
  return `${ms(s.median)} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
};
const verdict = (x: number, target: number) => (x < target ? `target < ${target} ms: met` : `target < ${target} ms: NOT met`);

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
}

/** One warm-up load (not counted), then REPEATS counted full loads. */
async function pageLoads(page: Page, base: string, hash: string, ready: Ready): Promise<LoadTime[]> {
  await loadTime(page, base, hash, ready);
  const out: LoadTime[] = [];
  for (let i = 0; i < REPEATS; i++) out.push(await loadTime(page, base, hash, ready));
  return out;
}

function printLoads(label: string, how: string, loads: LoadTime[]): number {
  const total = loads.map((l) => l.total);
  const med = spread(total).median;
  console.log(`| ${label} | ${fmt(total)} | ${fmt(loads.map((l) => l.api))} | ${fmt(loads.map((l) => l.total - l.api))} | ${(spread(loads.map((l) => l.apiBytes)).median / 1000).toFixed(0)} kB | ${verdict(med, 1000)} | ${how} |`);
  return med;
}

// Served beside this build (fastify-static lists dist/ui's files when the API starts).
const BASELINE = process.env.UI_BENCH_BASELINE;
const baselineDir = 'dist/ui/baseline';
if (BASELINE) cpSync(BASELINE, baselineDir, { recursive: true });
const svc = await startLocalService('ui', 0);
const { browser, close } = await launchChromium();
// Ctrl-C or a kill tears the service down (bench/serviceHarness.ts: workers, queues, database);
// playwright closes the browser on the same signals.
try {
  console.log(`# Dashboard at scale (issue 8): npm run bench:ui, ${new Date().toISOString()}`);
  console.log(`CPU: ${cpuDescription()}; load average at start ${load()}; Node ${process.version}; Chromium ${browser.browser()?.version() ?? '?'} headless (--disable-gpu), viewport 1280x900`);
  console.log(`API in-process on ${svc.base} (serving dist/ui), Postgres ${new URL(svc.databaseUrl).pathname.slice(1)} (private, migrated), Redis 127.0.0.1:6379`);

  // Seeding: another project holds the 10,000-run table (so its list is exactly 10,000 runs).
  const table = await svc.store.keys.create('table');
  const [long, tLong] = await timed(() => seedLongRun(svc.databaseUrl, svc.projectId));
  const [search, tSearch] = await timed(() => seedSearch(svc.databaseUrl, svc.store, svc.projectId));
  const [runs, tRuns] = await timed(() => seedRunTable(svc.databaseUrl, table.projectId));
  console.log('\n## Seeded (straight into Postgres, not trained)\n');
  console.log(`- ${runs.runs.toLocaleString()} runs in project "table": SQL in bulk (multi-row INSERTs of 500; specs validated by parseSpec, columns by the store's specColumns), 88 % succeeded with final metrics, failed and cancelled ones, 1-2 tags each; ${runs.compareIds.length} of them with ${runs.pointsPerCompareRun.toLocaleString()}-point histories (INSERT ... SELECT generate_series) for the compare page (${tRuns.toFixed(1)} s)`);
  console.log(`- 1 run with a 100,000-point history and 1,000 epochs (INSERT ... SELECT generate_series) (${tLong.toFixed(1)} s)`);
  console.log(`- search ${search.id}: ${search.trials.toLocaleString()} trials in ${search.stages} coarse-to-fine stages, planned by the real search driver through the store's Postgres SearchStorage (stages, trials, fused groups, refined intervals); synthetic outcomes written by SQL: ${search.rungValues.toLocaleString()} rung values, rungs decided by decideRung (reduction 3), ${search.pruned.toLocaleString()} trials pruned (${tSearch.toFixed(1)} s)`);

  if (process.env.UI_BENCH_SERVE) {
    // For profiling: keep the seeded API up (until SIGINT) instead of measuring.
    console.log(`\nserving: BASE_URL=${svc.base} KEY=${svc.key} RUNS_KEY=${table.key} RUN_ID=${long} SEARCH_ID=${search.id} COMPARE_IDS=${runs.compareIds.join(',')}`);
    await new Promise(() => {});
  }

  // Page loads.
  console.log(`\n## Page loads (median of ${REPEATS} full loads after one warm-up; min–max in brackets)\n`);
  console.log('Each load: about:blank, then the page URL in a signed-in tab; from navigation start to the ready condition holding (checked every animation frame, time read in the page by performance.now()). "API" = until the last /v1 response ended; "drawing" = the rest (script, layout, canvas).\n');
  console.log('| page | ready after | API answered after | drawing | JSON fetched | target | ready when |');
  console.log('|---|---|---|---|---|---|---|');
  const tablePage = await browser.newPage();
  await signIn(tablePage, svc.base, table.key);
  const results: Record<string, number> = {};
  results.runs = printLoads('runs table (10,000 runs)', 'first real row of the table in the DOM', await pageLoads(tablePage, svc.base, '#/runs', READY.runs));
  const benchPage = await browser.newPage();
  await signIn(benchPage, svc.base, svc.key);
  results.run = printLoads('run page (100,000-point run)', 'four uPlot charts drawn and the "N points" note shown', await pageLoads(benchPage, svc.base, `#/runs/${long}`, READY.run));
  results.compare = printLoads(`compare (${runs.compareIds.length} runs)`, 'four charts and the spec diff table', await pageLoads(tablePage, svc.base, `#/compare?ids=${runs.compareIds.join(',')}`, READY.compare));
  results.search = printLoads(`search page (${search.trials.toLocaleString()} trials)`, 'leaderboard count, scatter canvases, parallel coordinates, a rung of the ladder', await pageLoads(benchPage, svc.base, `#/searches/${search.id}`, READY.search));

  // Scrolling: a fling end to end, a steady scroll (a row a frame, as a held arrow key or a
  // quick wheel gives), and the same page doing nothing, which is the floor for both.
  console.log(`\n## Scrolling the 10,000-run table (${SCROLLS} scrolls per speed, each on a fresh load; median, min–max)\n`);
  console.log('scrollTop += N px every animation frame; frame gaps = time between consecutive requestAnimationFrame callbacks; rows are fetched 200 per page, in order, as the view nears them. Idle: the loaded table, not scrolled, 300 frames (a 60 Hz frame clock: gaps of 16.7 ms with jitter either side, so "> 16.7 ms" counts half the frames of an idle page; a dropped frame is a gap over 1.5 intervals).\n');
  const builds = [{ label: '', base: svc.base }, ...(BASELINE ? [{ label: 'baseline build: ', base: `${svc.base}/baseline` }] : [])];
  if (BASELINE) console.log(`Two builds, interleaved load by load: this one, and the baseline from ${BASELINE} (served at /baseline/).\n`);
  const idle = builds.map(() => [] as number[][]);
  for (let i = 0; i < SCROLLS; i++) {
    for (const [b, build] of builds.entries()) {
      await loadTime(tablePage, build.base, '#/runs', READY.runs);
      idle[b].push(await idleFrameGaps(tablePage, 300));
    }
  }
  console.log('| scroll | frames | frame gap median ms | p95 ms | longest ms | frames > 16.7 ms | dropped (gap > 25 ms) | frames > 33 ms | most rows in the DOM | frames showing placeholders | frames showing only row outlines | longest gap of the 30 frames after it stops ms | scroll s | last page real after ms |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [b, build] of builds.entries()) {
    const idleCol = (f: (g: number[]) => number, d = 1) => {
      const s = spread(idle[b].map(f));
      return `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
    };
    console.log(`| ${build.label}idle (not scrolled) | 300 | ${idleCol((g) => quantile(g, 0.5))} | ${idleCol((g) => quantile(g, 0.95))} | ${idleCol((g) => Math.max(...g))} | ${idleCol((g) => g.filter((x) => x > 1000 / 60).length, 0)} | ${idleCol((g) => g.filter((x) => x > 1500 / 60).length, 0)} | ${idleCol((g) => g.filter((x) => x > 2000 / 60).length, 0)} | | | | | | |`);
  }
  for (const [label, px, maxPx] of [['fling: 432 px (12 rows) a frame, 360,000 px end to end', 36 * 12, Infinity], ['steady: 36 px (1 row) a frame, the first 36,000 px', 36, 36_000]] as const) {
    const scrolls = builds.map(() => [] as ScrollResult[]);
    for (let i = 0; i < SCROLLS; i++) {
      for (const [b, build] of builds.entries()) {
        await loadTime(tablePage, build.base, '#/runs', READY.runs);
        scrolls[b].push(await scrollRunsTable(tablePage, px, maxPx));
      }
    }
    for (const [b, build] of builds.entries()) {
      const col = (f: (s: ScrollResult) => number, d = 1) => {
        const s = spread(scrolls[b].map(f));
        return `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
      };
      console.log(`| ${build.label}${label} | ${col((s) => s.frames, 0)} | ${col((s) => s.median)} | ${col((s) => s.p95)} | ${col((s) => s.max)} | ${col((s) => s.over16, 0)} | ${col((s) => s.dropped, 0)} | ${col((s) => s.over33, 0)} | ${col((s) => s.maxRows, 0)} | ${col((s) => s.placeholdersSeen, 0)} | ${col((s) => s.outlineFrames, 0)} | ${col((s) => s.settleMax)} | ${col((s) => s.scrollMs / 1000, 1)} | ${col((s) => s.lastPageMs, 0)} |`);
    }
  }

  // Live points over SSE from a real worker.
  console.log('\n## Live points over SSE (a real run, trained by one worker process on synthetic data)\n');
  await svc.spawnWorker();
  const livePage = await browser.newPage();
  await recordStreamedPoints(livePage);
  await signIn(livePage, svc.base, svc.key);
  const liveSpec = {
    name: 'sse-live',
    data: { dataset: 'synthetic', trainSize: 10000, validationSize: 2000, testSize: 2000, features: 3072, classes: 10 },
    model: { hidden: [50] },
    training: { batchSize: 100, lambda: 0.01, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 500, cycles: 3 }, evalsPerEpoch: 10, evalSamples: 1000 },
    seed: 1,
  };
  const live = await svc.post('/v1/runs', { spec: liveSpec, tags: ['sse'] });
  await livePage.bringToFront();
  await livePage.goto(`${svc.base}/#/runs/${live.id}`);
  await livePage.waitForFunction(() => document.querySelectorAll('.run-charts .uplot canvas').length >= 4, undefined, { timeout: 60_000 });
  for (;;) {
    const r = await svc.get(`/v1/runs/${live.id}`);
    if (['succeeded', 'failed', 'cancelled'].includes(r.status)) {
      if (r.status !== 'succeeded') throw new Error(`the live run ${r.status}: ${r.error ?? ''}\n${svc.workers.map((w) => w.output().slice(-2000)).join('\n')}`);
      break;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  await new Promise((res) => setTimeout(res, 1500));
  const got = await streamedPoints(livePage);
  const written = (
    await svc.db.$queryRawUnsafe<{ step: number; at: number }[]>(
      `SELECT p.step, (extract(epoch FROM r.started_at) + p.seconds) * 1000 AS at FROM metric_points p JOIN runs r ON r.id = p.run_id WHERE p.run_id = $1::uuid ORDER BY p.step`,
      live.id,
    )
  ).map((w) => ({ step: Number(w.step), at: Number(w.at) }));
  const seen = new Map(got.map((g) => [g.step, g.at]));
  const lat = written.filter((w) => seen.has(w.step)).map((w) => seen.get(w.step)! - w.at);
  const runRow = await svc.get(`/v1/runs/${live.id}`);
  const wall = runRow.startedAt && runRow.finishedAt ? (Date.parse(runRow.finishedAt) - Date.parse(runRow.startedAt)) / 1000 : NaN;
  console.log(`Run ${live.id}: synthetic 10,000 x 3072, 3072-50-10, 3,000 updates, a point every 10 (${written.length} points) over ${wall.toFixed(1)} s of training; the page opened the run while it was queued and followed /v1/runs/:id/events.`);
  console.log('Latency = time the point\'s bytes reached the page (fetch body teed in the page, performance.timeOrigin + performance.now()) minus its write time as stored (runs.started_at + metric_points.seconds, both Postgres now() of the writing transaction; same machine clock).\n');
  if (lat.length) {
    const s = spread(lat);
    console.log('| points written | points received by the page | median ms | p95 ms | max ms | min ms | target |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(`| ${written.length} | ${lat.length} | ${s.median.toFixed(0)} | ${quantile(lat, 0.95).toFixed(0)} | ${s.max.toFixed(0)} | ${s.min.toFixed(0)} | ${quantile(lat, 0.95) < 1000 && s.max < 1000 ? 'every point < 1,000 ms: met' : 'p95 or max >= 1,000 ms: NOT met'} |`);
    results.sse = s.max;
  } else {
    console.log(`the page received none of the ${written.length} points`);
  }

  // Bundle.
  console.log('\n## Bundle\n');
  const sizes = execFileSync(process.execPath, ['src/ui/scripts/bundleSize.mjs'], { encoding: 'utf8' });
  const totalLine = sizes.split('\n').find((l) => l.startsWith('JavaScript total')) ?? '?';
  const kb = Number(/([\d.]+) kB gzip/.exec(totalLine)?.[1] ?? NaN);
  console.log(`node src/ui/scripts/bundleSize.mjs (gzip level 9 of every .js in dist/ui/assets, lazily loaded chunks included): ${totalLine} -> ${kb < 150 ? 'met' : 'NOT met'}`);
  console.log(`\nload average at the end: ${load()}`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await close().catch(() => {});
  await svc.stop().catch((e) => console.error('teardown:', (e as Error).message));
  if (BASELINE) rmSync(baselineDir, { recursive: true, force: true });
}
