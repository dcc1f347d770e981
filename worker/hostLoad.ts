// How many training processes on this machine are training right now, so that each uses its
// share of the cores: two jobs on two cores one thread each (more would oversubscribe them), a
// lone job (the final retrain, a single run, a stage's last group) every core. Each busy training
// process holds a file named by its pid in a folder every worker on the machine shares; the file
// of a process that died is not counted (and removed).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostLoad {
  /** This process trains from now on. */
  busy(): void;
  /** This process stopped training. */
  idle(): void;
  /** The live training processes on the machine (this one included while busy). */
  trainers(): number;
  /** This process's share of the cores: cores / trainers, at least 1. */
  threadShare(): number;
}

export function defaultHostLoadDir(): string {
  return join(tmpdir(), `trainyard-trainers-${process.getuid?.() ?? 'user'}`);
}

export function hostLoad(o: { dir?: string; cores?: number; pid?: number } = {}): HostLoad {
  const dir = o.dir ?? defaultHostLoadDir();
  const cores = o.cores ?? availableParallelism();
  const pid = o.pid ?? process.pid;
  const mine = join(dir, String(pid));
  const trainers = (): number => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return 0;
    }
    let live = 0;
    for (const name of names) {
      const other = Number(name);
      if (!Number.isInteger(other) || other <= 0) continue;
      if (other === pid || processExists(other)) live++;
      else rmSync(join(dir, name), { force: true });
    }
    return live;
  };
  return {
    busy() {
      mkdirSync(dir, { recursive: true });
      writeFileSync(mine, '');
    },
    idle: () => rmSync(mine, { force: true }),
    trainers,
    threadShare: () => Math.max(1, Math.floor(cores / Math.max(1, trainers()))),
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
