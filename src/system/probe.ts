/**
 * What this process may really use: the machine as node:os and /proc see it, narrowed by the
 * container's cgroup limits and, on ECS, by the task's size from the task metadata endpoint.
 * On Fargate the machine view is wrong in both directions (a 0.25 vCPU task sees 2 cores and the
 * host's memory), so the smallest known limit wins.
 */
import { readFile, statfs } from 'node:fs/promises';
import { availableParallelism, freemem, tmpdir, totalmem } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { hostInfo, type SystemInfo } from './host-info.js';
import { MIB } from '../units.js';

export type CpuSource = 'host' | 'cgroup-v1' | 'cgroup-v2' | 'ecs-task-metadata';
export type MemorySource = CpuSource;

export interface NetworkInterfaceInfo {
  name: string;
  /** Link speed in Mbit/s when the interface reports one (virtual NICs usually do not). */
  speedMbps?: number;
  internal: boolean;
  up: boolean;
}

export interface CgroupLimits {
  version: 1 | 2;
  /** vCPUs allowed by the CFS quota; undefined when unlimited. */
  cpus?: number;
  memoryBytes?: number;
  /** Memory in use by the cgroup minus reclaimable inactive page cache (the kubelet's working set). */
  memoryWorkingSetBytes?: number;
}

export interface EcsTaskLimits {
  cpus?: number;
  memoryBytes?: number;
}

export interface Resources {
  /** Effective vCPUs: the smallest known limit; may be fractional (0.25). */
  cpus: number;
  hostCpus: number;
  /** Effective memory limit in bytes. */
  memoryBytes: number;
  hostMemoryBytes: number;
  /** Memory this process can still take before reaching the effective limit. */
  availableMemoryBytes: number;
  /** Host CPU load in percent at probe time. */
  loadPercent?: number;
  tmpdir: string;
  /** Free bytes on the filesystem holding tmpdir (spill files of the external sort, s5cmd run files). */
  diskFreeBytes?: number;
  network: NetworkInterfaceInfo[];
  /** Fastest link speed among external interfaces that are up, when any reports one. */
  networkMbps?: number;
  limits: { cgroup?: CgroupLimits; ecs?: EcsTaskLimits };
  sources: {
    cpus: CpuSource;
    memoryBytes: MemorySource;
    availableMemoryBytes: 'host' | 'limit minus cgroup working set' | 'limit minus process rss';
    loadPercent?: 'host';
    diskFreeBytes?: 'statfs' | 'mounts';
    network: 'host' | 'none';
  };
  /** Why a source is missing or was ignored, for the log. */
  notes: string[];
}

export interface ProbeOptions {
  /** Default /sys/fs/cgroup. */
  cgroupRoot?: string;
  /**
   * The process's /proc/<pid>/cgroup file, mapping it to its cgroup below the root. Read by default
   * only when cgroupRoot is the default, so a fixture root is never mixed with this machine's paths.
   */
  procCgroupFile?: string;
  /** Default process.env.ECS_CONTAINER_METADATA_URI_V4; absent outside ECS. */
  metadataUri?: string;
  si?: SystemInfo;
  /** Default 1000 ms: the endpoint is link-local and answers in milliseconds when it exists. */
  fetchTimeoutMs?: number;
  tmpdir?: string;
}

const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';
// cgroup v1 reports "no limit" as a page-rounded LONG_MAX (9223372036854771712); anything this big is none.
const V1_UNLIMITED_FROM = 2 ** 60;

/** cgroup v2 `cpu.max`: "max 100000" → undefined, "200000 100000" → 2. */
export function parseCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (!quota || quota === 'max') return undefined;
  return cpusFromQuota(Number(quota), Number(period ?? 100000));
}

/** cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (quota -1 = none). */
export function parseCfsQuota(quotaText: string, periodText: string): number | undefined {
  return cpusFromQuota(Number(quotaText.trim()), Number(periodText.trim()));
}

function cpusFromQuota(quota: number, period: number): number | undefined {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return undefined;
  return quota / period;
}

/** cgroup v2 `memory.max` ("max" or bytes) and v1 `memory.limit_in_bytes` (huge = none). */
export function parseMemoryLimit(text: string): number | undefined {
  const t = text.trim();
  if (t === '' || t === 'max') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0 || n >= V1_UNLIMITED_FROM) return undefined;
  return n;
}

/** One value from a `memory.stat` file (v2 `inactive_file`, v1 `total_inactive_file`). */
export function statValue(stat: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(stat);
  return m ? Number(m[1]) : undefined;
}

/** /proc/self/cgroup: v2's path (line "0::/path") and each v1 controller's path. */
export function parseProcCgroup(text: string): { v2?: string; v1: Map<string, string> } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m as unknown as [string, string, string, string];
    if (id === '0' && controllers === '') v2 = path;
    else for (const c of controllers.split(',')) if (c) v1.set(c, path);
  }
  return { v2, v1 };
}

