// Trains runs in one pass: a run alone, or the members of a fused search group (one training
// group, src/core/training/trainingGroup.ts). Each run gets its own points, epochs, checkpoints,
// progress, result and artifacts, written the way a single run's always were:
//   - evaluation points and progress in small batches, flushed in the background at most every
//     100 ms of wall time (training is synchronous, so it yields to the event loop that often);
//   - the same epoch of every member, its remaining points and checkpoints in one statement, so
//     members' checkpoints always share a step and a resumed group trains together again;
//   - on resume, the latest checkpoints are loaded and points after them are dropped and rewritten.
// Membership changes (a member cancelled or pruned at a rung) and SIGTERM are handled between two
// updates, after the step's evaluations: the survivors continue in a new group resumed exactly
// from their in-memory checkpoints.
import { requestedThreads, selectKernels } from '../src/nativeKernels/selectKernels.js';
import type { DatasetSplits } from '../src/core/data/dataset.js';
import type { Kernels } from '../src/core/kernels/kernels.js';
import type { EpochSummary, EvalPoint, SplitMetrics, TrainingResult } from '../src/core/training/metrics.js';
import { createTrainingGroup, type GroupEvent, type TrainingGroup } from '../src/core/training/trainingGroup.js';
import { DatasetError } from '../src/dataFiles/datasetError.js';
import { loadDataset } from '../src/dataFiles/loadDataset.js';
import { runArtifacts } from '../src/report/runArtifacts.js';
import { loadConfig } from '../src/runtime/config.js';
import type { Logger } from '../src/runtime/logger.js';
import type { ExperimentSpec } from '../src/experiment/experimentSpec.js';
import type { Db } from '../src/store/db.js';
import type { RungEntry } from '../src/store/rungs.js';
import {
  cancelRequestedAmong,
  checkpointAndRequeue,
  commitEpochs,
  dropPointsAfter,
  failRun,
  finishRun,
  loadCheckpoint,
  markCancelled,
  resetHistory,
  writeRunsPoints,
  type Pool,
  type Progress,
} from '../src/store/runWriter.js';
import { EXIT } from './protocol.js';
import { weightsArtifact } from '../src/report/weightsArtifact.js';

const YIELD_EVERY_MS = 100;
const CANCEL_CHECK_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 1000;

export interface Member {
  id: string;
  spec: ExperimentSpec;
}

/** Successive halving for a search group: where the rungs are and how they are decided. */
export interface Pruning {
  steps: Set<number>;
  decide(step: number, entries: RungEntry[]): Promise<Map<string, boolean>>;
}

export interface TrainOptions {
  db: Db;
  pool: Pool;
  log: Logger;
  members: Member[];
  stopRequested: () => boolean;
  /** A search trial's objective, stored with its result and used at rungs. */
  objective?: (m: { train: SplitMetrics; validation: SplitMetrics }) => number;
  pruning?: Pruning;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Loads the data and the members' checkpoints, then trains; returns the process exit code. */
export async function trainMembers(o: TrainOptions): Promise<number> {
  const { db, log } = o;
  const spec0 = o.members[0].spec;
  const { kernels, warning } = selectKernels({ threads: requestedThreads() ?? 1 });
  if (warning) log.warn(warning);
  let data: DatasetSplits;
  try {
    data = loadDataset(spec0, loadConfig().cifar10Dir);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    log.warn({ file: err.file, problem: err.problem }, err.message);
    for (const m of o.members) await failRun(db, m.id, `dataset ${spec0.data.dataset}: ${err.message}`);
    return EXIT.done;
  }
  const group = await resumeOrStart(o, data, kernels);
  return new MemberTrainer(o, data, kernels, group).train();
}

/** A group resumed from the members' checkpoints when they all have one at the same step, else a fresh one. */
async function resumeOrStart(o: TrainOptions, data: DatasetSplits, kernels: Kernels): Promise<TrainingGroup> {
  const ids = o.members.map((m) => m.id);
  const specs = o.members.map((m) => m.spec);
  const cks = await Promise.all(ids.map((id) => loadCheckpoint(o.db, id)));
  if (cks.every((c) => c === null)) {
    for (const id of ids) await dropPointsAfter(o.db, id, -1);
    return createTrainingGroup({ specs, data, kernels });
  }
  if (cks.every((c) => c !== null && c.step === cks[0]!.step)) {
    try {
      const group = createTrainingGroup({ specs, data, kernels, resumeFrom: cks.map((c) => c!.data) });
      for (const id of ids) await dropPointsAfter(o.db, id, cks[0]!.step);
      o.log.info({ step: cks[0]!.step, epoch: cks[0]!.epoch }, 'resuming from checkpoint');
      return group;
    } catch (err) {
      o.log.warn({ err: (err as Error).message }, 'checkpoint unusable; starting over');
    }
  } else {
    o.log.warn({ steps: cks.map((c) => c?.step ?? null) }, 'members have checkpoints at different steps; starting over');
  }
  await resetHistory(o.db, ids);
  return createTrainingGroup({ specs, data, kernels });
}

class MemberTrainer {
  private live: Member[];
  private buffers: EvalPoint[][];
  private summaries: EpochSummary[] = [];
  private gen: Generator<GroupEvent, TrainingResult[], void>;
  private flushing: Promise<void> = Promise.resolve();
  private flushError: Error | null = null;
  private epochInFlight = false;
  private cancelled = new Set<string>();
  private cancelCheck: Promise<void> | null = null;
  private lastYield = performance.now();
  private lastCancelCheck = this.lastYield;
  private lastProgress = 0;
  private progressDirty = false;
  private readonly started = performance.now();
  private readonly startStep: number;
  private readonly persist = { epochMs: 0, yieldMs: 0, finishMs: 0, checkpointMs: 0 };
  /** Longest stretch without yielding to the event loop (an epoch-end evaluation, typically). */
  private maxBlockMs = 0;

