// Trains runs in one pass: a run alone, or the members of a fused search group (one training
// group, src/core/training/trainingGroup.ts), recording through a RunRecorder. Each run gets its
// own points, epochs, checkpoints, progress and result:
//   - evaluation points and progress in small batches, flushed in the background at most every
//     100 ms of wall time (training is synchronous, so it yields to the event loop that often);
//   - the same epoch of every member, its remaining points and checkpoints in one write, so
//     members' checkpoints always share a step and a resumed group trains together again;
//   - on resume, the latest checkpoints are loaded and points after them are dropped and rewritten.
// Membership changes (a member cancelled or pruned at a rung), parking at an undecided rung and
// SIGTERM are handled between two updates, after the step's evaluations: the survivors continue in
// a new group resumed exactly from their in-memory checkpoints.
import type { DatasetSplits } from '../core/data/dataset.js';
import type { Kernels } from '../core/kernels/kernels.js';
import type { EpochSummary, EvalPoint, SplitMetrics, TrainingResult } from '../core/training/metrics.js';
import { createTrainingGroup, type GroupEvent, type TrainingGroup } from '../core/training/trainingGroup.js';
import type { ExperimentSpec } from '../experiment/experimentSpec.js';
import { runArtifacts } from '../report/runArtifacts.js';
import { weightsArtifact } from '../report/weightsArtifact.js';
import type { Progress, RunRecorder } from './runRecorder.js';

const YIELD_EVERY_MS = 100;
const CANCEL_CHECK_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 1000;
const RUNG_POLL_MS = 250;

export interface Member {
  id: string;
  spec: ExperimentSpec;
}

/** What a trainer logs: pino's call shape, so a pino logger fits. */
export interface TrainLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RungValue {
  runId: string;
  value: number;
  train: SplitMetrics;
  validation: SplitMetrics;
}

/** Successive halving for a search group: where the rungs are and how they are decided. */
export interface Pruning {
  steps: Set<number>;
  /** Records the values; every decision at the rung once it is complete, else null. */
  reach(step: number, values: RungValue[]): Promise<Map<string, boolean> | null>;
  /** Whether the trials the rung at `step` still waits for are training now (else waiting here could wait forever). */
  canWait(step: number): Promise<boolean>;
  /** The group stops at the undecided rung; it is released again once the rung is decided. */
  park(step: number): Promise<void>;
}

export interface TrainOptions {
  members: Member[];
  data: DatasetSplits;
  kernels: Kernels;
  recorder: RunRecorder;
  log: TrainLog;
  stopRequested: () => boolean;
  /** A search trial's objective, stored with its result and used at rungs. */
  objective?: (m: { train: SplitMetrics; validation: SplitMetrics }) => number;
  pruning?: Pruning;
  onProgress?: (runIds: string[], p: Progress & { totalSteps: number }) => void;
  /** A test's pause points (the fault tests kill the process there); absent in production. */
  pause?: (phase: 'mid-epoch' | 'before-final-write') => Promise<void>;
}

/** done: every member's outcome is recorded; handedBack: SIGTERM, checkpointed for another attempt; parked: waits at a rung. */
export type TrainOutcome = 'done' | 'handedBack' | 'parked';

interface Clock {
  started: number;
  lastYield: number;
  lastCancelCheck: number;
  lastProgress: number;
  /** Longest stretch without yielding to the event loop (an epoch-end evaluation, typically). */
  maxBlockMs: number;
}

/** The recorder's writes, chained in order and run in the background while training goes on. */
interface Writes {
  chain: Promise<void>;
  error: Error | null;
  epochInFlight: boolean;
}

