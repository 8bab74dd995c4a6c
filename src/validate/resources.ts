/**
 * The resources check (pure): free memory, free disk where temporary files go, and effective CPU,
 * each against a stated minimum. The defaults are what the job needs to start at all: its Node
 * runtime and clients (memory), the spill files of the external sort and s5cmd's run files (disk),
 * and the smallest Fargate task (0.25 vCPU).
 */
import type { Resources } from '../system/probe.js';
import { formatBytes, GIB, MIB, parseByteSize } from '../units.js';

export interface Minimums {
  /** Free memory this process can still take (cgroup and ECS limits applied). */
  memoryBytes: number;
  /** Free bytes on the filesystem holding tmpdir. */
  diskBytes: number;
  /** Effective vCPUs (the smallest of host, cgroup quota and ECS task limit). */
  cpus: number;
}

export const DEFAULT_MINIMUMS: Readonly<Minimums> = Object.freeze({ memoryBytes: 256 * MIB, diskBytes: 1 * GIB, cpus: 0.25 });

/** Environment variables (and the validate flags) that set the minimums. */
export const MINIMUM_ENV = {
  memoryBytes: 'S3DS_VALIDATE_MIN_MEMORY_BYTES',
  diskBytes: 'S3DS_VALIDATE_MIN_DISK_BYTES',
  cpus: 'S3DS_VALIDATE_MIN_CPUS',
} as const;

/** Minimums from flags (first) or the environment, over the defaults. Throws RangeError naming the bad one. */
export function resolveMinimums(
  given: { memoryBytes?: string | number; diskBytes?: string | number; cpus?: string | number },
  env: Record<string, string | undefined>,
): Minimums {
  const pick = (k: keyof Minimums, flag: string) => {
    const fromFlag = given[k];
    const fromEnv = env[MINIMUM_ENV[k]];
    const raw = fromFlag ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : undefined);
    const label = fromFlag !== undefined ? `--${flag}` : MINIMUM_ENV[k];
    return { raw, label };
  };
  const out: Minimums = { ...DEFAULT_MINIMUMS };
  for (const [k, flag] of [
    ['memoryBytes', 'min-memory-bytes'],
    ['diskBytes', 'min-disk-bytes'],
  ] as const) {
    const { raw, label } = pick(k, flag);
    if (raw === undefined) continue;
    try {
      out[k] = parseByteSize(raw);
    } catch (err) {
      throw new RangeError(`${label}: ${(err as Error).message}`);
    }
  }
  const cpus = pick('cpus', 'min-cpus');
  if (cpus.raw !== undefined) {
    const n = typeof cpus.raw === 'number' ? cpus.raw : /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(cpus.raw) ? Number(cpus.raw) : Number.NaN;
    if (!Number.isFinite(n) || n < 0) throw new RangeError(`${cpus.label}: expected a number of vCPUs ≥ 0 such as 0.25 or 2, got '${String(cpus.raw)}'`);
    out.cpus = n;
  }
  return out;
}

export type ResourceFacts = Pick<Resources, 'cpus' | 'availableMemoryBytes' | 'memoryBytes' | 'diskFreeBytes' | 'tmpdir'> & {
  sources: Pick<Resources['sources'], 'cpus' | 'memoryBytes'>;
};

export interface ResourceVerdict {
  ok: boolean;
  detail: string;
  hint?: string;
}

function cpuText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** Each resource against its minimum; an unknown free disk is reported but does not fail. */
export function judgeResources(r: ResourceFacts, min: Minimums): ResourceVerdict {
  const parts: string[] = [];
  const shortfalls: string[] = [];
  const memOk = r.availableMemoryBytes >= min.memoryBytes;
  parts.push(
    `memory ${formatBytes(r.availableMemoryBytes)} free of ${formatBytes(r.memoryBytes)} ` +
      `(${r.sources.memoryBytes}) ${memOk ? '≥' : '<'} ${formatBytes(min.memoryBytes)}`,
  );
  if (!memOk) shortfalls.push(`free memory ${formatBytes(r.availableMemoryBytes)} is below the minimum ${formatBytes(min.memoryBytes)}`);
  if (r.diskFreeBytes === undefined) {
    parts.push(`disk free in ${r.tmpdir} unknown`);
  } else {
    const diskOk = r.diskFreeBytes >= min.diskBytes;
    parts.push(`disk ${formatBytes(r.diskFreeBytes)} free in ${r.tmpdir} ${diskOk ? '≥' : '<'} ${formatBytes(min.diskBytes)}`);
    if (!diskOk) shortfalls.push(`free disk in ${r.tmpdir} ${formatBytes(r.diskFreeBytes)} is below the minimum ${formatBytes(min.diskBytes)}`);
  }
  const cpuOk = r.cpus >= min.cpus;
  parts.push(`${cpuText(r.cpus)} vCPU (${r.sources.cpus}) ${cpuOk ? '≥' : '<'} ${cpuText(min.cpus)}`);
  if (!cpuOk) shortfalls.push(`${cpuText(r.cpus)} vCPU is below the minimum ${cpuText(min.cpus)}`);
  if (shortfalls.length === 0) return { ok: true, detail: parts.join('; ') };
  return {
    ok: false,
    detail: `${shortfalls.join('; ')} (${parts.join('; ')})`,
    hint:
      `give the task more resources (Fargate size, container limits, a larger TMPDIR volume), ` +
      `or lower the minimums with --min-memory-bytes/--min-disk-bytes/--min-cpus ` +
      `(${Object.values(MINIMUM_ENV).join(', ')})`,
  };
}
