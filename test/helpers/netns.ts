// Hosts made of Linux network namespaces, for tests that need real machines and a real network
// between them: a "lan" namespace holding a bridge (the switch), one namespace per host with an
// eth0 plugged into it by a veth pair, and a veth from the test's own namespace so that the test
// can reach the hosts. Cutting a host's link sets its switch port down: the host's processes see
// nothing but silence (no reset, no error), as when a cable is pulled or a machine partitioned.
// Traffic only ever goes to these namespaces: the subnet is a free 10.x.y.0/24 and nothing routes
// it anywhere else. Everything is removed by destroy(), also when the test process exits early.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

export interface Host {
  name: string;
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  address: string;
}

export interface Lan {
  /** The test's own address on the lan. */
  rootAddress: string;
  hosts: Record<string, Host>;
  /** Starts a process inside the host's namespace. */
  spawn(host: string, command: string, args: string[], o?: SpawnOptions): ChildProcess;
  /** The host's switch port down: it is cut off from every other host. */
  cut(host: string): void;
  restore(host: string): void;
  /** Kills whatever still runs in the namespaces, deletes them (and so every veth). Idempotent. */
  destroy(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** Why namespaces cannot be made here, or null. Tries: a namespace made and deleted. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'no `ip` (iproute2)';
  const probe = `typrobe-${randomBytes(3).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('-n', probe, 'link', 'add', 'br0', 'type', 'bridge');
  } catch (err) {
    return `cannot make a network namespace with a bridge: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`;
  } finally {
    spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  }
  return null;
}

/** A 10.x.y.0/24 that no route or address of this machine uses. */
function freeSubnet(): string {
  const used = ip('-4', 'route', 'show', 'table', 'all') + ip('-4', 'addr', 'show');
  for (;;) {
    const s = `10.${randomInt(200, 255)}.${randomInt(0, 256)}`;
    if (!used.includes(`${s}.`)) return s;
  }
}

const live = new Set<Lan>();
let hooked = false;
function cleanUpAtExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const lan of live) lan.destroy();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const lan of live) lan.destroy();
      process.exit(130);
    });
  }
}

export function createLan(hostNames: string[]): Lan {
  const id = `ty${randomBytes(2).toString('hex')}`;
  const subnet = freeSubnet();
  const lanNs = `${id}-lan`;
  const rootIf = `${id}-r`;
  const namespaces = [lanNs, ...hostNames.map((h) => `${id}-${h}`)];
  const hosts: Record<string, Host> = Object.fromEntries(hostNames.map((h, i) => [h, { name: h, ns: `${id}-${h}`, address: `${subnet}.${10 + i}` }]));
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const lan: Lan = {
    rootAddress: `${subnet}.1`,
    hosts,
    spawn(host, command, args, o = {}) {
      const c = spawn('ip', ['netns', 'exec', hosts[host].ns, command, ...args], o);
      children.add(c);
      c.once('exit', () => children.delete(c));
      return c;
    },
    cut: (host) => void ip('-n', lanNs, 'link', 'set', `p-${host}`, 'down'),
    restore: (host) => void ip('-n', lanNs, 'link', 'set', `p-${host}`, 'up'),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      live.delete(lan);
      for (const c of children) c.kill('SIGKILL');
      for (const ns of namespaces) {
        // Anything left inside (a training child, a daemonised server) dies with its namespace's processes.
        const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
        for (const pid of pids.split('\n').filter(Boolean)) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
      for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      spawnSync('ip', ['link', 'del', rootIf], { stdio: 'ignore' });
    },
  };
  live.add(lan);
  cleanUpAtExit();
  try {
    for (const ns of namespaces) {
      ip('netns', 'add', ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', lanNs, 'link', 'set', 'br0', 'up');
    for (const h of Object.values(hosts)) {
      ip('-n', lanNs, 'link', 'add', `p-${h.name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      ip('-n', lanNs, 'link', 'set', `p-${h.name}`, 'master', 'br0', 'up');
      ip('-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
      ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
    }
    ip('link', 'add', rootIf, 'type', 'veth', 'peer', 'name', 'p-root', 'netns', lanNs);
    ip('-n', lanNs, 'link', 'set', 'p-root', 'master', 'br0', 'up');
    ip('addr', 'add', `${lan.rootAddress}/24`, 'dev', rootIf);
    ip('link', 'set', rootIf, 'up');
  } catch (err) {
    lan.destroy();
    throw new Error(`could not build the lan: ${(err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message}`);
  }
  return lan;
}