interface TrainState {
  o: TrainOptions;
  group: TrainingGroup;
  gen: Generator<GroupEvent, TrainingResult[], void>;
  live: Member[];
  buffers: EvalPoint[][];
  summaries: EpochSummary[];
  writes: Writes;
  stopping: Set<string>;
  stopCheck: Promise<void> | null;
  progressDirty: boolean;
  startStep: number;
  clock: Clock;
  persist: { epochMs: number; yieldMs: number; finishMs: number; checkpointMs: number };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Loads the members' checkpoints, then trains to the end, a rung it must wait at, or SIGTERM. */
export async function trainMembers(o: TrainOptions): Promise<TrainOutcome> {
  const group = await resumeOrStart(o);
  const now = performance.now();
  const s: TrainState = {
    o,
    group,
    gen: group.run(),
    live: [...o.members],
    buffers: o.members.map(() => []),
    summaries: [],
    writes: { chain: Promise.resolve(), error: null, epochInFlight: false },
    stopping: new Set(),
    stopCheck: null,
    progressDirty: false,
    startStep: group.stepsDone(),
    clock: { started: now, lastYield: now, lastCancelCheck: now, lastProgress: 0, maxBlockMs: 0 },
    persist: { epochMs: 0, yieldMs: 0, finishMs: 0, checkpointMs: 0 },
  };
  return train(s);
}

/** A group resumed from the members' checkpoints when they all have one at the same step, else a fresh one. */
async function resumeOrStart(o: TrainOptions): Promise<TrainingGroup> {
  const ids = o.members.map((m) => m.id);
  const specs = o.members.map((m) => m.spec);
  const fresh = () => createTrainingGroup({ specs, data: o.data, kernels: o.kernels });
  const cks = await o.recorder.checkpoints(ids);
  if (cks.every((c) => c === null)) {
    await o.recorder.dropPointsAfter(ids, -1);
    return fresh();
  }
  if (cks.every((c) => c !== null && c.step === cks[0]!.step)) {
    try {
      const group = createTrainingGroup({ specs, data: o.data, kernels: o.kernels, resumeFrom: cks.map((c) => c!.data) });
      await o.recorder.dropPointsAfter(ids, cks[0]!.step);
      o.log.info({ step: cks[0]!.step, epoch: cks[0]!.epoch }, 'resuming from checkpoint');
      return group;
    } catch (err) {
      o.log.warn({ err: (err as Error).message }, 'checkpoint unusable; starting over');
    }
  } else {
    o.log.warn({ steps: cks.map((c) => c?.step ?? null) }, 'members have checkpoints at different steps; starting over');
  }
  await o.recorder.resetHistory(ids);
  return fresh();
}

async function train(s: TrainState): Promise<TrainOutcome> {
  // A checkpoint taken at a rung step may predate the rung's decision: decide it now.
  if (s.startStep > 0) {
    const stop = await atBoundary(s, s.startStep);
    if (stop) return stop;
  }
  for (let r = s.gen.next(); ; r = s.gen.next()) {
    if (r.done) return finish(s, r.value);
    const ev = r.value;
    if (ev.kind === 'eval') {
      s.buffers[ev.trial].push(ev.point);
      s.progressDirty = true;
    } else if (ev.kind === 'epoch') {
      s.summaries[ev.trial] = ev.summary;
      if (ev.trial === s.live.length - 1) await commitEpoch(s);
    } else {
      s.progressDirty = true;
    }
    // Decisions wait until the step's last event: every member's records of the step are in.
    const boundary = s.group.atStepBoundary();
    await housekeeping(s);
    const step = s.group.stepsDone();
    // Half way through the second epoch: a checkpoint exists, and this epoch's points are unsaved.
    if (boundary && s.o.pause && step === s.group.stepsPerEpoch + Math.floor(s.group.stepsPerEpoch / 2)) {
      await drain(s);
      await s.o.pause('mid-epoch');
    }
    if (boundary) {
      const stop = await atBoundary(s, s.group.stepsDone());
      if (stop) return stop;
    }
  }
}

function progressOf(s: TrainState): Progress {
  const done = s.group.stepsDone();
  const elapsed = (performance.now() - s.clock.started) / 1000;
  const rate = done > s.startStep ? elapsed / (done - s.startStep) : null;
  return { step: done, epoch: done / s.group.stepsPerEpoch, secondsLeft: rate === null ? null : Math.round(rate * (s.group.totalSteps - done) * 10) / 10 };
}

function takeBuffers(s: TrainState) {
  const runs = s.live.map((m, i) => ({ runId: m.id, points: s.buffers[i] }));
  s.buffers = s.live.map(() => []);
  return runs;
}

function enqueueWrite(s: TrainState, write: () => Promise<void>): void {
  s.writes.chain = s.writes.chain.then(write).catch((err) => {
    s.writes.error = err as Error;
  });
}

function flush(s: TrainState): void {
  const runs = takeBuffers(s);
  const p = progressOf(s);
  s.clock.lastProgress = performance.now();
  s.progressDirty = false;
  s.o.onProgress?.(runs.map((r) => r.runId), { ...p, totalSteps: s.group.totalSteps });
  enqueueWrite(s, () => s.o.recorder.writePoints(runs, p));
}

async function drain(s: TrainState): Promise<void> {
  await s.writes.chain;
  if (s.writes.error) throw s.writes.error;
}

async function timed<T>(s: TrainState, what: keyof TrainState['persist'], f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    s.persist[what] += performance.now() - t0;
  }
}

