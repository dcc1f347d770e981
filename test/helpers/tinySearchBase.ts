// The base spec of the small searches the search tests run, sized per test.
/** A search's base spec that trains a trial in a fraction of a second: tiny synthetic data, cyclical rates, float64. */
export function tinySearchBase(o: { trainSize: number; heldOut: number; features: number; hidden: number; stepSize: number; cycles: number; seed?: number }) {
  return {
    data: { dataset: 'synthetic', trainSize: o.trainSize, validationSize: o.heldOut, testSize: o.heldOut, features: o.features, classes: 4, separation: 2 },
    model: { hidden: [o.hidden] },
    training: { batchSize: 20, schedule: { kind: 'cyclical', etaMin: 1e-4, etaMax: 0.05, stepSize: o.stepSize, cycles: o.cycles }, evalsPerEpoch: 2 },
    precision: 'float64',
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  };
}
