// What a trainer writes while it trains runs, and where: Postgres for the service
// (src/store/pgRunRecorder.ts, every write fenced by the attempt's lease) or memory for the CLI
// (src/search/memorySearchStorage.ts). trainMembers only ever talks to this interface.
import type { EpochSummary, EvalPoint, TrainingResult } from '../core/training/metrics.js';
import type { Artifact } from '../report/runArtifacts.js';

export interface Progress {
  step: number;
  epoch: number;
  secondsLeft: number | null;
}

/** Each run's points since the last flush: a run alone, or every member of a fused group. */
export interface RunPoints {
  runId: string;
  points: EvalPoint[];
}

/** One run's end of epoch: its summary, the points since the last flush and its checkpoint. */
export interface EpochCommit extends RunPoints {
  summary: EpochSummary;
  checkpoint: Uint8Array;
}

export interface StoredCheckpoint {
  step: number;
  epoch: number;
  data: Uint8Array;
}

export interface RunFinish {
  runId: string;
  result: TrainingResult;
  backend: string;
  /** Built only by recorders that keep artifacts (they cost time to encode). */
  artifacts: () => Artifact[];
  points: EvalPoint[];
  /** A search trial's objective value. */
  objective?: number;
}

export interface RunRecorder {
  checkpoints(runIds: string[]): Promise<(StoredCheckpoint | null)[]>;
  /** Points written after the checkpoint by an attempt that died: the resumed attempt writes them again. */
  dropPointsAfter(runIds: string[], step: number): Promise<void>;
  /** Forgets the runs' recorded history (their checkpoints cannot resume them): they start over. */
  resetHistory(runIds: string[]): Promise<void>;
  writePoints(runs: RunPoints[], progress: Progress): Promise<void>;
  /** The same epoch of every member at once, so all members' checkpoints always share a step. */
  commitEpochs(commits: EpochCommit[], progress: Progress): Promise<void>;
  /** Mid-epoch checkpoints, and the runs back to queued for a later attempt. */
  handBack(runs: (RunPoints & { checkpoint: Uint8Array })[], step: number, epoch: number): Promise<void>;
  finish(f: RunFinish): Promise<void>;
  fail(runId: string, message: string): Promise<void>;
  markCancelled(runIds: string[]): Promise<void>;
  /** Those of the runs whose cancellation was requested, or that this attempt no longer owns. */
  stopRequested(runIds: string[]): Promise<string[]>;
}
