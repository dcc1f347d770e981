// A `gradcheck` job: the core's analytic-vs-numerical gradient check on the TypeScript kernels,
// on the first few training images only (it never loads the whole dataset).
import { gradientCheck, gradientCheckInputs } from '../src/core/gradcheck/gradientCheck.js';
import { DatasetError } from '../src/dataFiles/datasetError.js';
import { loadTrainingSamples } from '../src/dataFiles/loadDataset.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import type { Store } from '../src/store/store.js';
import type { TrainingContext } from './trainingContext.js';

export async function gradientCheckJob(store: Store, id: string, o: Pick<TrainingContext, 'cifar10Dir' | 'log'>): Promise<void> {
  const check = await store.gradientChecks.claim(id);
  if (!check) return;
  const parsed = parseSpec(check.spec);
  if (!parsed.ok) {
    await store.gradientChecks.fail(id, 'the stored spec is no longer valid');
    return;
  }
  const options = check.options as { features: number; samples: number; h: number; method: 'centred' | 'forward' };
  let sample;
  try {
    sample = loadTrainingSamples(parsed.spec, o.cifar10Dir, options.samples);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    await store.gradientChecks.fail(id, `dataset ${parsed.spec.data.dataset}: ${err.message}`);
    return;
  }
  const { kernels } = selectKernels({ backend: 'ts' });
  const input = { ...gradientCheckInputs(sample.train, options.features, options.samples), classes: sample.classes };
  const result = gradientCheck(kernels, parsed.spec, input, options);
  await store.gradientChecks.finish(id, result);
  o.log.info({ maxRelError: result.maxRelError }, 'gradient check done');
}
