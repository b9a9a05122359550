import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/**
 * A private network made of Linux network namespaces: one bridge in the root
 * namespace, and per role (server, desks) a namespace joined to it by a veth
 * pair, on a /24 of 10.213.x.0 of its own. While the lab exists the root
 * namespace holds an `unreachable` route for that subnet, so every packet a
 * test sees between two roles crossed the veths and the bridge, never a
 * shortcut through the test process's own stack.
 *
 * Names carry the creating process's id (`tl<pid>-<role>`), so a lab left by
 * a killed run is found and removed by the next one.
 */

const IP = '/usr/sbin/ip';
const WAIT_MS = 5_000;

/** Why this machine cannot build the lab (not root, no `ip`, no namespaces), or null. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'creating network namespaces needs root (run as root, as CI does)';
  try {
    accessSync(IP, constants.X_OK);
  } catch {
    return `${IP} (iproute2) is not installed`;
  }
  const probe = spawnSync(IP, ['netns', 'list'], { timeout: WAIT_MS, encoding: 'utf8' });
  if (probe.status !== 0) return `"ip netns" does not work here: ${probe.stderr.trim() || probe.error?.message}`;
  return null;
}

function ip(args: string[], o: { tolerate?: boolean } = {}): string {
  const r = spawnSync(IP, args, { timeout: WAIT_MS, encoding: 'utf8' });
  if (r.status !== 0 && !o.tolerate) {
    throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim() || r.error?.message || `status ${r.status}`}`);
  }
  return r.stdout ?? '';
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Kills every process still inside a namespace (SIGKILL: a lab is torn down only when its test is over). */
function killInside(ns: string): void {
  const pids = ip(['netns', 'pids', ns], { tolerate: true })
    .split(/\s+/)
    .map(Number)
    .filter((p) => p > 0 && p !== process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function removeLab(owner: number, namespaces: string[], subnet: string | null): void {
  for (const ns of namespaces) {
    killInside(ns);
    ip(['netns', 'del', ns], { tolerate: true });
  }
  ip(['link', 'del', `tlb${owner}`], { tolerate: true });
  if (subnet) ip(['route', 'del', 'unreachable', subnet, 'metric', String(owner)], { tolerate: true });
}

/** Removes the labs of test processes that died without tearing theirs down. */
function sweepStale(): void {
  const byOwner = new Map<number, string[]>();
  for (const line of ip(['netns', 'list'], { tolerate: true }).split('\n')) {
    const m = /^(tl(\d+)-[a-z0-9]+)\b/.exec(line.trim());
    if (!m) continue;
    const owner = Number(m[2]);
    if (owner === process.pid || alive(owner)) continue;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), m[1]!]);
  }
  for (const [owner, namespaces] of byOwner) removeLab(owner, namespaces, null);
  // A lab's unreachable route carries its owner's pid as the metric.
  for (const line of ip(['route', 'show', 'type', 'unreachable'], { tolerate: true }).split('\n')) {
    const m = /^unreachable (10\.213\.\d+\.0\/24) .*metric (\d+)/.exec(line.trim());
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) {
      ip(['route', 'del', 'unreachable', m[1]!, 'metric', m[2]!], { tolerate: true });
    }
  }
  // Bridges whose namespaces were already gone.
  for (const line of ip(['-o', 'link', 'show', 'type', 'bridge'], { tolerate: true }).split('\n')) {
    const m = /^\d+: tlb(\d+)[:@]/.exec(line);
    if (m && !alive(Number(m[1])) && Number(m[1]) !== process.pid)
      ip(['link', 'del', `tlb${m[1]}`], { tolerate: true });
  }
}

/** A /24 of 10.213.0.0/16 that no route of this machine uses yet. */
function freeSubnet(): { prefix: string; subnet: string } {
  const used = ip(['route', 'show', 'table', 'all'], { tolerate: true });
  const start = process.pid % 250;
  for (let i = 0; i < 250; i++) {
    const third = (start + i) % 250;
    const prefix = `10.213.${third}`;
    if (!used.includes(`${prefix}.0/24`)) return { prefix, subnet: `${prefix}.0/24` };
  }
  throw new Error('no free /24 in 10.213.0.0/16');
}

export interface Lab {
  subnet: string;
  /** The namespace of a role, for `ip netns exec`. */
  ns(role: string): string;
  /** The role's address on the lab network. */
  addr(role: string): string;
  /** A command line that runs `argv` inside the role's namespace. */
  wrap(role: string, argv: string[]): [string, string[]];
  /** Removes the namespaces (and every process in them), the bridge and the route. Safe to call twice. */
  teardown(): void;
}