/** The task metadata v4 `/task` response: `Limits.CPU` in vCPUs, `Limits.Memory` in MiB. */
export function parseTaskMetadata(body: unknown): EcsTaskLimits | undefined {
  const limits = (body as { Limits?: { CPU?: unknown; Memory?: unknown } } | null)?.Limits;
  if (!limits || typeof limits !== 'object') return undefined;
  const cpu = typeof limits.CPU === 'number' && limits.CPU > 0 ? limits.CPU : undefined;
  const mem = typeof limits.Memory === 'number' && limits.Memory > 0 ? limits.Memory * MIB : undefined;
  return cpu === undefined && mem === undefined ? undefined : { cpus: cpu, memoryBytes: mem };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The cgroup directory itself and every ancestor up to the mount: limits nest, so the smallest applies. */
function cgroupDirs(mount: string, path: string | undefined): string[] {
  const dirs: string[] = [];
  let p = posix.normalize(path && path.startsWith('/') ? path : '/');
  for (;;) {
    dirs.push(join(mount, p));
    if (p === '/') break;
    p = posix.dirname(p);
  }
  return dirs;
}

function minDefined(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

/** Reads cgroup v2, else v1, limits below `root`; undefined when neither is mounted there. */
export async function readCgroupLimits(root: string, procCgroup?: string): Promise<CgroupLimits | undefined> {
  const self = parseProcCgroup(procCgroup ?? '');
  if ((await readText(join(root, 'cgroup.controllers'))) !== undefined) {
    const dirs = cgroupDirs(root, self.v2);
    const cpus = minDefined(await Promise.all(dirs.map(async (d) => mapText(await readText(join(d, 'cpu.max')), parseCpuMax))));
    const memoryBytes = minDefined(await Promise.all(dirs.map(async (d) => mapText(await readText(join(d, 'memory.max')), parseMemoryLimit))));
    const own = await firstExisting(dirs, 'memory.current');
    let ws: number | undefined;
    if (own) {
      const current = Number((await readText(join(own, 'memory.current')))!.trim());
      const inactive = statValue((await readText(join(own, 'memory.stat'))) ?? '', 'inactive_file') ?? 0;
      if (Number.isFinite(current)) ws = Math.max(0, current - inactive);
    }
    return { version: 2, cpus, memoryBytes, memoryWorkingSetBytes: ws };
  }

  const cpuMount = await firstExisting([join(root, 'cpu'), join(root, 'cpu,cpuacct')], 'cpu.cfs_quota_us');
  const memMount = await firstExisting([join(root, 'memory')], 'memory.limit_in_bytes');
  if (!cpuMount && !memMount) return undefined;
  let cpus: number | undefined;
  if (cpuMount) {
    const dirs = cgroupDirs(cpuMount, self.v1.get('cpu'));
    cpus = minDefined(
      await Promise.all(
        dirs.map(async (d) => {
          const q = await readText(join(d, 'cpu.cfs_quota_us'));
          const p = await readText(join(d, 'cpu.cfs_period_us'));
          return q !== undefined && p !== undefined ? parseCfsQuota(q, p) : undefined;
        }),
      ),
    );
  }
  let memoryBytes: number | undefined;
  let ws: number | undefined;
  if (memMount) {
    const dirs = cgroupDirs(memMount, self.v1.get('memory'));
    memoryBytes = minDefined(await Promise.all(dirs.map(async (d) => mapText(await readText(join(d, 'memory.limit_in_bytes')), parseMemoryLimit))));
    const own = await firstExisting(dirs, 'memory.usage_in_bytes');
    if (own) {
      const usage = Number((await readText(join(own, 'memory.usage_in_bytes')))!.trim());
      const inactive = statValue((await readText(join(own, 'memory.stat'))) ?? '', 'total_inactive_file') ?? 0;
      if (Number.isFinite(usage)) ws = Math.max(0, usage - inactive);
    }
  }
  return { version: 1, cpus, memoryBytes, memoryWorkingSetBytes: ws };
}

function mapText<T>(text: string | undefined, parse: (t: string) => T | undefined): T | undefined {
  return text === undefined ? undefined : parse(text);
}

async function firstExisting(dirs: string[], file: string): Promise<string | undefined> {
  for (const d of dirs) if ((await readText(join(d, file))) !== undefined) return d;
  return undefined;
}

/** GET `${uri}/task`; undefined (with a note) when the endpoint is absent, slow, failing or shapeless. */
export async function fetchTaskLimits(uri: string, timeoutMs: number, notes: string[] = []): Promise<EcsTaskLimits | undefined> {
  try {
    const res = await fetch(`${uri.replace(/\/+$/, '')}/task`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      notes.push(`ECS task metadata answered HTTP ${res.status}`);
      await res.body?.cancel();
      return undefined;
    }
    const limits = parseTaskMetadata(await res.json());
    if (!limits) notes.push('ECS task metadata has no task-level Limits');
    return limits;
  } catch (err) {
    notes.push(`ECS task metadata unavailable: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

async function settle<T>(p: Promise<T>, what: string, notes: string[]): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    notes.push(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

interface Candidate<S> {
  value: number | undefined;
  source: S;
}

/** On a tie the later (more specific) source is named: it is the one that sets the limit. */
function smallest<S>(candidates: Array<Candidate<S>>): { value: number; source: S } {
  let best: { value: number; source: S } | undefined;
  for (const c of candidates) if (c.value !== undefined && (!best || c.value <= best.value)) best = { value: c.value, source: c.source };
  return best!;
}

export async function probeResources(opts: ProbeOptions = {}): Promise<Resources> {
  const notes: string[] = [];
  const si: SystemInfo = opts.si ?? hostInfo;
  const root = opts.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
  const procFile = opts.procCgroupFile ?? (opts.cgroupRoot === undefined ? '/proc/self/cgroup' : undefined);
  const metadataUri = opts.metadataUri ?? process.env.ECS_CONTAINER_METADATA_URI_V4;
  const dir = resolve(opts.tmpdir ?? tmpdir());

  const [cpu, mem, load, nics, disk, cgroup, ecs] = await Promise.all([
    settle(si.cpu(), 'host cpu', notes),
    settle(si.mem(), 'host mem', notes),
    settle(si.currentLoad(), 'host currentLoad', notes),
    settle(si.networkInterfaces(), 'host networkInterfaces', notes),
    diskFree(dir, si, notes),
    procFile === undefined ? readCgroupLimits(root) : readText(procFile).then((t) => readCgroupLimits(root, t)),
    metadataUri ? fetchTaskLimits(metadataUri, opts.fetchTimeoutMs ?? 1000, notes) : Promise.resolve(undefined),
  ]);
  if (!cgroup) notes.push(`no cgroup limits found under ${root}`);
  if (!metadataUri) notes.push('not on ECS (ECS_CONTAINER_METADATA_URI_V4 unset)');

  const hostCpus = cpu?.cores && cpu.cores > 0 ? cpu.cores : availableParallelism();
  const hostMemoryBytes = mem?.total && mem.total > 0 ? mem.total : totalmem();
  const hostAvailable = mem?.available && mem.available > 0 ? mem.available : freemem();
  const cgroupSource = cgroup ? (`cgroup-v${cgroup.version}` as const) : 'host';

  const cpus = smallest<CpuSource>([
    { value: hostCpus, source: 'host' },
    { value: cgroup?.cpus, source: cgroupSource },
    { value: ecs?.cpus, source: 'ecs-task-metadata' },
  ]);
  const memory = smallest<MemorySource>([
    { value: hostMemoryBytes, source: 'host' },
    { value: cgroup?.memoryBytes, source: cgroupSource },
    { value: ecs?.memoryBytes, source: 'ecs-task-metadata' },
  ]);

  let availableMemoryBytes = hostAvailable;
  let availableSource: Resources['sources']['availableMemoryBytes'] = 'host';
  if (memory.source !== 'host') {
    // Under a limit the host's free memory says nothing; what the container already uses does.
    const used = cgroup?.memoryWorkingSetBytes;
    const headroom = Math.max(0, memory.value - (used ?? process.memoryUsage.rss()));
    if (headroom < availableMemoryBytes) {
      availableMemoryBytes = headroom;
      availableSource = used === undefined ? 'limit minus process rss' : 'limit minus cgroup working set';
    }
  }

  const network: NetworkInterfaceInfo[] = (nics ?? []).map((n) => ({
    name: n.iface,
    speedMbps: typeof n.speed === 'number' && n.speed > 0 ? n.speed : undefined,
    internal: n.internal,
    up: n.operstate === 'up' || n.operstate === 'unknown',
  }));
  const speeds = network.filter((n) => !n.internal && n.up && n.speedMbps !== undefined).map((n) => n.speedMbps!);

  return {
    cpus: cpus.value,
    hostCpus,
    memoryBytes: memory.value,
    hostMemoryBytes,
    availableMemoryBytes,
    loadPercent: load?.currentLoad,
    tmpdir: dir,
    diskFreeBytes: disk?.bytes,
    network,
    networkMbps: speeds.length ? Math.max(...speeds) : undefined,
    limits: { cgroup, ecs },
    sources: {
      cpus: cpus.source,
      memoryBytes: memory.source,
      availableMemoryBytes: availableSource,
      loadPercent: load ? 'host' : undefined,
      diskFreeBytes: disk?.source,
      network: nics ? 'host' : 'none',
    },
    notes,
  };
}

/** statfs on tmpdir itself; the mount list (longest matching mount) only as a fallback. */
async function diskFree(dir: string, si: SystemInfo, notes: string[]): Promise<{ bytes: number; source: 'statfs' | 'mounts' } | undefined> {
  try {
    const s = await statfs(dir);
    return { bytes: s.bavail * s.bsize, source: 'statfs' };
  } catch (err) {
    notes.push(`statfs ${dir} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const mounts = await settle(si.fsSize(), 'host fsSize', notes);
  const hit = (mounts ?? [])
    .filter((m) => dir === m.mount || dir.startsWith(m.mount.endsWith('/') ? m.mount : `${m.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  return hit ? { bytes: hit.available, source: 'mounts' } : undefined;
}