  constructor(
    private readonly o: TrainOptions,
    private readonly data: DatasetSplits,
    private readonly kernels: Kernels,
    private group: TrainingGroup,
  ) {
    this.live = [...o.members];
    this.buffers = this.live.map(() => []);
    this.gen = group.run();
    this.startStep = group.stepsDone();
  }

  async train(): Promise<number> {
    // A checkpoint taken at a rung step may predate the rung's decision: decide it now.
    if (this.startStep > 0) {
      const code = await this.atBoundary(this.startStep);
      if (code !== null) return code;
    }
    for (let r = this.gen.next(); ; r = this.gen.next()) {
      if (r.done) return this.finish(r.value);
      const ev = r.value;
      const T = this.live.length;
      if (ev.kind === 'eval') {
        this.buffers[ev.trial].push(ev.point);
        this.progressDirty = true;
      } else if (ev.kind === 'epoch') {
        this.summaries[ev.trial] = ev.summary;
        if (ev.trial === T - 1) await this.commitEpoch();
      } else {
        this.progressDirty = true;
      }
      // Decisions wait until the step's last event: every member's records of the step are in.
      const boundary = this.group.atStepBoundary();
      await this.housekeeping();
      if (boundary) {
        const code = await this.atBoundary(this.group.stepsDone());
        if (code !== null) return code;
      }
    }
  }

  private progress(): Progress {
    const done = this.group.stepsDone();
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = done > this.startStep ? elapsed / (done - this.startStep) : null;
    return { step: done, epoch: done / this.group.stepsPerEpoch, secondsLeft: rate === null ? null : Math.round(rate * (this.group.totalSteps - done) * 10) / 10 };
  }

  private takeBuffers() {
    const runs = this.live.map((m, i) => ({ runId: m.id, points: this.buffers[i] }));
    this.buffers = this.live.map(() => []);
    return runs;
  }

  private enqueueWrite(write: () => Promise<void>): void {
    this.flushing = this.flushing.then(write).catch((err) => {
      this.flushError = err as Error;
    });
  }

  private flush(): void {
    const runs = this.takeBuffers();
    const p = this.progress();
    this.lastProgress = performance.now();
    this.progressDirty = false;
    this.enqueueWrite(() => writeRunsPoints(this.o.pool, runs, p));
  }

  private async drain(): Promise<void> {
    await this.flushing;
    if (this.flushError) throw this.flushError;
  }

  private async timed<T>(what: keyof MemberTrainer['persist'], f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      this.persist[what] += performance.now() - t0;
    }
  }

  /**
   * The epoch's statement is queued behind earlier writes and runs while training goes on; only
   * if the previous epoch's write is still pending does training wait for it.
   */
  private async commitEpoch(): Promise<void> {
    if (this.epochInFlight) await this.timed('epochMs', () => this.flushing);
    if (this.flushError) throw this.flushError;
    const t0 = performance.now();
    const commits = this.takeBuffers().map((r, i) => ({ ...r, summary: this.summaries[i], checkpoint: this.group.checkpoint(i) }));
    this.persist.checkpointMs += performance.now() - t0;
    const p = this.progress();
    const summary = this.summaries[0];
    this.epochInFlight = true;
    this.enqueueWrite(async () => {
      await commitEpochs(this.o.pool, commits, p);
      this.epochInFlight = false;
      this.o.log.info({ epoch: summary.epoch, step: summary.step, trainSeconds: summary.trainSeconds, validationAccuracy: commits.map((c) => c.summary.validation.accuracy) }, 'epoch stored');
    });
    this.lastProgress = performance.now();
    this.progressDirty = false;
  }

