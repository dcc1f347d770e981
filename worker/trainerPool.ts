// The worker's training processes (worker/trainerProcess.ts), kept between jobs: a job goes to an
// idle one, or to a new one when none is idle. A process that failed, was killed or was told to
// stop is not reused; one idle for `idleMs` is told to exit and gives its memory back.
// A child process rather than a worker thread: it gets its own BLAS threads and heap, SIGTERM can
// be forwarded to it, and a crash in native code cannot take the worker down.
import { fork, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import type { JobName } from '../src/queue/queue.js';
import { EXIT, type JobReply, type JobRequest } from './protocol.js';

/** How a job's attempt ended, as the worker sees it. */
export type JobEnd =
  | { kind: 'done'; trainerPid: number }
  | { kind: 'handedBack'; trainerPid: number }
  | { kind: 'failed'; trainerPid: number; failure: string | null; code: number | null; signal: NodeJS.Signals | null };

export interface TrainerPool {
  /** Trains job `name` `id` in an idle training process (or a new one); resolves when it ends. */
  run(name: JobName, id: string): Promise<JobEnd>;
  /** SIGTERM to every training process: busy ones hand their jobs back, idle ones exit. */
  stopAll(): void;
  /** Training processes alive (busy + idle). */
  size(): number;
}

export interface TrainerPoolOptions {
  script: string;
  env: NodeJS.ProcessEnv;
  idleMs: number;
  /** How much nicer than the worker its training processes run (0: the same). */
  nice: number;
}

interface Trainer {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  idleTimer?: NodeJS.Timeout;
}

export function createTrainerPool(o: TrainerPoolOptions): TrainerPool {
  const all = new Set<Trainer>();
  const idle: Trainer[] = [];
  let stopping = false;

  const spawn = (): Trainer => {
    const child = fork(o.script, [], { env: o.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // Training is batch work: at a lower priority it takes every idle cycle but yields the CPU at
    // once to an API or coordinator on the same host. Set before the child loads its kernels, so
    // the threads they start inherit it.
    if (o.nice > 0 && child.pid) setPriority(child.pid, Math.min(19, getPriority() + o.nice));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const t: Trainer = { child, exited };
    all.add(t);
    void exited.then(() => {
      all.delete(t);
      const i = idle.indexOf(t);
      if (i >= 0) idle.splice(i, 1);
      clearTimeout(t.idleTimer);
    });
    return t;
  };

  const take = (): Trainer => {
    for (let t = idle.pop(); t; t = idle.pop()) {
      clearTimeout(t.idleTimer);
      if (t.child.exitCode === null && t.child.signalCode === null && t.child.connected) return t;
    }
    return spawn();
  };

  const release = (t: Trainer): void => {
    if (stopping || !t.child.connected) return;
    idle.push(t);
    if (o.idleMs > 0) t.idleTimer = setTimeout(() => retire(t), o.idleMs);
  };

  const retire = (t: Trainer): void => {
    const i = idle.indexOf(t);
    if (i >= 0) idle.splice(i, 1);
    t.child.kill('SIGTERM');
  };

  return {
    async run(name, id) {
      const t = take();
      const pid = t.child.pid ?? -1;
      if (stopping) t.child.kill('SIGTERM');
      const replied = new Promise<JobReply>((resolve) => {
        const onMessage = (m: JobReply) => {
          if (m?.kind !== 'finished' && m?.kind !== 'failure') return;
          t.child.off('message', onMessage);
          resolve(m);
        };
        t.child.on('message', onMessage);
      });
      const request: JobRequest = { kind: 'job', name, id };
      t.child.send(request, () => {});
      const first = await Promise.race([replied, t.exited.then((e) => ({ kind: 'exit' as const, ...e }))]);
      if (first.kind === 'finished') {
        if (first.outcome === 'done') release(t);
        return { kind: first.outcome, trainerPid: pid };
      }
      // A failure message is followed by the process's exit; an exit may come without a message.
      const failure = first.kind === 'failure' ? first.message : null;
      const { code, signal } = first.kind === 'exit' ? first : await t.exited;
      if (code === EXIT.handedBack) return { kind: 'handedBack', trainerPid: pid };
      return { kind: 'failed', trainerPid: pid, failure, code, signal };
    },
    stopAll() {
      stopping = true;
      for (const t of all) t.child.kill('SIGTERM');
    },
    size: () => all.size,
  };
}
