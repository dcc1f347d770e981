// The benchmarks' command lines: --help prints the file's own usage comment, a wrong option says
// what is wrong and exits 2 (not a stack trace).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { leadingComment } from '../../bench/benchArgs.js';

const distBench = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');

test('leadingComment keeps the // lines a file starts with', () => {
  assert.equal(leadingComment('// `a --b`: one\n//   two\n//\nimport x;\n// not this'), '`a --b`: one\n  two\n');
  assert.equal(leadingComment('import x;\n// later'), '');
});

for (const bench of ['searchBench', 'reproduceSearch', 'profileGroup', 'epochBench']) {
  test(`${bench}: --help prints its usage, a wrong option exits 2 with the problem and the usage`, () => {
    const file = path.join(distBench, `${bench}.js`);
    const help = spawnSync(process.execPath, [file, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^`(npm run|node dist\/bench\/)/, help.stdout);
    const wrong = spawnSync(process.execPath, [file, '--no-such-option'], { encoding: 'utf8' });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /Unknown option '--no-such-option'/);
    assert.ok(wrong.stderr.includes(help.stdout.split('\n')[0]), wrong.stderr);
    assert.doesNotMatch(wrong.stderr, /\n\s+at /, 'no stack trace');
  });
}
