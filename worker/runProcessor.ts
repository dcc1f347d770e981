// The training process: one per job, forked by worker/main.ts so that CPU-bound training never
// blocks the worker's event loop (which keeps renewing the BullMQ job lock). It owns its
// Postgres connections and writes progress itself:
//   - evaluation points and progress in small batches, flushed in the background at most every
//     100 ms of wall time (training is synchronous, so it yields to the event loop that often);
//   - each epoch's metrics, its remaining points and the checkpoint in one awaited transaction;
//   - on resume, the latest checkpoint is loaded and points after it are dropped and rewritten.
// It checks for cancellation a few times a second, stops at the next step on SIGTERM (checkpoint,
// run back to queued, exit EXIT.handedBack) and exits at once if its worker dies.
// Usage: node dist/worker/runProcessor.js run|gradcheck ID
import { selectKernels, requestedThreads } from '../src/backend/selectBackend.js';
import { gradientCheck, gradientCheckInputs } from '../src/core/gradcheck/gradientCheck.js';
import { createTraining, type Training } from '../src/core/training/training.js';
import type { EvalPoint, TrainingResult } from '../src/core/training/metrics.js';
import { DatasetError } from '../src/data/datasetError.js';
import { loadDataset } from '../src/data/loadDataset.js';
import { runArtifacts } from '../src/report/runArtifacts.js';
import { loadConfig } from '../src/service/config.js';
import { createLogger, type Logger } from '../src/service/logger.js';
import { parseSpec, type ExperimentSpec } from '../src/spec/experimentSpec.js';
import { createDb, type Db } from '../src/store/db.js';
import { claimGradientCheck, failGradientCheck, finishGradientCheck } from '../src/store/gradientChecks.js';
import {
  cancelRequested,
  checkpointAndRequeue,
  claimRun,
  commitEpoch,
  dropPointsAfter,
  failRun,
  finishRun,
  loadCheckpoint,
  markCancelled,
  writePoints,
  createWriterPool,
  type Pool,
  type Progress,
} from '../src/store/runWriter.js';
import { weightsArtifact } from './weights.js';
import { EXIT, type ChildFailure, type JobKind } from './protocol.js';

const YIELD_EVERY_MS = 100;
const CANCEL_CHECK_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 1000;

