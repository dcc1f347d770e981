// `npm run data:cifar10 [-- --out DIR]`: fetches and verifies CIFAR-10 (binary layout).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { downloadCifar10 } from '../src/dataFiles/downloadCifar10.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'data/cifar10' }, url: { type: 'string' }, md5: { type: 'string' } } });
const outDir = resolve(values.out!);
let last = 0;
try {
  await downloadCifar10({
    outDir,
    url: values.url,
    md5: values.md5,
    onProgress: (got, total) => {
      if (Date.now() - last < 1000) return;
      last = Date.now();
      process.stderr.write(`\r${(got / 1e6).toFixed(1)} MB${total ? ` of ${(total / 1e6).toFixed(1)} MB` : ''}`);
    },
  });
  process.stderr.write('\n');
  console.log(`CIFAR-10 ready in ${outDir}\nexport CIFAR10_DIR=${outDir}`);
} catch (e) {
  console.error(`\ndata:cifar10: ${(e as Error).message}`);
  process.exitCode = 1;
}