/**
 * The epoch's write is queued behind earlier writes and runs while training goes on; only if the
 * previous epoch's write is still pending does training wait for it.
 */
async function commitEpoch(s: TrainState): Promise<void> {
  if (s.writes.epochInFlight) await timed(s, 'epochMs', () => s.writes.chain);
  if (s.writes.error) throw s.writes.error;
  const t0 = performance.now();
  const commits = takeBuffers(s).map((r, i) => ({ ...r, summary: s.summaries[i], checkpoint: s.group.checkpoint(i) }));
  s.persist.checkpointMs += performance.now() - t0;
  const p = progressOf(s);
  const summary = s.summaries[0];
  s.writes.epochInFlight = true;
  enqueueWrite(s, async () => {
    await s.o.recorder.commitEpochs(commits, p);
    s.writes.epochInFlight = false;
    s.o.log.info({ epoch: summary.epoch, step: summary.step, trainSeconds: summary.trainSeconds, validationAccuracy: commits.map((c) => c.summary.validation.accuracy) }, 'epoch stored');
  });
  s.clock.lastProgress = performance.now();
  s.progressDirty = false;
}

/** Every 100 ms: background writes, a cancellation check, a turn of the event loop. */
async function housekeeping(s: TrainState): Promise<void> {
  const now = performance.now();
  if (now - s.clock.lastYield < YIELD_EVERY_MS) return;
  s.clock.maxBlockMs = Math.max(s.clock.maxBlockMs, now - s.clock.lastYield);
  if (s.buffers.some((b) => b.length) || (s.progressDirty && now - s.clock.lastProgress >= PROGRESS_EVERY_MS)) flush(s);
  if (!s.stopCheck && now - s.clock.lastCancelCheck >= CANCEL_CHECK_EVERY_MS) {
    s.clock.lastCancelCheck = now;
    s.stopCheck = s.o.recorder.stopRequested(s.live.map((m) => m.id)).then(
      (ids) => {
        for (const id of ids) s.stopping.add(id);
        s.stopCheck = null;
      },
      () => {
        s.stopCheck = null;
      },
    );
  }
  await timed(s, 'yieldMs', tick);
  s.clock.lastYield = performance.now();
  if (s.writes.error) throw s.writes.error;
}

/** Between two updates: rung decisions, cancellations, SIGTERM. Returns the outcome to stop with, or null to go on. */
async function atBoundary(s: TrainState, step: number): Promise<TrainOutcome | null> {
  const keep = s.live.map(() => true);
  const pruning = s.o.pruning;
  if (pruning?.steps.has(step) && s.o.objective) {
    flush(s);
    await drain(s);
    const decisions = await awaitRung(s, pruning, step);
    if (decisions === 'stop') return s.o.stopRequested() ? handBack(s, step, keep, 'handedBack') : handBack(s, step, keep, 'parked');
    s.live.forEach((m, i) => {
      if (decisions.get(m.id) === false) keep[i] = false;
    });
    const pruned = s.live.filter((_, i) => !keep[i]).map((m) => m.id);
    if (pruned.length) s.o.log.info({ step, pruned }, 'rung: trials pruned');
  }
  const cancelled = s.live.filter((m) => s.stopping.has(m.id));
  if (cancelled.length) {
    flush(s);
    await drain(s);
    await s.o.recorder.markCancelled(cancelled.map((m) => m.id));
    s.live.forEach((m, i) => {
      if (s.stopping.has(m.id)) keep[i] = false;
    });
    s.o.log.info({ step, cancelled: cancelled.map((m) => m.id) }, 'cancelled');
  }
  if (keep.every((k) => !k)) {
    await drain(s);
    return 'done';
  }
  if (s.o.stopRequested()) return handBack(s, step, keep, 'handedBack');
  if (keep.some((k) => !k)) regroup(s, keep);
  return null;
}

