import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/trainyard.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ty-cli-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, TRAINYARD_BACKEND: 'ts', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function specFile(name: string, spec: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(spec));
  return p;
}

const oneLayer = {
  name: 'cli-one-layer',
  data: { dataset: 'synthetic', trainSize: 300, validationSize: 100, testSize: 100, features: 3072, classes: 10, separation: 3 },
  model: { hidden: [] },
  training: { batchSize: 50, lambda: 0.01, schedule: { kind: 'constant', eta: 0.01, epochs: 3 }, evalsPerEpoch: 2 },
};

test('train --json prints one JSON result last, and writes result.json and the plots', () => {
  const out = join(dir, 'run');
  const r = cli(['train', specFile('one.json', oneLayer), '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const k of ['testAccuracy', 'validationAccuracy', 'trainAccuracy', 'testLoss', 'backend', 'epochs']) assert.ok(k in last, `missing ${k}`);
  assert.equal(last.backend, 'ts');
  assert.equal(last.epochs.length, 3);
  assert.ok(last.epochs.every((e: { trainSeconds: number }) => e.trainSeconds > 0));
  for (const f of ['result.json', 'loss.svg', 'cost.svg', 'accuracy.svg', 'learning-rate.svg', 'weights.png']) assert.ok(existsSync(join(out, f)), `missing ${f}`);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(result.learningRates.length, 18);
  assert.equal(result.spec.name, 'cli-one-layer');
  assert.deepEqual([...readFileSync(join(out, 'weights.png')).subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
});

test('gradcheck --json reports every tensor with both error figures', () => {
  const spec = { ...oneLayer, model: { hidden: [8], batchNorm: 'before' }, precision: 'float64' };
  const r = cli(['gradcheck', specFile('g.json', spec), '--features', '10', '--samples', '6', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.deepEqual(res.tensors.map((t: { name: string }) => t.name), ['W1', 'gamma1', 'beta1', 'W2', 'b2']);
  assert.ok(res.maxRelError < 1e-6);
  for (const t of res.tensors) assert.ok('relError' in t && 'maxElementRelError' in t);
});

test('an invalid spec exits 2 listing every problem with its path', () => {
  const r = cli(['train', specFile('bad.json', { model: { hidden: [-1], batchNorm: 'x' }, training: { batchSize: 0 } })]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /model\.hidden\.0/);
  assert.match(r.stderr, /model\.batchNorm/);
  assert.match(r.stderr, /training\.batchSize/);
});

test('a missing CIFAR-10 folder is a clear error, not a stack trace', () => {
  const r = cli(['train', specFile('c.json', { data: { dataset: 'cifar10' } }), '--data', join(dir, 'nowhere')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /trainyard: .*nowhere/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
});
