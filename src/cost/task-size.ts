/** Fargate task sizes, and the smallest one that fits an engine's CPU and memory needs (pure). */
import type { EngineName } from '../engines/types.js';
import { bytesPerCopyInFlight } from '../system/memory-model.js';
import { formatBytes, GIB } from '../units.js';
import type { EngineRate } from './rates.js';

export interface FargateSize {
  vcpu: number;
  memoryGb: number;
}

/** Every CPU/memory combination Fargate accepts for a Linux task. */
export const FARGATE_TASK_SIZES: readonly FargateSize[] = Object.freeze([
  ...[0.5, 1, 2].map((m) => ({ vcpu: 0.25, memoryGb: m })),
  ...range(1, 4, 1).map((m) => ({ vcpu: 0.5, memoryGb: m })),
  ...range(2, 8, 1).map((m) => ({ vcpu: 1, memoryGb: m })),
  ...range(4, 16, 1).map((m) => ({ vcpu: 2, memoryGb: m })),
  ...range(8, 30, 1).map((m) => ({ vcpu: 4, memoryGb: m })),
  ...range(16, 60, 4).map((m) => ({ vcpu: 8, memoryGb: m })),
  ...range(32, 120, 8).map((m) => ({ vcpu: 16, memoryGb: m })),
]);

export function isValidFargateSize(s: FargateSize): boolean {
  return FARGATE_TASK_SIZES.some((t) => t.vcpu === s.vcpu && t.memoryGb === s.memoryGb);
}

/** Rules of thumb for sizing a task (documented, not measured here). */
export const PLANNING_RULES = {
  baseMemoryGb: 0.75, // Node runtime, SDK clients, listing merge and sort buffers (sorting spills to disk)
  s5cmdMemoryGb: 0.25, // the s5cmd child process
  memoryHeadroom: 1.25,
  objectsPerVcpuSecond: 500, // signed HTTPS requests a vCPU sustains
  streamedMbPerVcpuSecond: 100, // TLS in and out plus SHA-256, per vCPU
  taskStartupHours: 2 / 60, // image pull and start; Fargate bills at least one minute
  s3WritesPerPrefixPerSecond: 3500,
};

export function suggestTaskSize(p: {
  engine: EngineName;
  concurrency: number;
  avgObjectBytes: number;
  partSizeBytes: number;
  rate: EngineRate;
  sizes?: readonly FargateSize[];
}): FargateSize & { reason: string } {
  const inFlight = bytesPerCopyInFlight(p.engine, { avgObjectBytes: p.avgObjectBytes, partSizeBytes: p.partSizeBytes });
  const memNeed =
    (PLANNING_RULES.baseMemoryGb + (p.engine === 's5cmd' ? PLANNING_RULES.s5cmdMemoryGb : 0) + (p.concurrency * inFlight) / GIB) *
    PLANNING_RULES.memoryHeadroom;
  const cpuForObjects = (p.rate.objectsPerSecond ?? 0) / PLANNING_RULES.objectsPerVcpuSecond;
  const cpuForBytes = p.engine === 'stream' ? (p.rate.mbPerSecond ?? 0) / PLANNING_RULES.streamedMbPerVcpuSecond : 0;
  const cpuNeed = Math.max(0.25, cpuForObjects, cpuForBytes);
  const sizes = [...(p.sizes ?? FARGATE_TASK_SIZES)].sort((a, b) => a.vcpu - b.vcpu || a.memoryGb - b.memoryGb);
  const fit = sizes.find((s) => s.vcpu >= cpuNeed && s.memoryGb >= memNeed) ?? sizes[sizes.length - 1]!;
  const cpuBound =
    cpuForObjects >= cpuForBytes
      ? `${p.rate.objectsPerSecond ?? 0} objects/s at ${PLANNING_RULES.objectsPerVcpuSecond}/vCPU`
      : `${p.rate.mbPerSecond} MB/s streamed at ${PLANNING_RULES.streamedMbPerVcpuSecond} MB/s per vCPU`;
  const buffered = p.engine === 'stream' ? ` × ${formatBytes(inFlight)} buffered` : '';
  const reason = `needs ≈${cpuNeed.toFixed(2)} vCPU (${cpuBound}) and ≈${memNeed.toFixed(2)} GB (${p.concurrency} in flight${buffered})`;
  return {
    vcpu: fit.vcpu,
    memoryGb: fit.memoryGb,
    reason: fit.vcpu >= cpuNeed && fit.memoryGb >= memNeed ? reason : `${reason}; larger than any allowed size, use more workers`,
  };
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
