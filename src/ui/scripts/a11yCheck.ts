// Runs axe-core's WCAG 2 A/AA rules (contrast, names, roles, labels) on every page of the tour,
// light and dark, at desktop and phone width; exits non-zero when a page breaks one.
//   BASE_URL=http://127.0.0.1:3112 KEY=ty_... npm run a11y
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, tour, visit } from './pageTour';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; failureSummary: string }[];
}

async function main() {
  const { browser, close } = await launch();
  let failures = 0;
  try {
    for (const stop of await tour()) {
      for (const [width, height] of [
        [1280, 900],
        [390, 844],
      ]) {
        for (const scheme of ['light', 'dark'] as const) {
          const page = await visit(browser, stop, width, height, scheme);
          await page.addScriptTag({ content: axeSource });
          const violations = await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Violation[] }> } }).axe;
            return (await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } })).violations;
          });
          const where = `${stop.name} ${width}px ${scheme}`;
          if (violations.length === 0) console.log(`${where}: no violations`);
          for (const v of violations) {
            failures++;
            console.log(`${where}: ${v.impact} ${v.id}: ${v.help}`);
            for (const n of v.nodes.slice(0, 4)) console.log(`    ${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1, 2).join(' ').trim()}`);
          }
          await page.close();
        }
      }
    }
  } finally {
    await close();
  }
  if (failures) process.exit(1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