export interface LabOptions {
  /**
   * "bridge" (the default): every role on one /24 behind a bridge, each
   * reaching every other. "star": the first role is a server reached by all
   * the others, each over a link of its own (a /30), at one address on the
   * server's loopback; the others have a route to that address only and the
   * server does not forward, so no two of them can reach each other (desks
   * behind different NATs, say, whose media must go through a TURN relay).
   */
  topology?: 'bridge' | 'star';
}

/**
 * Builds the lab for the given roles (on the bridge the first gets .2, the
 * next .3, …; in a star the server gets .1, the others .6, .10, …). Torn
 * down by `teardown()`, and also when the process exits or is interrupted
 * before that.
 */
export function createLab(roles: string[], options: LabOptions = {}): Lab {
  const why = netnsUnavailable();
  if (why) throw new Error(why);
  const star = options.topology === 'star';
  if (star && (roles.length < 2 || roles.length > 60)) throw new Error('a star needs a server and 1 to 59 others');
  sweepStale();
  const owner = process.pid;
  const { prefix, subnet } = freeSubnet();
  const names = new Map(
    roles.map((r, i) => [
      r,
      {
        ns: `tl${owner}-${r}`,
        addr: star ? (i === 0 ? `${prefix}.1` : `${prefix}.${4 * i + 2}`) : `${prefix}.${i + 2}`,
      },
    ]),
  );
  const made: string[] = [];
  let routed = false;
  let done = false;

  const teardown = () => {
    if (done) return;
    done = true;
    process.off('exit', teardown);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    removeLab(owner, made, routed ? subnet : null);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    teardown();
    process.kill(process.pid, signal);
  };
  process.once('exit', teardown);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    ip(['route', 'add', 'unreachable', subnet, 'metric', String(owner)]);
    routed = true;
    if (star) buildStar(owner, prefix, [...names.values()], made);
    else buildBridge(owner, [...names.values()], made);
  } catch (error) {
    teardown();
    throw error;
  }

  const get = (role: string) => {
    const r = names.get(role);
    if (!r) throw new Error(`no role "${role}" in this lab`);
    return r;
  };
  return {
    subnet,
    ns: (role) => get(role).ns,
    addr: (role) => get(role).addr,
    wrap: (role, argv) => [IP, ['netns', 'exec', get(role).ns, ...argv]],
    teardown,
  };
}

type Member = { ns: string; addr: string };

function buildBridge(owner: number, members: Member[], made: string[]): void {
  const bridge = `tlb${owner}`;
  ip(['link', 'add', bridge, 'type', 'bridge']);
  ip(['link', 'set', bridge, 'up']);
  let n = 0;
  for (const { ns, addr } of members) {
    ip(['netns', 'add', ns]);
    made.push(ns);
    const outside = `tlv${owner}n${n++}`;
    ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['link', 'set', outside, 'master', bridge]);
    ip(['link', 'set', outside, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  }
}

/** The server's address on its loopback; one veth pair and /30 per other role, straight into the server's namespace. */
function buildStar(owner: number, prefix: string, [server, ...others]: Member[], made: string[]): void {
  ip(['netns', 'add', server!.ns]);
  made.push(server!.ns);
  ip(['-n', server!.ns, 'link', 'set', 'lo', 'up']);
  ip(['-n', server!.ns, 'addr', 'add', `${server!.addr}/32`, 'dev', 'lo']);
  // A new namespace does not forward; said here so that the isolation never rests on a default.
  const [cmd, args] = [IP, ['netns', 'exec', server!.ns, 'sh', '-c', 'echo 0 > /proc/sys/net/ipv4/ip_forward']];
  const r = spawnSync(cmd, args, { timeout: WAIT_MS, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot turn forwarding off in ${server!.ns}: ${r.stderr}`);
  others.forEach(({ ns, addr }, i) => {
    ip(['netns', 'add', ns]);
    made.push(ns);
    const near = `${prefix}.${4 * (i + 1) + 1}`;
    const link = `tl${owner}d${i}`.slice(0, 15);
    ip(['-n', server!.ns, 'link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['-n', server!.ns, 'addr', 'add', `${near}/30`, 'dev', link]);
    ip(['-n', server!.ns, 'link', 'set', link, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', 'eth0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', ns, 'route', 'add', `${server!.addr}/32`, 'via', near]);
  });
}

/** Lists the labs that exist now (for a test that checks teardown). */
export function labNamespaces(): string[] {
  return execFileSync(IP, ['netns', 'list'], { encoding: 'utf8', timeout: WAIT_MS })
    .split('\n')
    .map((l) => l.trim().split(' ')[0]!)
    .filter((n) => /^tl\d+-/.test(n));
}
