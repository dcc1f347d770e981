import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSyntheticSplits } from '../../../src/core/data/synthetic.js';
import { tsKernels } from '../../../src/core/kernels/tsKernels.js';
import { createTraining } from '../../../src/core/training/training.js';
import { createTrainingGroup, fusionKey } from '../../../src/core/training/trainingGroup.js';
import type { TrainingResult } from '../../../src/core/training/metrics.js';
import { parseSpec, type ExperimentSpec } from '../../../src/experiment/experimentSpec.js';

const DATA = { dataset: 'synthetic', trainSize: 300, validationSize: 80, testSize: 80, features: 96, classes: 4, separation: 2 } as const;

function spec(over: { lambda: number; etaMax: number; momentum: number; seed: number; precision?: string; batchNorm?: string; hidden?: number[] }): ExperimentSpec {
  const r = parseSpec({
    data: DATA,
    model: { hidden: over.hidden ?? [16, 8], batchNorm: over.batchNorm ?? 'before' },
    training: {
      batchSize: 25,
      lambda: over.lambda,
      momentum: over.momentum,
      augment: { noise: 0.1 },
      schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: over.etaMax, stepSize: 12, cycles: 2 },
      evalsPerEpoch: 3,
    },
    precision: over.precision ?? 'float64',
    seed: over.seed,
    dataSeed: 42,
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.spec;
}

const data = () => makeSyntheticSplits(DATA as never, 5);

function drain<R>(gen: Generator<unknown, R, void>): R {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

function close(a: number, b: number, tol: number, what: string) {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} vs ${b}`);
}

function assertSameRun(fusedRun: TrainingResult, alone: TrainingResult, tol: number) {
  assert.equal(fusedRun.steps, alone.steps);
  assert.equal(fusedRun.points.length, alone.points.length);
  fusedRun.points.forEach((p, i) => {
    const q = alone.points[i];
    assert.equal(p.step, q.step);
    for (const split of ['train', 'validation'] as const) {
      close(p[split].loss, q[split].loss, tol, `point ${i} ${split} loss`);
      close(p[split].cost, q[split].cost, tol, `point ${i} ${split} cost`);
    }
  });
  for (const split of ['train', 'validation', 'test'] as const) {
    close(fusedRun[split].loss, alone[split].loss, tol, `final ${split} loss`);
    close(fusedRun[split].accuracy, alone[split].accuracy, tol, `final ${split} accuracy`);
  }
}

const variants = [
  { lambda: 0.001, etaMax: 0.05, momentum: 0, seed: 1 },
  { lambda: 0.01, etaMax: 0.1, momentum: 0.9, seed: 2 },
  { lambda: 0, etaMax: 0.02, momentum: 0.5, seed: 3 },
];

for (const [precision, tol] of [['float64', 1e-9], ['float32', 2e-4]] as const) {
  for (const batchNorm of ['before', 'none']) {
    test(`fused trials equal trials trained alone (${precision}, batch norm ${batchNorm})`, () => {
      const specs = variants.map((v) => spec({ ...v, precision, batchNorm }));
      const d = data();
      const fused = drain(createTrainingGroup({ specs, data: d, kernels: tsKernels }).run());
      specs.forEach((s, t) => assertSameRun(fused[t], drain(createTraining({ spec: s, data: d, kernels: tsKernels }).run()), tol));
      assert.notEqual(fused[0].test.loss, fused[1].test.loss, 'trials must actually differ');
    });
  }
}

/** The variants trained whole as one group, and a second identical group started, to interrupt. */
function wholeAndStarted() {
  const specs = variants.map((v) => spec(v));
  const d = data();
  const whole = drain(createTrainingGroup({ specs, data: d, kernels: tsKernels }).run());
  const g = createTrainingGroup({ specs, data: d, kernels: tsKernels });
  return { specs, d, whole, g, gen: g.run() };
}

test('a fused group resumes from per-trial checkpoints, and a trial checkpoint resumes alone', () => {
  const { specs, d, whole, g, gen } = wholeAndStarted();
  while (g.stepsDone() < 17) gen.next();
  const saved = specs.map((_, t) => g.checkpoint(t));
  const resumed = drain(createTrainingGroup({ specs, data: d, kernels: tsKernels, resumeFrom: saved }).run());
  resumed.forEach((r, t) => assertSameRun(r, whole[t], 1e-12));
  const alone = drain(createTraining({ spec: specs[1], data: d, kernels: tsKernels, resumeFrom: saved[1] }).run());
  assertSameRun(alone, whole[1], 1e-9);
});

test('a group checkpoint taken between trials\' epoch events hands the rest out after resume', () => {
  const { specs, d, whole, g, gen } = wholeAndStarted();
  // Stop after trial 0's epoch summary at the end of epoch 1, before trials 1 and 2 get theirs.
  for (;;) {
    const e = gen.next().value as { kind: string; trial?: number };
    if (e.kind === 'epoch' && e.trial === 0) break;
  }
  const resumed = createTrainingGroup({ specs, data: d, kernels: tsKernels, resumeFrom: specs.map((_, t) => g.checkpoint(t)) });
  const rest = resumed.run();
  const next = [rest.next().value, rest.next().value, rest.next().value, rest.next().value] as { kind: string; trial?: number }[];
  assert.deepEqual(next.map((e) => `${e.kind}${e.trial}`), ['eval1', 'epoch1', 'eval2', 'epoch2']);
  resumed.networks.forEach((_, t) => assert.equal(resumed.history(t).epochs.length, 1));
  const results = drain(rest);
  results.forEach((r, t) => assertSameRun(r, whole[t], 1e-12));
});

test('specs that differ in architecture, data or batch order cannot be fused', () => {
  const a = spec(variants[0]);
  assert.equal(fusionKey(a), fusionKey(spec(variants[1])));
  assert.notEqual(fusionKey(a), fusionKey(spec({ ...variants[0], hidden: [16] })));
  assert.notEqual(fusionKey(a), fusionKey({ ...a, dataSeed: 43 }));
  assert.throws(() => createTrainingGroup({ specs: [a, spec({ ...variants[1], hidden: [12, 8] })], data: data(), kernels: tsKernels }), /cannot train in the same group/);
});
