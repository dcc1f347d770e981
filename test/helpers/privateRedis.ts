// A redis-server of a test's own (nothing on disk, like the machine's), so that a test can stop
// and restart Redis without disturbing anyone else's queues; `inNetns` runs it inside a network
// namespace made by test/helpers/netns.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { redisAnswers } from '../../src/runtime/redisAnswers.js';
import { waitFor } from './serviceEnv.js';

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  /** Stops without saving: everything in it is lost. */
  stop(): Promise<void>;
  /** Stops, stays down for `downMs`, starts again empty; returns how long it was down (ms). */
  restart(o?: { downMs?: number }): Promise<number>;
  destroy(): Promise<void>;
}

export function redisServerUnavailable(): string | null {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0 ? null : 'no redis-server on PATH';
}

export async function startPrivateRedis(o: { host?: string; port: number; inNetns?: string }): Promise<PrivateRedis> {
  const host = o.host ?? '127.0.0.1';
  const url = `redis://${host}:${o.port}`;
  // Protected mode refuses clients from other addresses than loopback: on a namespace's address the
  // clients are the test's own hosts.
  const args = ['--bind', host, '--port', String(o.port), '--save', '', '--appendonly', 'no', '--dir', '/tmp', '--logfile', '', '--protected-mode', host.startsWith('127.') ? 'yes' : 'no'];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const r: PrivateRedis = {
    url,
    async start() {
      const [file, argv] = o.inNetns ? ['ip', ['netns', 'exec', o.inNetns, 'redis-server', ...args]] : ['redis-server', args];
      const c = spawn(file, argv, { stdio: 'ignore' });
      child = c;
      exited = new Promise((res) => c.once('exit', () => res()));
      await waitFor(`redis-server on ${host}:${o.port}`, () => redisAnswers(url, 300), 10_000, 50);
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      // SIGTERM without a save point configured: redis exits without writing anything.
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      child = null;
    },
    async restart(x = {}) {
      const t0 = Date.now();
      await r.stop();
      await new Promise((res) => setTimeout(res, x.downMs ?? 0));
      await r.start();
      return Date.now() - t0;
    },
    async destroy() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await exited;
      }
      child = null;
    },
  };
  await r.start();
  return r;
}
