/**
 * The host as the probe reads it, without a child process: node:os, /proc/stat and /sys/class/net
 * (systeminformation shells out to lscpu, dmidecode, ip and nmcli for the same few numbers). Only its
 * mount list, the fallback when statfs fails, still comes from systeminformation, loaded then.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism, freemem, networkInterfaces, totalmem } from 'node:os';

/** What the probe reads of the host (systeminformation's functions of the same names satisfy it). */
export interface SystemInfo {
  cpu(): Promise<{ cores: number }>;
  mem(): Promise<{ total: number; available: number }>;
  currentLoad(): Promise<{ currentLoad: number }>;
  fsSize(): Promise<Array<{ mount: string; available: number }>>;
  networkInterfaces(): Promise<Array<{ iface: string; ifaceName?: string; speed: number | null; internal: boolean; operstate: string }>>;
}

/** Busy share of all CPU time in /proc/stat's `cpu` line (since boot), in percent; undefined when unreadable. */
export function loadFromProcStat(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  const ticks = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  if (ticks.length < 4 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return total > 0 ? (100 * (total - idle - iowait)) / total : undefined;
}

async function sysNet(iface: string, file: string): Promise<string | undefined> {
  try {
    return (await readFile(`/sys/class/net/${iface}/${file}`, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

export const hostInfo: SystemInfo = {
  // availableParallelism: one sched_getaffinity call; os.cpus() reads every core's /proc and /sys entries.
  cpu: () => Promise.resolve({ cores: availableParallelism() }),
  mem: () => Promise.resolve({ total: totalmem(), available: freemem() }),
  async currentLoad() {
    const load = loadFromProcStat(await readFile('/proc/stat', 'utf8'));
    if (load === undefined) throw new Error('/proc/stat has no cpu line');
    return { currentLoad: load };
  },
  async fsSize() {
    const si = (await import('systeminformation')).default;
    return si.fsSize();
  },
  async networkInterfaces() {
    const found = Object.entries(networkInterfaces());
    return Promise.all(
      found.map(async ([iface, addrs]) => {
        const speed = Number(await sysNet(iface, 'speed'));
        return {
          iface,
          speed: Number.isFinite(speed) && speed > 0 ? speed : null,
          internal: (addrs ?? []).some((a) => a.internal),
          operstate: (await sysNet(iface, 'operstate')) ?? 'unknown',
        };
      }),
    );
  },
};
