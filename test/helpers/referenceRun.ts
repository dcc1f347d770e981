// What an uninterrupted run or search gives, computed in this process with the workers' kernels
// (same backend, one BLAS thread): the oracle the fault tests compare a disturbed run with.
import assert from 'node:assert/strict';
import { createTraining } from '../../src/core/training/training.js';
import type { TrainingResult } from '../../src/core/training/metrics.js';
import { loadDataset } from '../../src/dataFiles/loadDataset.js';
import { parseSpec } from '../../src/experiment/experimentSpec.js';
import { selectKernels } from '../../src/nativeKernels/selectKernels.js';
import { runArtifacts } from '../../src/report/runArtifacts.js';
import { weightsArtifact } from '../../src/report/weightsArtifact.js';
import { runSearchLocally, type SearchOutcome } from '../../src/search/localSearch.js';
import { parseSearchSpec } from '../../src/search/searchSpec.js';

export interface ReferenceRun {
  result: TrainingResult;
  backend: string;
  /** Every artifact an uninterrupted run stores, by name. */
  artifacts: Map<string, Buffer>;
}

const kernels = () => selectKernels({ threads: 1 }).kernels;

/** `cifar10Dir`: where a CIFAR-10 spec's batches are (unused for synthetic data). */
export function trainReference(specInput: unknown, cifar10Dir?: string): ReferenceRun {
  const parsed = parseSpec(specInput);
  assert.ok(parsed.ok);
  const k = kernels();
  const data = loadDataset(parsed.spec, cifar10Dir);
  const training = createTraining({ spec: parsed.spec, data, kernels: k });
  const gen = training.run();
  let r = gen.next();
  while (!r.done) r = gen.next();
  const result = r.value;
  const artifacts = [...runArtifacts(parsed.spec, result, k.backend, training.network, data.imageShape), weightsArtifact(training.network)];
  return { result, backend: k.backend, artifacts: new Map(artifacts.map((a) => [a.name, a.body])) };
}

/** The search trained start to end in this process, its groups cut for `workers` workers. */
export async function searchReference(request: unknown, workers = 1): Promise<SearchOutcome> {
  const parsed = parseSearchSpec(request);
  assert.ok(parsed.ok);
  return runSearchLocally(parsed.search, { loadData: (spec) => loadDataset(spec, undefined), kernels: kernels(), workers });
}

/** A workers' CPU seconds figure depends on the machine: the other fields of result.json must match. */
export function withoutTimings(resultJson: Buffer): unknown {
  return JSON.parse(resultJson.toString('utf8'), (k, v) => (k === 'trainSeconds' ? undefined : v));
}
