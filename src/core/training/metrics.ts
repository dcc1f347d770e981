// What training records: evaluation points within epochs, epoch summaries and the final result.

export interface SplitMetrics {
  /** Mean cross-entropy. */
  loss: number;
  /** loss + lambda * sum ||W||^2. */
  cost: number;
  /** Fraction correct in [0, 1]. */
  accuracy: number;
}

export interface EvalPoint {
  /** Updates done when measured. */
  step: number;
  /** step / stepsPerEpoch: fractional epochs. */
  epoch: number;
  /** Learning rate of the last update (of the first, at step 0). */
  lr: number;
  train: SplitMetrics;
  validation: SplitMetrics;
  /** Whether measured on all samples (epoch ends) or on the fixed evaluation subsets. */
  full: boolean;
}

export interface EpochSummary {
  /** 1-based. */
  epoch: number;
  /** Updates done at the end of this epoch. */
  step: number;
  lr: number;
  /** Time in update steps only (batch assembly, forward, backward, update); no evaluation. */
  trainSeconds: number;
  train: SplitMetrics;
  validation: SplitMetrics;
}

export interface TrainingResult {
  steps: number;
  epochs: EpochSummary[];
  points: EvalPoint[];
  train: SplitMetrics;
  validation: SplitMetrics;
  test: SplitMetrics;
  trainSeconds: number;
}

export type TrainingEvent =
  | { kind: 'step'; step: number; epoch: number; lr: number }
  | { kind: 'eval'; point: EvalPoint }
  | { kind: 'epoch'; summary: EpochSummary };