/** The rung's decisions, waiting here while the trials it needs are training; 'stop' to park or hand back. */
async function awaitRung(s: TrainState, pruning: Pruning, step: number): Promise<Map<string, boolean> | 'stop'> {
  const validation = s.group.validationMetrics();
  const values = s.live.map((m, i) => {
    const last = s.group.history(i).points.at(-1);
    const train = last ? last.train : validation[i];
    return { runId: m.id, value: s.o.objective!({ train, validation: validation[i] }), train, validation: validation[i] };
  });
  for (;;) {
    const decisions = await pruning.reach(step, values);
    if (decisions) return decisions;
    if (s.o.stopRequested() || !(await pruning.canWait(step))) return 'stop';
    await sleep(RUNG_POLL_MS);
  }
}

/** Checkpoints the kept members at this step and gives them back: to the queue (SIGTERM) or parked at the rung. */
async function handBack(s: TrainState, step: number, keep: boolean[], outcome: 'handedBack' | 'parked'): Promise<TrainOutcome> {
  await drain(s);
  const runs = takeBuffers(s)
    .map((r, i) => ({ ...r, checkpoint: s.group.checkpoint(i) }))
    .filter((_, i) => keep[i]);
  await s.o.recorder.handBack(runs, step, Math.floor(step / s.group.stepsPerEpoch));
  if (outcome === 'parked') {
    await s.o.pruning!.park(step);
    s.o.log.info({ step }, 'waiting at the rung for the other trials; checkpoint written');
  } else {
    s.o.log.info({ step }, 'stopped on SIGTERM; checkpoint written, handed back');
  }
  return outcome;
}

/** The kept members continue as a new group, resumed from their checkpoints at this step. */
function regroup(s: TrainState, keep: boolean[]): void {
  const idx = keep.flatMap((k, i) => (k ? [i] : []));
  const checkpoints = idx.map((i) => s.group.checkpoint(i));
  s.live = idx.map((i) => s.live[i]);
  s.buffers = idx.map((i) => s.buffers[i]);
  s.group = createTrainingGroup({ specs: s.live.map((m) => m.spec), data: s.o.data, kernels: s.o.kernels, resumeFrom: checkpoints });
  s.gen = s.group.run();
}

async function finish(s: TrainState, results: TrainingResult[]): Promise<TrainOutcome> {
  await timed(s, 'epochMs', () => s.writes.chain);
  if (s.writes.error) throw s.writes.error;
  await s.o.pause?.('before-final-write');
  const wall = (performance.now() - s.clock.started) / 1000;
  const backend = s.o.kernels.backend;
  const rest = takeBuffers(s);
  for (const [i, m] of s.live.entries()) {
    const result = results[i];
    const net = s.group.networks[i];
    const objective = s.o.objective?.({ train: result.train, validation: result.validation });
    await timed(s, 'finishMs', () =>
      s.o.recorder.finish({
        runId: m.id,
        result,
        backend,
        artifacts: () => [...runArtifacts(m.spec, result, backend, net, s.o.data.imageShape), weightsArtifact(net)],
        points: rest[i].points,
        objective,
      }),
    );
  }
  // What recording cost the training loop: epoch writes, checkpoint encoding, yields for background writes.
  const loopPersist = (s.persist.epochMs + s.persist.yieldMs + s.persist.checkpointMs) / 1000;
  s.o.log.info(
    {
      runs: s.live.map((m) => m.id),
      testAccuracy: results.map((r) => r.test.accuracy),
      trainSeconds: results[0].trainSeconds,
      wallSeconds: wall,
      persistSeconds: loopPersist,
      persistFraction: loopPersist / wall,
      epochWriteSeconds: s.persist.epochMs / 1000,
      checkpointEncodeSeconds: s.persist.checkpointMs / 1000,
      yieldSeconds: s.persist.yieldMs / 1000,
      artifactsSeconds: s.persist.finishMs / 1000,
      maxBlockSeconds: s.clock.maxBlockMs / 1000,
      backend,
    },
    s.live.length > 1 ? 'group succeeded' : 'run succeeded',
  );
  return 'done';
}
