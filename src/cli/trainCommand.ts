// `trainyard train SPEC.json`: trains locally with a progress bar, writes result.json and plots.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTraining } from '../core/training/training.js';
import { runArtifacts, runSummary } from '../report/runArtifacts.js';
import { loadDataset } from '../dataFiles/loadDataset.js';
import { weightsArtifact } from '../report/weightsArtifact.js';
import { dataDir, kernelsFor, type CommonFlags } from './commonFlags.js';
import { readSpecFile } from './specFile.js';
import { createProgress } from './progress.js';

export interface TrainFlags extends CommonFlags {
  out?: string;
}

export async function trainCommand(specPath: string, flags: TrainFlags): Promise<void> {
  const spec = readSpecFile(specPath);
  const kernels = kernelsFor(flags);
  const data = loadDataset(spec, dataDir(flags));
  if (spec.data.dataset === 'synthetic') console.error(`dataset: synthetic (${data.train.n} train, ${data.validation.n} validation, ${data.test.n} test, ${data.train.d} features)`);
  else console.error(`dataset: ${data.source}`);
  const training = createTraining({ spec, data, kernels });
  const progress = createProgress(training.totalSteps, training.stepsPerEpoch, training.totalEpochs);
  const gen = training.run();
  let r = gen.next();
  while (!r.done) {
    progress.event(r.value);
    r = gen.next();
  }
  progress.stop();
  const result = r.value;
  const outDir = resolve(flags.out ?? join('runs', `${spec.name ?? 'run'}-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  mkdirSync(outDir, { recursive: true });
  for (const a of [...runArtifacts(spec, result, kernels.backend, training.network, data.imageShape), weightsArtifact(training.network)]) writeFileSync(join(outDir, a.name), a.body);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  console.error(
    `test accuracy ${pct(result.test.accuracy)}, validation ${pct(result.validation.accuracy)}, train ${pct(result.train.accuracy)}; ` +
      `${result.steps} updates in ${result.trainSeconds.toFixed(1)} s of training (${kernels.backend} backend); results in ${outDir}`,
  );
  if (flags.json) process.stdout.write(JSON.stringify({ ...runSummary(result, kernels.backend), outDir }) + '\n');
}
