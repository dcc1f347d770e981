// Screenshots of every dashboard page at desktop (1280 px) and phone (390 px) width, light and
// dark, in headless Chromium, against a running API that serves the dashboard.
//   BASE_URL=http://127.0.0.1:3112 KEY=ty_... npm run screenshots -- [out-dir]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, tour, visit } from './pageTour';

const OUT = process.argv[2] ?? 'out/ui-screenshots';
const VIEWPORTS = [
  { label: '1280', width: 1280, height: 900 },
  { label: '390', width: 390, height: 844 },
];

async function main() {
  mkdirSync(OUT, { recursive: true });
  const { browser, close } = await launch();
  try {
    for (const stop of await tour()) {
      for (const vp of VIEWPORTS) {
        for (const scheme of ['light', 'dark'] as const) {
          const page = await visit(browser, stop, vp.width, vp.height, scheme);
          const file = join(OUT, `${stop.name}-${vp.label}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          console.log(file);
          await page.close();
        }
      }
    }
  } finally {
    await close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
