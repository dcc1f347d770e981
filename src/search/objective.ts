// Reading a search objective off a trial's metrics.
import type { SplitMetrics } from '../core/training/metrics.js';
import type { ObjectiveMetric } from './searchSpec.js';

export function objectiveValue(metric: ObjectiveMetric, m: { train: SplitMetrics; validation: SplitMetrics }): number {
  switch (metric) {
    case 'validationAccuracy':
      return m.validation.accuracy;
    case 'validationLoss':
      return m.validation.loss;
    case 'validationCost':
      return m.validation.cost;
    case 'trainAccuracy':
      return m.train.accuracy;
    case 'trainLoss':
      return m.train.loss;
  }
}
