import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSyntheticSplits } from '../../../src/core/data/synthetic.js';
import type { DatasetSplits } from '../../../src/core/data/dataset.js';
import { tsKernels } from '../../../src/core/kernels/tsKernels.js';
import { createTraining } from '../../../src/core/training/training.js';
import type { TrainingResult } from '../../../src/core/training/metrics.js';
import { parseSpec, type ExperimentSpec } from '../../../src/experiment/experimentSpec.js';

function spec(over: Record<string, unknown> = {}): ExperimentSpec {
  const r = parseSpec({
    data: { dataset: 'synthetic', trainSize: 400, validationSize: 100, testSize: 100, features: 192, classes: 5 },
    model: { hidden: [16, 12], batchNorm: 'before' },
    training: {
      batchSize: 20,
      lambda: 0.001,
      momentum: 0.9,
      augment: { noise: 0.05, flip: true },
      schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 30, cycles: 1 },
      evalsPerEpoch: 4,
    },
    seed: 7,
    ...over,
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.spec;
}

function data(s: ExperimentSpec): DatasetSplits {
  assert.equal(s.data.dataset, 'synthetic');
  const d = makeSyntheticSplits(s.data as Extract<ExperimentSpec['data'], { dataset: 'synthetic' }>, s.seed);
  // 192 = 3 x 8 x 8: treat as small colour images so flips are exercised.
  return { ...d, imageShape: { channels: 3, height: 8, width: 8 } };
}

function runToEnd(gen: Generator<unknown, TrainingResult, void>): TrainingResult {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

const withoutTimes = (r: TrainingResult) => ({ ...r, trainSeconds: 0, epochs: r.epochs.map((e) => ({ ...e, trainSeconds: 0 })) });

test('same spec and seed give identical results', () => {
  const s = spec();
  const d = data(s);
  const a = runToEnd(createTraining({ spec: s, data: d, kernels: tsKernels }).run());
  const b = runToEnd(createTraining({ spec: s, data: d, kernels: tsKernels }).run());
  assert.deepEqual(withoutTimes(a), withoutTimes(b));
  assert.equal(a.steps, 60);
  assert.equal(a.epochs.length, 3);
});

test('a different seed gives different results', () => {
  const s = spec();
  const a = runToEnd(createTraining({ spec: s, data: data(s), kernels: tsKernels }).run());
  const s2 = spec({ seed: 8 });
  const b = runToEnd(createTraining({ spec: s2, data: data(s), kernels: tsKernels }).run());
  assert.notDeepEqual(withoutTimes(a).test, withoutTimes(b).test);
});

for (const precision of ['float32', 'float64'] as const) {
  test(`resuming from a mid-epoch checkpoint ends with identical metrics (${precision})`, () => {
    const s = spec({ precision });
    const d = data(s);
    const whole = runToEnd(createTraining({ spec: s, data: d, kernels: tsKernels }).run());

    const first = createTraining({ spec: s, data: d, kernels: tsKernels });
    const gen = first.run();
    while (first.stepsDone() < 27) gen.next(); // 27 = mid second epoch (20 steps per epoch)
    const saved = first.checkpoint();
    const resumed = createTraining({ spec: s, data: d, kernels: tsKernels, resumeFrom: saved });
    assert.equal(resumed.stepsDone(), 27);
    const rest = runToEnd(resumed.run());
    assert.deepEqual(withoutTimes(rest), withoutTimes(whole));
  });
}

test('a checkpoint taken between the events of one step (an epoch end) loses nothing on resume', () => {
  const s = spec();
  const d = data(s);
  const whole = runToEnd(createTraining({ spec: s, data: d, kernels: tsKernels }).run());
  for (const pauseAfter of ['step', 'eval'] as const) {
    const first = createTraining({ spec: s, data: d, kernels: tsKernels });
    const gen = first.run();
    const seen: string[] = [];
    // Stop right after the epoch-2 'step' event (before its evaluation and summary), or after its 'eval'.
    for (;;) {
      const e = gen.next().value as { kind: string };
      seen.push(e.kind);
      if (first.stepsDone() === 40 && e.kind === pauseAfter) break;
    }
    const resumed = createTraining({ spec: s, data: d, kernels: tsKernels, resumeFrom: first.checkpoint() });
    const rest = resumed.run();
    const after: string[] = [];
    let r = rest.next();
    while (!r.done) {
      after.push((r.value as { kind: string }).kind);
      r = rest.next();
    }
    assert.deepEqual(after.slice(0, pauseAfter === 'step' ? 2 : 1), pauseAfter === 'step' ? ['eval', 'epoch'] : ['epoch'], 'the rest of step 40 comes first');
    assert.deepEqual(withoutTimes(r.value), withoutTimes(whole));
  }
});

test('a checkpoint for another spec is refused', () => {
  const s = spec();
  const t = createTraining({ spec: s, data: data(s), kernels: tsKernels });
  const other = spec({ seed: 9 });
  assert.throws(() => createTraining({ spec: other, data: data(s), kernels: tsKernels, resumeFrom: t.checkpoint() }), /different spec/);
});

test('training learns: validation accuracy well above chance', () => {
  const s = spec({ data: { dataset: 'synthetic', trainSize: 400, validationSize: 100, testSize: 100, features: 192, classes: 5, separation: 3 }, training: { batchSize: 20, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: 60, cycles: 1 } } });
  const r = runToEnd(createTraining({ spec: s, data: data(s), kernels: tsKernels }).run());
  assert.ok(r.validation.accuracy > 0.5, `validation accuracy ${r.validation.accuracy}`);
  assert.ok(r.points[0].train.loss > r.train.loss, 'loss did not fall');
});

test('records about evalsPerEpoch points per epoch and one summary per epoch', () => {
  const s = spec();
  const t = createTraining({ spec: s, data: data(s), kernels: tsKernels });
  const kinds: string[] = [];
  const gen = t.run();
  let r = gen.next();
  while (!r.done) {
    kinds.push((r.value as { kind: string }).kind);
    r = gen.next();
  }
  assert.equal(kinds.filter((k) => k === 'step').length, 60);
  assert.equal(kinds.filter((k) => k === 'epoch').length, 3);
  assert.equal(r.value.points.length, 1 + 3 * 4);
  assert.ok(r.value.points.every((p, i, a) => i === 0 || p.step > a[i - 1].step));
});
