// `trainyard gradcheck SPEC.json`: analytic vs numerical gradients per tensor, as a table or JSON.
import { DEFAULT_GRADCHECK, gradientCheck, gradientCheckInputs } from '../core/gradcheck/gradientCheck.js';
import { loadTrainingSamples } from '../dataFiles/loadDataset.js';
import { dataDir, kernelsFor, type CommonFlags } from './commonFlags.js';
import { readSpecFile } from './specFile.js';

export interface GradcheckFlags extends CommonFlags {
  features?: number;
  samples?: number;
  h?: number;
  forward?: boolean;
}

export async function gradcheckCommand(specPath: string, flags: GradcheckFlags): Promise<void> {
  const spec = readSpecFile(specPath);
  const kernels = kernelsFor(flags, 'ts');
  const features = flags.features ?? DEFAULT_GRADCHECK.features;
  const samples = flags.samples ?? DEFAULT_GRADCHECK.samples;
  const data = loadTrainingSamples(spec, dataDir(flags), samples);
  const input = { ...gradientCheckInputs(data.train, features, samples), classes: data.classes };
  const res = gradientCheck(kernels, spec, input, { features, samples, h: flags.h ?? DEFAULT_GRADCHECK.h, method: flags.forward ? 'forward' : 'centred' });
  if (flags.json) {
    process.stdout.write(JSON.stringify(res) + '\n');
    return;
  }
  console.log(`${res.method} differences, h = ${res.h}, ${res.features} features, ${res.samples} samples, network ${res.sizes.join('-')}, float64`);
  console.log('tensor     size    rel. error (whole)   max element rel. error');
  for (const t of res.tensors) {
    console.log(`${t.name.padEnd(9)} ${String(t.size).padStart(6)}    ${t.relError.toExponential(2).padStart(12)}         ${t.maxElementRelError.toExponential(2).padStart(10)}`);
  }
  console.log(`largest whole-tensor relative error: ${res.maxRelError.toExponential(2)}`);
}
