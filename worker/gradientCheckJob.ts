// A `gradcheck` job: the core's analytic-vs-numerical gradient check on the TypeScript kernels.
import { gradientCheck, gradientCheckInputs } from '../src/core/gradcheck/gradientCheck.js';
import { parseSpec } from '../src/experiment/experimentSpec.js';
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import type { Logger } from '../src/runtime/logger.js';
import type { Store } from '../src/store/store.js';
import { loadJobData } from './loadJobData.js';

export async function gradientCheckJob(store: Store, id: string, o: { cifar10Dir: string | undefined; log: Logger }): Promise<void> {
  const check = await store.gradientChecks.claim(id);
  if (!check) return;
  const parsed = parseSpec(check.spec);
  if (!parsed.ok) {
    await store.gradientChecks.fail(id, 'the stored spec is no longer valid');
    return;
  }
  const options = check.options as { features: number; samples: number; h: number; method: 'centred' | 'forward' };
  const loaded = loadJobData(parsed.spec, o.cifar10Dir, o.log);
  if (!loaded.ok) {
    await store.gradientChecks.fail(id, loaded.message);
    return;
  }
  const { kernels } = selectKernels({ backend: 'ts' });
  const input = { ...gradientCheckInputs(loaded.data.train, options.features, options.samples), classes: loaded.data.classes };
  const result = gradientCheck(kernels, parsed.spec, input, options);
  await store.gradientChecks.finish(id, result);
  o.log.info({ maxRelError: result.maxRelError }, 'gradient check done');
}
