// The product's pause points (worker/faultPause.ts): a worker started with
// TRAINYARD_FAULT_PAUSE=<phase> prints `trainyard-fault-pause <phase> pid=<pid>` on stderr when it
// reaches the phase and waits there to be killed. Also: whether a process is still alive.
import { readFileSync } from 'node:fs';
import type { WorkerProcess } from './serviceEnv.js';
import { waitFor } from './serviceEnv.js';

export type FaultPhase = 'planning' | 'mid-epoch' | 'before-final-write' | 'artifact-upload';

/** Pids of the pauses at `phase` printed so far, in order. */
export function pausesAt(output: string, phase: FaultPhase): number[] {
  return [...output.matchAll(new RegExp(`trainyard-fault-pause ${phase} pid=(\\d+)`, 'g'))].map((m) => Number(m[1]));
}

/** Waits until the worker (or one of its training processes) has paused at `phase` for the `nth` time (1-based); its pid. */
export function waitForPause(w: WorkerProcess, phase: FaultPhase, o: { nth?: number; timeoutMs?: number } = {}): Promise<number> {
  const nth = o.nth ?? 1;
  return waitFor(
    `the worker to pause at ${phase} (#${nth})`,
    async () => {
      if (w.child.exitCode !== null) throw new Error(`the worker exited with ${w.child.exitCode}:\n${w.output().slice(-3000)}`);
      return pausesAt(w.output(), phase)[nth - 1];
    },
    o.timeoutMs ?? 60_000,
    20,
  );
}

/** Whether the process runs (a zombie waiting for its new parent to reap it does not). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until the process is gone; how long that took (ms). */
export async function waitGone(pid: number, what: string, timeoutMs = 10_000): Promise<number> {
  const t0 = Date.now();
  await waitFor(`${what} (pid ${pid}) to exit`, async () => !alive(pid), timeoutMs, 10);
  return Date.now() - t0;
}

/**
 * Waits until training process `pid` of worker `w` has ended a job at or after `since` (its
 * 'job ended' or 'training process failed' log line), or has exited; how long that took (ms).
 * A training process lives on after its job, idle, waiting for the next.
 */
export async function waitJobEnded(w: WorkerProcess, pid: number, what: string, since: number, timeoutMs = 30_000): Promise<number> {
  const t0 = Date.now();
  await waitFor(
    `${what} (pid ${pid}) to end its job`,
    async () =>
      !alive(pid) ||
      w
        .output()
        .split('\n')
        .some((l) => {
          if (!l.startsWith('{') || !l.includes(`"pid":${pid},`)) return false;
          const j = JSON.parse(l);
          return (j.msg === 'job ended' || j.msg === 'training process failed') && Date.parse(j.time) >= since;
        }),
    timeoutMs,
    10,
  );
  return Date.now() - t0;
}