let stopRequested = false;
process.on('SIGTERM', () => {
  stopRequested = true;
});
process.on('SIGINT', () => {
  stopRequested = true;
});
process.on('disconnect', () => process.exit(EXIT.orphaned));

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

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
  const spec = parsed.spec;
  const { kernels, warning } = selectKernels({ threads: requestedThreads() ?? 1 });
  if (warning) log.warn(warning);
  let data;
  try {
    data = loadDataset(spec, loadConfig().cifar10Dir);
  } catch (err) {
    if (err instanceof DatasetError) {
      log.warn({ file: err.file, problem: err.problem }, err.message);
      await failRun(db, id, `dataset ${spec.data.dataset}: ${err.message}`);
      return EXIT.done;
    }
    throw err;
  }

  let training: Training;
  const ck = await loadCheckpoint(db, id);
  if (ck) {
    try {
      training = createTraining({ spec, data, kernels, resumeFrom: ck.data });
      await dropPointsAfter(db, id, ck.step);
      log.info({ step: ck.step, epoch: ck.epoch }, 'resuming from checkpoint');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'checkpoint unusable; starting over');
      await db.$transaction([db.epoch.deleteMany({ where: { runId: id } }), db.metricPoint.deleteMany({ where: { runId: id } }), db.checkpoint.deleteMany({ where: { runId: id } })]);
      training = createTraining({ spec, data, kernels });
    }
  } else {
    await dropPointsAfter(db, id, -1);
    training = createTraining({ spec, data, kernels });
  }

  const startStep = training.stepsDone();
  const started = performance.now();
  const persist = { epochMs: 0, yieldMs: 0, finishMs: 0, checkpointMs: 0 };
  let buffer: EvalPoint[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushError: Error | null = null;
  let epochInFlight = false;
  /** Longest stretch without yielding to the event loop (an epoch-end evaluation, typically). */
  let maxBlockMs = 0;
  let cancel = false;
  let cancelCheck: Promise<void> | null = null;
  let lastYield = performance.now();
  let lastCancelCheck = lastYield;
  let lastProgress = 0;
  let progressDirty = false;

  const progress = (): Progress => {
    const done = training.stepsDone();
    const elapsed = (performance.now() - started) / 1000;
    const rate = done > startStep ? elapsed / (done - startStep) : null;
    return { step: done, epoch: done / training.stepsPerEpoch, secondsLeft: rate === null ? null : Math.round(rate * (training.totalSteps - done) * 10) / 10 };
  };
  const flush = (withProgress: boolean) => {
    const points = buffer;
    buffer = [];
    const p = withProgress ? progress() : null;
    lastProgress = performance.now();
    progressDirty = false;
    flushing = flushing.then(() => writePoints(pool, id, points, p)).catch((err) => {
      flushError = err as Error;
    });
  };
  const timed = async <T>(what: keyof typeof persist, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      persist[what] += performance.now() - t0;
    }
  };

  const gen = training.run();
  let r = gen.next();
  while (!r.done) {
    const ev = r.value;
    if (ev.kind === 'eval') {
      buffer.push(ev.point);
      progressDirty = true;
    } else if (ev.kind === 'epoch') {
      // The epoch's transaction is queued behind earlier writes and runs while training goes on;
      // only if the previous epoch's write is still pending does training wait for it.
      if (epochInFlight) await timed('epochMs', () => flushing);
      if (flushError) throw flushError;
      const points = buffer;
      buffer = [];
      const t0 = performance.now();
      const checkpoint = training.checkpoint();
      persist.checkpointMs += performance.now() - t0;
      const summary = ev.summary;
      const p = progress();
      epochInFlight = true;
      flushing = flushing
        .then(() => commitEpoch(pool, id, summary, points, checkpoint, p))
        .then(
          () => {
            epochInFlight = false;
            log.info({ epoch: summary.epoch, step: summary.step, trainSeconds: summary.trainSeconds, validationAccuracy: summary.validation.accuracy }, 'epoch stored');
          },
          (err) => {
            flushError = err as Error;
          },
        );
      lastProgress = performance.now();
      progressDirty = false;
    } else {
      progressDirty = true;
    }
    const now = performance.now();
    if (now - lastYield >= YIELD_EVERY_MS) {
      maxBlockMs = Math.max(maxBlockMs, now - lastYield);
      if (buffer.length || (progressDirty && now - lastProgress >= PROGRESS_EVERY_MS)) flush(true);
      if (!cancelCheck && now - lastCancelCheck >= CANCEL_CHECK_EVERY_MS) {
        lastCancelCheck = now;
        cancelCheck = cancelRequested(pool, id).then(
          (c) => {
            cancel ||= c;
            cancelCheck = null;
          },
          () => {
            cancelCheck = null;
          },
        );
      }
      await timed('yieldMs', tick);
      lastYield = performance.now();
      if (flushError) throw flushError;
      if (cancel) {
        await flushing;
        flush(true);
        await flushing;
        await markCancelled(db, id);
        log.info({ step: training.stepsDone() }, 'run cancelled');
        return EXIT.done;
      }
      if (stopRequested) {
        await flushing;
        const points = buffer;
        buffer = [];
        await checkpointAndRequeue(pool, id, points, training.stepsDone(), Math.floor(training.stepsDone() / training.stepsPerEpoch), training.checkpoint());
        log.info({ step: training.stepsDone() }, 'stopped on SIGTERM; checkpoint written, run handed back');
        return EXIT.handedBack;
      }
    }
    r = gen.next();
  }
  const result: TrainingResult = r.value;
  await timed('epochMs', () => flushing);
  if (flushError) throw flushError;
  const trainingWall = (performance.now() - started) / 1000;
  const artifacts = await timed('finishMs', async () => [...runArtifacts(spec, result, kernels.backend, training.network, data.imageShape), weightsArtifact(training.network)]);
  await timed('finishMs', () => finishRun(db, pool, id, result, kernels.backend, artifacts, buffer));
  // What recording cost the training loop: epoch transactions, checkpoint encoding, yields for background writes.
  const loopPersist = (persist.epochMs + persist.yieldMs + persist.checkpointMs) / 1000;
  log.info(
    {
      testAccuracy: result.test.accuracy,
      trainSeconds: result.trainSeconds,
      wallSeconds: trainingWall,
      persistSeconds: loopPersist,
      persistFraction: loopPersist / trainingWall,
      epochWriteSeconds: persist.epochMs / 1000,
      checkpointEncodeSeconds: persist.checkpointMs / 1000,
      yieldSeconds: persist.yieldMs / 1000,
      artifactsSeconds: persist.finishMs / 1000,
      maxBlockSeconds: maxBlockMs / 1000,
      backend: kernels.backend,
    },
    'run succeeded',
  );
  return EXIT.done;
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
  const log = createLogger('trainyard-worker', config.logLevel).child(kind === 'run' ? { runId: id, role: 'trainer' } : { gradientCheckId: id, role: 'trainer' });
  const db = createDb(config.databaseUrl, { max: 2 });
  const pool = createWriterPool(config.databaseUrl);
  let code: number;
  try {
    code = kind === 'run' ? await trainRun(db, pool, id, log) : await runGradientCheck(db, id, log);
  } catch (err) {
    log.error({ err }, 'training process failed');
    report((err as Error).message || String(err));
    code = 1;
  }
  await Promise.all([db.$disconnect().catch(() => {}), pool.end().catch(() => {})]);
  process.exit(code);
}

await main();
