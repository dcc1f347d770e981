import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec, totalUpdates, stepsPerEpoch, trainingSampleCount, type SpecProblem } from '../../src/experiment/experimentSpec.js';

const contract = {
  name: 'two-layer-cyclic',
  data: { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_2'], test: ['test_batch'] },
  model: { hidden: [50], batchNorm: 'none', activation: { kind: 'relu' }, init: { kind: 'he' } },
  training: {
    batchSize: 100,
    lambda: 0.01,
    schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 800, cycles: 3 },
    evalsPerEpoch: 10,
  },
  seed: 1,
};

function problems(input: unknown): SpecProblem[] {
  const r = parseSpec(input);
  assert.equal(r.ok, false, 'expected the spec to be rejected');
  return r.ok ? [] : r.problems;
}

test('the contract spec is accepted as written', () => {
  const r = parseSpec(contract);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(totalUpdates(r.spec), 4800);
  assert.equal(stepsPerEpoch(r.spec), 100);
  assert.equal(r.spec.precision, 'float32');
});

test('the documented variants are accepted', () => {
  const variants: unknown[] = [
    { ...contract, data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 1000, test: ['test_batch'] } },
    { ...contract, model: { hidden: [] } },
    { ...contract, model: { hidden: [50, 50], batchNorm: 'before' } },
    { ...contract, model: { hidden: [50, 50], batchNorm: 'after', activation: { kind: 'leakyRelu', alpha: 0.01 } } },
    { ...contract, model: { hidden: [50], activation: { kind: 'elu', alpha: 0.01 }, init: { kind: 'normal', sigma: 0.001 } } },
    { ...contract, model: { hidden: [50], init: { kind: 'xavier' } } },
    { ...contract, training: { schedule: { kind: 'constant', eta: 0.001, epochs: 40 } } },
    { ...contract, training: { schedule: { kind: 'stepDecay', eta: 0.01, decay: 0.95, epochs: 10 }, momentum: 0.9 } },
    { ...contract, training: { ...contract.training, augment: { noise: 0.05, flip: true } }, precision: 'float64' },
    { ...contract, precision: 'bfloat16' },
  ];
  for (const v of variants) {
    const r = parseSpec(v);
    assert.ok(r.ok, JSON.stringify(v) + ' → ' + JSON.stringify(!r.ok && r.problems));
  }
});

test('holdout is taken from the training batches', () => {
  const r = parseSpec({ data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5'], holdout: 5000 } });
  assert.ok(r.ok);
  assert.equal(trainingSampleCount(r.spec), 45000);
});

test('every problem is reported at once, each with its path and what is allowed', () => {
  const p = problems({
    ...contract,
    model: { hidden: [50, -3], batchNorm: 'sideways', activation: { kind: 'tanh' } },
    training: { batchSize: 0, lambda: -1, schedule: { kind: 'cyclical', etaMin: 1e-5, etaMax: 0.1, stepSize: 800 } },
    precision: 'float16',
    colour: 'blue',
  });
  const paths = p.map((x) => x.path);
  for (const expected of ['model.hidden.1', 'model.batchNorm', 'model.activation.kind', 'training.batchSize', 'training.lambda', 'training.schedule.cycles', 'precision', '(root)']) {
    assert.ok(paths.includes(expected), `missing ${expected} in ${JSON.stringify(p)}`);
  }
  const bn = p.find((x) => x.path === 'model.batchNorm')!;
  assert.match(bn.message, /none.*before.*after/);
  const unknown = p.find((x) => x.path === '(root)')!;
  assert.match(unknown.message, /unknown field "colour"/);
  const prec = p.find((x) => x.path === 'precision')!;
  assert.match(prec.message, /float32.*float64.*bfloat16/);
});

test('bounds keep a spec from asking for absurd work', () => {
  const deep = problems({ ...contract, model: { hidden: new Array(10000).fill(50) } });
  assert.equal(deep[0].path, 'model.hidden');
  assert.match(deep[0].message, /32/);
  const long = problems({ ...contract, model: { hidden: [4096, 4096] }, training: { schedule: { kind: 'constant', eta: 0.01, epochs: 1000 } }, data: { dataset: 'cifar10', train: ['data_batch_1', 'data_batch_3', 'data_batch_4'], validation: ['data_batch_2'] } });
  assert.ok(long.some((x) => x.path === 'training.schedule' && /multiply-adds/.test(x.message)), JSON.stringify(long));
});

test('inconsistent data is explained', () => {
  const both = problems({ data: { dataset: 'cifar10', train: ['data_batch_1'], validation: ['data_batch_2'], holdout: 100 } });
  assert.match(both[0].message, /either validation batches or a holdout/);
  const overlap = problems({ data: { dataset: 'cifar10', train: ['data_batch_1', 'test_batch'], validation: ['data_batch_2'] } });
  assert.match(overlap[0].message, /test_batch/);
  const batch = problems({ data: { dataset: 'cifar10', train: ['data_batch_9'] } });
  assert.equal(batch[0].path, 'data.train.0');
  const bigBatch = problems({ data: { dataset: 'synthetic', trainSize: 50 }, training: { batchSize: 100 } });
  assert.match(bigBatch[0].message, /exceeds the 50 training samples/);
});

test('a field out of range is the only problem: the work is not priced from it (no "Infinity updates")', () => {
  const spec = { ...contract, training: { ...contract.training, batchSize: 0, schedule: { kind: 'constant', eta: 0.01, epochs: 10 } } };
  const p = problems(spec);
  assert.deepEqual(p.map((x) => x.path), ['training.batchSize'], JSON.stringify(p));
  assert.ok(!JSON.stringify(p).includes('Infinity'), JSON.stringify(p));
});
