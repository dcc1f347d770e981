// The training process: one per job, forked by worker/main.ts so that CPU-bound training never
// blocks the worker's event loop (which keeps renewing the BullMQ job lock). It owns its
// Postgres connections and writes progress itself (worker/trainMembers.ts says how). A `run` job
// trains one run; a `group` job trains the fused group of search trials (worker/groupJob.ts).
// Cancellation is checked a few times a second; on SIGTERM it stops after the current step
// (checkpoint, runs back to queued, exit EXIT.handedBack); it exits at once if its worker dies.
// Usage: node dist/worker/runProcessor.js run|group|gradcheck ID
import { selectKernels } from '../src/nativeKernels/selectKernels.js';
import { gradientCheck, gradientCheckInputs } from '../src/core/gradcheck/gradientCheck.js';
import { DatasetError } from '../src/dataFiles/datasetError.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { loadConfig } from '../src/runtime/config.js';
import { createLogger, type Logger } from '../src/runtime/logger.js';
import { parseSpec, type ExperimentSpec } from '../src/experiment/experimentSpec.js';
import { createDb, type Db } from '../src/store/db.js';
import { claimGradientCheck, failGradientCheck, finishGradientCheck } from '../src/store/gradientChecks.js';
import { claimRun, createWriterPool, failRun, type Pool } from '../src/store/runWriter.js';
import { trainGroupJob } from './groupJob.js';
import { EXIT, type ChildFailure, type JobKind } from './protocol.js';
import { trainMembers } from './trainMembers.js';

let stopRequested = false;
process.on('SIGTERM', () => {
  stopRequested = true;
});
process.on('SIGINT', () => {
  stopRequested = true;
});
process.on('disconnect', () => process.exit(EXIT.orphaned));

function report(message: string): void {
  const m: ChildFailure = { kind: 'failure', message };
  if (process.send) process.send(m);
}

async function trainRun(db: Db, pool: Pool, id: string, log: Logger): Promise<number> {
  const claim = await claimRun(db, id);
  if (claim.kind !== 'run') {
    log.info({ outcome: claim.kind }, 'nothing to train');
    return EXIT.done;
  }
  const run = claim.run;
  log.info({ attempt: run.attempts }, 'run started');
  const parsed = parseSpec(run.spec);
  if (!parsed.ok) {
    await failRun(db, id, `the stored spec is no longer valid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    return EXIT.done;
  }
  return trainMembers({ db, pool, log, members: [{ id, spec: parsed.spec }], stopRequested: () => stopRequested });
}

async function runGradientCheck(db: Db, id: string, log: Logger): Promise<number> {
  const check = await claimGradientCheck(db, id);
  if (!check) return EXIT.done;
  const parsed = parseSpec(check.spec);
  if (!parsed.ok) {
    await failGradientCheck(db, id, 'the stored spec is no longer valid');
    return EXIT.done;
  }
  const spec: ExperimentSpec = parsed.spec;
  const options = check.options as { features: number; samples: number; h: number; method: 'centred' | 'forward' };
  let data;
  try {
    data = loadDataset(spec, loadConfig().cifar10Dir);
  } catch (err) {
    if (err instanceof DatasetError) {
      await failGradientCheck(db, id, `dataset ${spec.data.dataset}: ${err.message}`);
      return EXIT.done;
    }
    throw err;
  }
  const { kernels } = selectKernels({ backend: 'ts' });
  const input = { ...gradientCheckInputs(data.train, options.features, options.samples), classes: data.classes };
  const result = gradientCheck(kernels, spec, input, options);
  await finishGradientCheck(db, id, result);
  log.info({ maxRelError: result.maxRelError }, 'gradient check done');
  return EXIT.done;
}

async function main(): Promise<void> {
  const [kind, id] = process.argv.slice(2) as [JobKind, string];
  const config = loadConfig();
  const idField = kind === 'run' ? 'runId' : kind === 'group' ? 'groupId' : 'gradientCheckId';
  const log = createLogger('trainyard-worker', config.logLevel).child({ [idField]: id, role: 'trainer' });
  const db = createDb(config.databaseUrl, { max: 2 });
  const pool = createWriterPool(config.databaseUrl);
  let code: number;
  try {
    if (kind === 'run') code = await trainRun(db, pool, id, log);
    else if (kind === 'group') code = await trainGroupJob(db, pool, id, log, () => stopRequested);
    else code = await runGradientCheck(db, id, log);
  } catch (err) {
    log.error({ err }, 'training process failed');
    report((err as Error).message || String(err));
    code = 1;
  }
  await Promise.all([db.$disconnect().catch(() => {}), pool.end().catch(() => {})]);
  process.exit(code);
}

await main();
