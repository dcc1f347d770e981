// A Postgres cluster of a test's own (initdb into a temp dir, trust auth, run as the postgres
// user), for faults that must not touch the machine's shared Postgres: stopping, restarting,
// listening on a network namespace's address. pg_ctl starts and stops it; `inNetns` runs the
// postmaster inside a namespace made by test/helpers/netns.ts.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

/** The folder holding initdb, pg_ctl and postgres, or null. */
export function postgresBinDir(): string | null {
  for (const d of BIN_DIRS) if (existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))) return d;
  return null;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
  } catch {
    return null;
  }
}

/** Why a private cluster cannot be made here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: a private Postgres is run as the postgres user, which needs root';
  if (!postgresBinDir()) return `no Postgres binaries (initdb, pg_ctl) under ${BIN_DIRS.join(', ')}`;
  if (!postgresUser()) return 'no postgres user';
  try {
    execFileSync('runuser', ['--help'], { stdio: 'ignore' });
  } catch {
    return 'no runuser';
  }
  return null;
}

export interface PrivatePostgres {
  host: string;
  port: number;
  /** A database URL on this cluster. */
  url(database?: string): string;
  start(): Promise<void>;
  /** pg_ctl stop: `fast` disconnects clients and rolls back; `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops, stays down for `downMs`, starts again; returns how long it was unreachable (ms). */
  restart(o?: { mode?: 'fast' | 'immediate'; downMs?: number }): Promise<number>;
  running(): boolean;
  /** The server log, for failure messages. */
  log(): string;
  /** Stops the cluster (if up) and removes its files. */
  destroy(): void;
}

export interface PrivatePostgresOptions {
  host?: string;
  port?: number;
  /** Run the postmaster inside this network namespace. */
  inNetns?: string;
}

const run = promisify(execFile);

/** initdb + start, on loopback unless told otherwise. */
export async function startPrivatePostgres(o: PrivatePostgresOptions & { port: number }): Promise<PrivatePostgres> {
  const why = privatePostgresUnavailable();
  if (why) throw new Error(why);
  const bin = postgresBinDir()!;
  const user = postgresUser()!;
  const host = o.host ?? '127.0.0.1';
  const port = o.port;
  const dir = mkdtempSync(join(tmpdir(), 'ty-pg-'));
  chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  // Asynchronous: the test's own event loop (an in-process API, pollers) keeps running meanwhile.
  const asPostgres = async (cmd: string, args: string[], netns = false) => {
    const argv = ['-u', 'postgres', '--', join(bin, cmd), ...args];
    const [file, all] = netns && o.inNetns ? ['ip', ['netns', 'exec', o.inNetns, 'runuser', ...argv]] : ['runuser', argv];
    return (await run(file, all, { timeout: 60_000 })).stdout;
  };
  try {
    await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}`);
  }
  appendFileSync(
    join(data, 'postgresql.conf'),
    [
      `listen_addresses = '${host}'`,
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      // No fsync: only an OS crash could lose data, and no test crashes the OS. Commits stay
      // synchronous: an immediate stop (a Postgres crash) must not lose acknowledged commits.
      'fsync = off',
      'full_page_writes = off',
      'max_connections = 100',
      'shared_buffers = 32MB',
      '',
    ].join('\n'),
  );
  appendFileSync(join(data, 'pg_hba.conf'), 'host all all samenet trust\n');
  let up = false;
  const pg: PrivatePostgres = {
    host,
    port,
    url: (database = 'postgres') => `postgresql://postgres@${host}:${port}/${database}`,
    async start() {
      await asPostgres('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '30', 'start'], true);
      up = true;
    },
    async stop(mode = 'fast') {
      if (!existsSync(join(data, 'postmaster.pid'))) return void (up = false);
      await asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
      up = false;
    },
    async restart(r = {}) {
      const t0 = Date.now();
      await pg.stop(r.mode ?? 'fast');
      await new Promise((res) => setTimeout(res, r.downMs ?? 0));
      await pg.start();
      return Date.now() - t0;
    },
    running: () => up,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : ''),
    destroy() {
      try {
        if (existsSync(join(data, 'postmaster.pid'))) execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop'], { stdio: 'ignore' });
      } catch {
        // The pid file names the postmaster: kill it if pg_ctl could not.
        try {
          const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
          if (pid > 0) process.kill(pid, 'SIGKILL');
        } catch {
          // not running
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await pg.start();
  } catch (err) {
    const log = pg.log();
    pg.destroy();
    throw new Error(`the private Postgres did not start: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}\n${log}`);
  }
  return pg;
}
