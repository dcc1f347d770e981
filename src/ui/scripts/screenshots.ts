// Screenshots of every dashboard page at desktop (1280 px) and phone (390 px) width, light and
// dark, in headless Chromium.
//   npm run screenshots -- [out-dir]                                   its own service, seeded
//   BASE_URL=http://127.0.0.1:3112 KEY=ty_... npm run screenshots -- [out-dir]   a running API
// Without BASE_URL and KEY it starts a private service (its own database on the local Postgres,
// a queue prefix on the local Redis, the API in this process serving dist/ui, one worker), seeds
// it through the public API (test/helpers/screenshotService.ts, run from its build in dist/), and
// tears it all down at the end. Build first (npm ci does): dist/ui is what is shown.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, setTarget, tour, visit } from './pageTour';

const OUT = resolve(process.argv[2] ?? 'out/ui-screenshots');
const VIEWPORTS = [
  { label: '1280', width: 1280, height: 900 },
  { label: '390', width: 390, height: 844 },
];

interface Seeded {
  base: string;
  key: string;
  ids: { oneLayer: string };
  stop: () => Promise<void>;
}

async function ownService(): Promise<Seeded> {
  const helper = fileURLToPath(new URL('../../../dist/test/helpers/screenshotService.js', import.meta.url));
  const ui = fileURLToPath(new URL('../../../dist/ui/index.html', import.meta.url));
  if (!existsSync(helper) || !existsSync(ui)) throw new Error('dist/ is missing or incomplete: run npm run build first (or give BASE_URL and KEY of a running API)');
  const { startSeededService } = (await import(helper)) as { startSeededService: (log: (l: string) => void) => Promise<Seeded> };
  return startSeededService((l) => console.log(`screenshots: ${l}`));
}

async function main() {
  const own = process.env.BASE_URL || process.env.KEY ? null : await ownService();
  if (own) setTarget(own.base, own.key);
  mkdirSync(OUT, { recursive: true });
  const { browser, close } = await launch();
  const files: string[] = [];
  try {
    for (const stop of await tour({ oneLayerRunId: own?.ids.oneLayer })) {
      for (const vp of VIEWPORTS) {
        for (const scheme of ['light', 'dark'] as const) {
          const page = await visit(browser, stop, vp.width, vp.height, scheme);
          const file = resolve(OUT, `${stop.name}-${vp.label}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          files.push(file);
          console.log(file);
          await page.close();
        }
      }
    }
  } finally {
    await close();
    await own?.stop();
  }
  console.log(`screenshots: ${files.length} pages in ${OUT}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
