// Prints the gzipped size of every script the dashboard build wrote, and fails the build when
// they add up to more than the budget (150 kB gzipped, counting lazily loaded chunks too).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 150_000;
const dir = new URL('../../../dist/ui/assets/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
let js = 0;
for (const f of files.sort()) {
  const raw = readFileSync(join(dir, f));
  const gz = gzipSync(raw, { level: 9 }).length;
  if (f.endsWith('.js')) js += gz;
  console.log(`${f.padEnd(40)} ${(raw.length / 1000).toFixed(1).padStart(7)} kB  ${(gz / 1000).toFixed(1).padStart(6)} kB gzip`);
}
console.log(`JavaScript total: ${(js / 1000).toFixed(1)} kB gzip (budget ${BUDGET / 1000} kB)`);
if (js > BUDGET) {
  console.error('the dashboard bundle is over its size budget');
  process.exit(1);
}