  /** Every 100 ms: background writes, a cancellation check, a turn of the event loop. */
  private async housekeeping(): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < YIELD_EVERY_MS) return;
    this.maxBlockMs = Math.max(this.maxBlockMs, now - this.lastYield);
    if (this.buffers.some((b) => b.length) || (this.progressDirty && now - this.lastProgress >= PROGRESS_EVERY_MS)) this.flush();
    if (!this.cancelCheck && now - this.lastCancelCheck >= CANCEL_CHECK_EVERY_MS) {
      this.lastCancelCheck = now;
      this.cancelCheck = cancelRequestedAmong(this.o.pool, this.live.map((m) => m.id)).then(
        (ids) => {
          for (const id of ids) this.cancelled.add(id);
          this.cancelCheck = null;
        },
        () => {
          this.cancelCheck = null;
        },
      );
    }
    await this.timed('yieldMs', tick);
    this.lastYield = performance.now();
    if (this.flushError) throw this.flushError;
  }

  /** Between two updates: rung decisions, cancellations, SIGTERM. Returns an exit code to stop with. */
  private async atBoundary(step: number): Promise<number | null> {
    const keep = this.live.map(() => true);
    const pruning = this.o.pruning;
    if (pruning?.steps.has(step) && this.o.objective) {
      this.flush();
      await this.drain();
      const validation = this.group.validationMetrics();
      const entries = this.live.map((m, i) => {
        const last = this.group.history(i).points.at(-1);
        const train = last ? last.train : validation[i];
        return { runId: m.id, value: this.o.objective!({ train, validation: validation[i] }), train, validation: validation[i] };
      });
      const decisions = await pruning.decide(step, entries);
      this.live.forEach((m, i) => {
        if (decisions.get(m.id) === false) keep[i] = false;
      });
      const pruned = this.live.filter((_, i) => !keep[i]).map((m) => m.id);
      if (pruned.length) this.o.log.info({ step, pruned, values: entries.map((e) => e.value) }, 'rung: trials pruned');
    }
    const cancelled = this.live.filter((m) => this.cancelled.has(m.id));
    if (cancelled.length) {
      this.flush();
      await this.drain();
      for (const m of cancelled) await markCancelled(this.o.db, m.id);
      this.live.forEach((m, i) => {
        if (this.cancelled.has(m.id)) keep[i] = false;
      });
      this.o.log.info({ step, cancelled: cancelled.map((m) => m.id) }, 'cancelled');
    }
    if (keep.every((k) => !k)) {
      await this.drain();
      return EXIT.done;
    }
    if (this.o.stopRequested()) {
      await this.drain();
      const runs = this.takeBuffers()
        .map((r, i) => ({ ...r, checkpoint: this.group.checkpoint(i) }))
        .filter((_, i) => keep[i]);
      await checkpointAndRequeue(this.o.pool, runs, step, Math.floor(step / this.group.stepsPerEpoch));
      this.o.log.info({ step }, 'stopped on SIGTERM; checkpoint written, handed back');
      return EXIT.handedBack;
    }
    if (keep.some((k) => !k)) this.regroup(keep);
    return null;
  }

  /** The kept members continue as a new group, resumed from their checkpoints at this step. */
  private regroup(keep: boolean[]): void {
    const idx = keep.flatMap((k, i) => (k ? [i] : []));
    const checkpoints = idx.map((i) => this.group.checkpoint(i));
    this.live = idx.map((i) => this.live[i]);
    this.buffers = idx.map((i) => this.buffers[i]);
    this.group = createTrainingGroup({ specs: this.live.map((m) => m.spec), data: this.data, kernels: this.kernels, resumeFrom: checkpoints });
    this.gen = this.group.run();
  }

  private async finish(results: TrainingResult[]): Promise<number> {
    await this.timed('epochMs', () => this.flushing);
    if (this.flushError) throw this.flushError;
    const wall = (performance.now() - this.started) / 1000;
    const backend = this.kernels.backend;
    const rest = this.takeBuffers();
    for (const [i, m] of this.live.entries()) {
      const result = results[i];
      const net = this.group.networks[i];
      const objective = this.o.objective?.({ train: result.train, validation: result.validation });
      await this.timed('finishMs', () =>
        finishRun(this.o.pool, m.id, result, backend, [...runArtifacts(m.spec, result, backend, net, this.data.imageShape), weightsArtifact(net)], rest[i].points, objective),
      );
    }
    // What recording cost the training loop: epoch statements, checkpoint encoding, yields for background writes.
    const loopPersist = (this.persist.epochMs + this.persist.yieldMs + this.persist.checkpointMs) / 1000;
    this.o.log.info(
      {
        runs: this.live.map((m) => m.id),
        testAccuracy: results.map((r) => r.test.accuracy),
        trainSeconds: results[0].trainSeconds,
        wallSeconds: wall,
        persistSeconds: loopPersist,
        persistFraction: loopPersist / wall,
        epochWriteSeconds: this.persist.epochMs / 1000,
        checkpointEncodeSeconds: this.persist.checkpointMs / 1000,
        yieldSeconds: this.persist.yieldMs / 1000,
        artifactsSeconds: this.persist.finishMs / 1000,
        maxBlockSeconds: this.maxBlockMs / 1000,
        backend,
      },
      this.live.length > 1 ? 'group succeeded' : 'run succeeded',
    );
    return EXIT.done;
  }
}
