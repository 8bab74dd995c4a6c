/** One engine's duration, workers, task size, requests and cost for a run (pure). */
import type { EngineName } from '../engines/types.js';
import { KIB, mibPerSecondToMegabits, MIB } from '../units.js';
import type { EngineEstimate, EstimateInput } from './estimate-types.js';
import { compareWithTraditional, type RunWork } from './model.js';
import type { PricingTable } from './pricing.js';
import { DEFAULT_ENGINE_RATES, type EngineRate } from './rates.js';
import { PLANNING_RULES, suggestTaskSize, type FargateSize } from './task-size.js';

/** The input with its defaults applied, and the warnings collected while estimating. */
export interface EstimateContext {
  input: EstimateInput;
  pricing: PricingTable;
  avg: number;
  storageClass: string;
  jobRegion: string;
  concurrency: number;
  partSize: number;
  threshold: number;
  maxWorkers: number;
  runsPerMonth: number;
  /** avgObjectBytes relative to totalBytes / objectCount (1 unless a typical size was given). */
  avgScale: number;
  warnings: string[];
}

/** The defaults of an estimate (16 in flight, the seed's 100 MiB parts above 50 MiB, 10 workers, one run a month). */
export function estimateContext(input: EstimateInput, pricing: PricingTable): EstimateContext {
  const mean = input.objectCount > 0 ? input.totalBytes / input.objectCount : 0;
  return {
    input,
    pricing,
    avg: input.avgObjectBytes ?? mean,
    storageClass: input.storageClass ?? 'STANDARD',
    jobRegion: input.jobRegion ?? input.destRegion,
    concurrency: input.concurrency ?? 16,
    partSize: input.partSizeBytes ?? 100 * MIB,
    threshold: input.multipartThresholdBytes ?? 50 * MIB,
    maxWorkers: Math.max(1, input.maxWorkers ?? 10),
    runsPerMonth: input.runsPerMonth ?? 1,
    avgScale: mean > 0 && input.avgObjectBytes !== undefined ? input.avgObjectBytes / mean : 1,
    warnings: [],
  };
}

/** Multipart request count for one object of `size` (1 when below the threshold). */
export function requestsPerObject(size: number, thresholdBytes: number, partSizeBytes: number): number {
  if (size < thresholdBytes || size <= partSizeBytes) return 1;
  return Math.ceil(size / partSizeBytes) + 2;
}

export function engineRate(ctx: EstimateContext, engine: EngineName): EngineRate {
  return { ...DEFAULT_ENGINE_RATES[engine], ...(ctx.input.rates?.[engine] ?? {}) };
}

function runHours(objects: number, bytes: number, rate: EngineRate): { hours: number; bound: 'objects' | 'bytes' } {
  const byObjects = rate.objectsPerSecond && rate.objectsPerSecond > 0 ? objects / rate.objectsPerSecond : 0;
  const byBytes = rate.mbPerSecond && rate.mbPerSecond > 0 ? bytes / MIB / rate.mbPerSecond : 0;
  return { hours: Math.max(byObjects, byBytes) / 3600, bound: byObjects >= byBytes ? 'objects' : 'bytes' };
}

/** Bytes billed for storing `objects` of `avg` bytes in `cls` (per-object minimums and overheads). */
export function billableStoredBytes(cls: string, objects: number, avg: number): { bytes: number; standardOverheadBytes: number } {
  if (cls === 'STANDARD_IA' || cls === 'ONEZONE_IA' || cls === 'GLACIER_IR') return { bytes: objects * Math.max(avg, 128 * KIB), standardOverheadBytes: 0 };
  // Archived objects carry 32 KB of index at the archive rate and 8 KB of metadata at Standard's.
  if (cls === 'GLACIER' || cls === 'DEEP_ARCHIVE') return { bytes: objects * (avg + 32 * KIB), standardOverheadBytes: objects * 8 * KIB };
  return { bytes: objects * avg, standardOverheadBytes: 0 };
}

