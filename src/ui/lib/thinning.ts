// How many points to ask the server for: about two per CSS pixel of plot width (more would be
// invisible, fewer hides spikes), and for a zoom the step range the visible x-range covers.

export const MAX_POINTS_LIMIT = 10_000;

export function maxPointsFor(plotWidthPx: number): number {
  return Math.max(2, Math.min(MAX_POINTS_LIMIT, Math.round(2 * plotWidthPx)));
}

/**
 * The steps [fromStep, toStep] covering x in [min, max], for x values (step, epoch or seconds,
 * ascending) paired with their steps; widened by one point each side so lines reach the edges.
 */
export function stepRange(xs: ArrayLike<number | null>, steps: ArrayLike<number>, min: number, max: number): { fromStep: number; toStep: number } | null {
  let first = -1;
  let last = -1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null) continue;
    if (x >= min && first < 0) first = i;
    if (x <= max) last = i;
  }
  if (first < 0 || last < 0 || last < first - 1) return null;
  const a = Math.max(0, first - 1);
  const b = Math.min(steps.length - 1, last + 1);
  return { fromStep: steps[a], toStep: steps[b] };
}

/**
 * Whether zooming to [fromStep, toStep] is worth a request: not when the loaded points are
 * already raw (bucket width 1) or already dense enough for the plot.
 */
export function worthRefining(fromStep: number, toStep: number, bucketWidth: number, plotWidthPx: number): boolean {
  if (bucketWidth <= 1) return false;
  const loadedInRange = (toStep - fromStep) / bucketWidth;
  return loadedInRange < maxPointsFor(plotWidthPx) / 2;
}
