// The loss / cost / accuracy triple of a split, in the store's column naming.
import type { SplitMetrics } from '../core/training/metrics.js';

export type SplitName = 'train' | 'validation' | 'test';

/** train_loss, train_cost, train_accuracy, ... for the given splits, in that order. */
export function splitColumns(splits: SplitName[]): string[] {
  return splits.flatMap((s) => [`${s}_loss`, `${s}_cost`, `${s}_accuracy`]);
}

/** A split's metrics from its three values, or null until all three are known. */
export function splitOf(loss: number | null | undefined, cost: number | null | undefined, accuracy: number | null | undefined): SplitMetrics | null {
  return loss === null || loss === undefined || cost === null || cost === undefined || accuracy === null || accuracy === undefined ? null : { loss, cost, accuracy };
}

/** The split's metrics from a row with Prisma's camel-case columns (trainLoss, ...). */
export function splitOfRow(row: Record<string, unknown>, split: SplitName): SplitMetrics | null {
  return splitOf(row[`${split}Loss`] as number | null, row[`${split}Cost`] as number | null, row[`${split}Accuracy`] as number | null);
}

export const splitValues = (m: SplitMetrics | null) => [m?.loss ?? null, m?.cost ?? null, m?.accuracy ?? null];