export function plannedWork(
  ctx: EstimateContext,
  engine: EngineName,
  objects: number,
  bytes: number,
  workers: number,
  hours: number,
  task: FargateSize,
): RunWork {
  const { input } = ctx;
  const avg = objects > 0 ? (bytes / objects) * ctx.avgScale : 0;
  const perObject = requestsPerObject(avg, ctx.threshold, ctx.partSize);
  const checksumGets = input.checksumPairs === false ? 0 : Math.floor(objects / 2);
  const serverSide = engine !== 'stream';
  const stored = billableStoredBytes(ctx.storageClass, objects, avg);
  return {
    listRequests: { source: Math.max(workers, Math.ceil(objects / 1000)), dest: Math.max(workers, Math.ceil((input.destObjectCount ?? 0) / 1000)) },
    getRequests: { source: (serverSide ? 0 : objects) + checksumGets, dest: 0 },
    headRequests: 0,
    copyRequests: serverSide ? objects * perObject : 0,
    putRequests: serverSide ? 0 : objects * perObject,
    bytesServerSide: serverSide ? bytes : 0,
    bytesThroughJob: serverSide ? 0 : bytes,
    sourceRegion: input.sourceRegion,
    destRegion: input.destRegion,
    jobRegion: ctx.jobRegion,
    storageClass: ctx.storageClass,
    // The 8 KB per archived object billed at Standard's rate is folded in at the archive rate (small).
    storedBytes: stored.bytes + stored.standardOverheadBytes,
    sourceBucketOwnerPays: input.sourceBucketOwnerPays,
    copiedObjects: objects,
    fargate: { vcpu: task.vcpu, memoryGb: task.memoryGb, hours: hours / workers + PLANNING_RULES.taskStartupHours, spot: input.spot ?? false, tasks: workers },
  };
}

export function estimateEngine(ctx: EstimateContext, engine: EngineName, objects: number, bytes: number): EngineEstimate {
  const rate = engineRate(ctx, engine);
  const { hours, bound } = runHours(objects, bytes, rate);
  const deadline = ctx.input.deadlineHours;
  const wanted = deadline && deadline > 0 ? Math.max(1, Math.ceil(hours / deadline)) : 1;
  const workers = ctx.input.workers ?? Math.min(wanted, ctx.maxWorkers);
  const wall = hours / workers;
  const task = suggestTaskSize({
    engine,
    concurrency: ctx.concurrency,
    avgObjectBytes: objects > 0 ? (bytes / objects) * ctx.avgScale : 0,
    partSizeBytes: ctx.partSize,
    rate,
    sizes: ctx.input.taskSizes,
  });
  const work = plannedWork(ctx, engine, objects, bytes, workers, hours, task);
  const cmp = compareWithTraditional(work, ctx.pricing, {
    traditionalFargateHours: engine === 'stream' ? undefined : streamHoursFor(ctx, objects, bytes, workers),
  });
  for (const w of cmp.direct.warnings) if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
  const streamedMb = engine === 'stream' ? (rate.mbPerSecond ?? 0) * workers : 0;
  return {
    engine,
    rate,
    single_task_hours: hours,
    bound,
    workers,
    wall_clock_hours: wall,
    meets_deadline: deadline ? wall <= deadline : undefined,
    task,
    requests: {
      list_source: sidesOf(work.listRequests).source,
      list_dest: sidesOf(work.listRequests).dest,
      get_source: sidesOf(work.getRequests).source,
      copy: work.copyRequests,
      put: work.putRequests,
    },
    network_mbit_per_second: mibPerSecondToMegabits(streamedMb) * 1.2,
    cost: cmp.direct,
    ...(engine === 'stream' ? {} : { traditional_cost_usd: cmp.traditional.total_usd }),
  };
}

function streamHoursFor(ctx: EstimateContext, objects: number, bytes: number, workers: number): number {
  return runHours(objects, bytes, engineRate(ctx, 'stream')).hours / workers + PLANNING_RULES.taskStartupHours;
}

function sidesOf(v: number | { source: number; dest: number }) {
  return typeof v === 'number' ? { source: 0, dest: v } : v;
}
