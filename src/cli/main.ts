// The `trainyard` command line.
import { Command, InvalidArgumentError, Option } from 'commander';
import { trainCommand } from './trainCommand.js';
import { gradcheckCommand } from './gradcheckCommand.js';
import { infoCommand } from './infoCommand.js';
import { searchCommand } from './searchCommand.js';
import { UsageError } from './specFile.js';
import { DatasetError } from '../dataFiles/datasetError.js';
import { BackendError } from '../nativeKernels/selectKernels.js';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const positiveNumber = (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
};
const backendOption = () => new Option('--backend <name>', 'kernel backend (default: TRAINYARD_BACKEND or auto)').choices(['ts', 'native', 'auto']);

export function buildProgram(): Command {
  const program = new Command('trainyard').description('Train and track small fully connected networks on CIFAR-10').showHelpAfterError();
  program
    .command('train')
    .description('train a spec locally; writes result.json and plots')
    .argument('<spec>', 'experiment spec (JSON)')
    .option('--data <dir>', 'CIFAR-10 folder (default: CIFAR10_DIR)')
    .option('--out <dir>', 'output folder (default: runs/<name>-<time>)')
    .option('--json', 'print the result as one JSON object on stdout')
    .addOption(backendOption())
    .action(trainCommand);
  program
    .command('gradcheck')
    .description('compare analytic and numerical gradients per parameter tensor')
    .argument('<spec>', 'experiment spec (JSON)')
    .option('--data <dir>', 'CIFAR-10 folder (default: CIFAR10_DIR)')
    .option('--features <n>', 'first N input features', positiveInt)
    .option('--samples <n>', 'first N training samples', positiveInt)
    .option('--h <h>', 'finite-difference step', positiveNumber)
    .option('--forward', 'forward instead of centred differences')
    .option('--json', 'print the result as JSON')
    .addOption(backendOption())
    .action(gradcheckCommand);
  program
    .command('search')
    .description('run a hyperparameter search locally, with a live table of trials')
    .argument('<search>', 'search spec (JSON: base, space, strategy, objective, budget, pruning)')
    .option('--data <dir>', 'CIFAR-10 folder (default: CIFAR10_DIR)')
    .option('--json', 'print the stages, trials and best trial as JSON on stdout')
    .addOption(backendOption())
    .action(searchCommand);
  program.command('info').description('show the kernel backend, BLAS library and threads').action(infoCommand);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof DatasetError || e instanceof BackendError) {
      console.error(`trainyard: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
