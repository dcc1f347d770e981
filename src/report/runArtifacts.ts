// Everything a finished run leaves behind: result.json, curve plots, the learning-rate schedule,
// and for one-layer networks the W-row images. The CLI writes them to files, the worker stores them.
import type { ImageShape } from '../core/data/dataset.js';
import type { Network } from '../core/network/network.js';
import { learningRate } from '../core/training/learningRate.js';
import type { EvalPoint, TrainingResult } from '../core/training/metrics.js';
import { stepsPerEpoch, totalUpdates, type ExperimentSpec } from '../experiment/experimentSpec.js';
import { lineChartSvg } from './lineChart.js';
import { weightRowsPng } from './weightImage.js';

export interface Artifact {
  name: string;
  contentType: string;
  body: Buffer;
}

export interface RunSummary {
  testAccuracy: number;
  validationAccuracy: number;
  trainAccuracy: number;
  testLoss: number;
  backend: string;
  steps: number;
  trainSeconds: number;
  final: Pick<TrainingResult, 'train' | 'validation' | 'test'>;
  epochs: TrainingResult['epochs'];
}

export function runSummary(result: TrainingResult, backend: string): RunSummary {
  return {
    testAccuracy: result.test.accuracy,
    validationAccuracy: result.validation.accuracy,
    trainAccuracy: result.train.accuracy,
    testLoss: result.test.loss,
    backend,
    steps: result.steps,
    trainSeconds: result.trainSeconds,
    final: { train: result.train, validation: result.validation, test: result.test },
    epochs: result.epochs,
  };
}

/** The learning rate of every update, in order. */
export function learningRateCurve(spec: ExperimentSpec): Float64Array {
  const n = totalUpdates(spec);
  const spe = stepsPerEpoch(spec);
  const lr = new Float64Array(n);
  for (let t = 0; t < n; t++) lr[t] = learningRate(spec.training.schedule, t, spe);
  return lr;
}

export function runArtifacts(spec: ExperimentSpec, result: TrainingResult, backend: string, net: Network, imageShape: ImageShape | null): Artifact[] {
  const lr = learningRateCurve(spec);
  const json = { spec, ...runSummary(result, backend), points: result.points, learningRates: Array.from(lr) };
  const out: Artifact[] = [
    { name: 'result.json', contentType: 'application/json', body: Buffer.from(JSON.stringify(json, null, 1)) },
    curve('loss', 'Cross-entropy loss', result.points, (p, s) => p[s].loss),
    curve('cost', 'Cost (loss + lambda ||W||^2)', result.points, (p, s) => p[s].cost),
    curve('accuracy', 'Accuracy', result.points, (p, s) => p[s].accuracy),
    {
      name: 'learning-rate.svg',
      contentType: 'image/svg+xml',
      body: Buffer.from(lineChartSvg([{ label: 'eta', xs: lr.map((_, i) => i), ys: lr }], { title: 'Learning rate schedule', xLabel: 'update step', yLabel: 'eta' })),
    },
  ];
  if (net.layers.length === 1 && imageShape) {
    const layer = net.layers[0];
    out.push({ name: 'weights.png', contentType: 'image/png', body: weightRowsPng(layer.W, layer.nOut, imageShape) });
  }
  return out;
}

function curve(name: string, title: string, points: EvalPoint[], pick: (p: EvalPoint, split: 'train' | 'validation') => number): Artifact {
  const xs = points.map((p) => p.epoch);
  const svg = lineChartSvg(
    [
      { label: 'training', xs, ys: points.map((p) => pick(p, 'train')) },
      { label: 'validation', xs, ys: points.map((p) => pick(p, 'validation')) },
    ],
    { title, xLabel: 'epoch', yLabel: name },
  );
  return { name: `${name}.svg`, contentType: 'image/svg+xml', body: Buffer.from(svg) };
}
