/**
 * Capacity and cost planning (pure), after the seed's estimate_transfer_capacity, plan_for_growth and
 * recommend_cost_optimizations, with their mistakes fixed:
 * - Units: the seed computed hours as `GB*1024 / (rate_mbps*3600/8)`, treating its 50 "mbps" as
 *   megabits, while its own transfer_rate_mbps metric is megabytes per second. Here every rate is
 *   MB/s (MiB per second) and only the bandwidth shown for the network is in Mbit/s (× 8.388608).
 * - Small objects: the archive is tens of millions of small zips, so the object rate (requests per
 *   second), not bandwidth, usually decides the duration. Duration = max(objects / objects-per-s,
 *   bytes / MB-per-s), and the estimate says which bound applies.
 * - Resources: the seed scaled memory and CPU with the day's data volume. This job streams with
 *   bounded queues, so memory depends on concurrency and part size, CPU on the request and streamed
 *   byte rates; growth is met with more workers, not bigger memory.
 * - Cost recommendations are computed from prices, and only offered where they save money (S3
 *   Standard-IA bills at least 128 KB per object, Glacier adds 40 KB of overhead per object and a
 *   per-object transition fee, both of which can make "cheaper" classes dearer for small zips).
 *   The seed's "increase batch_size to reduce requests" is wrong: S3 bills per object whatever the
 *   batch size; what saves requests is skipping unchanged objects (enable_incremental).
 */
import type { EngineName } from '../engines/types.js';
import { compareWithTraditional, type CostEstimate, estimateRunCost, type RunWork } from './model.js';
import { isPricedStorageClass, type PricingTable, pricesFor, putPricePer1000 } from './pricing.js';
import { formatBytes, formatDuration, formatUsd, GIB, KIB, MIB } from '../units.js';

const HOURS_PER_MONTH = 730;

export const ENGINES: readonly EngineName[] = ['s5cmd', 'sdk', 'stream'];

/** Throughput of one task (one worker) with one engine. */
export interface EngineRate {
  objectsPerSecond?: number;
  mbPerSecond?: number;
}

/**
 * The seed's planning figures (direct sync 50, traditional 20; MB/s, see above). They bound bandwidth
 * only; pass measured rates (ratesFromReport) for real planning, above all the object rate.
 */
export const DEFAULT_ENGINE_RATES: Readonly<Record<EngineName, EngineRate>> = Object.freeze({
  s5cmd: { mbPerSecond: 50 },
  sdk: { mbPerSecond: 50 },
  stream: { mbPerSecond: 20 },
});

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

export interface GrowthMultipliers {
  /** Objects per run. Seed default 2. */
  fileCount?: number;
  /** Average object size. Seed default 1.5. */
  fileSize?: number;
  /** Runs per period. Seed default 1.2. */
  frequency?: number;
}

export type AccessFrequency = 'frequent' | 'infrequent' | 'rare' | 'unknown';

export interface EstimateInput {
  objectCount: number;
  totalBytes: number;
  /** Default totalBytes / objectCount. */
  avgObjectBytes?: number;
  /** Per-task rates, laid over DEFAULT_ENGINE_RATES. */
  rates?: Partial<Record<EngineName, EngineRate>>;
  /** Engines to estimate. Default: all three, or only stream when no server-side copy is possible. */
  engines?: EngineName[];
  /** Source and destination share an endpoint and credentials (CopyObject possible). Default true. */
  serverSidePossible?: boolean;
  sourceRegion: string;
  destRegion: string;
  /** Where the tasks run. Default the destination region. */
  jobRegion?: string;
  sourceBucketOwnerPays?: boolean;
  storageClass?: string;
  /** Objects already at the destination (its listing). Default 0. */
  destObjectCount?: number;
  /** Copies in flight per task. Default 16. */
  concurrency?: number;
  /** Default 100 MiB and 50 MiB (the seed's production values). */
  partSizeBytes?: number;
  multipartThresholdBytes?: number;
  /** Every zip has a .CHECKSUM sibling that verification reads from the source. Default true. */
  checksumPairs?: boolean;
  /** Task sizes to choose from. Default every Fargate size. */
  taskSizes?: readonly FargateSize[];
  spot?: boolean;
  /** Finish a full run within this many hours: decides the worker count. */
  deadlineHours?: number;
  /** Default 10. */
  maxWorkers?: number;
  /** Runs per month, for monthly figures. Default 1. */
  runsPerMonth?: number;
  accessFrequency?: AccessFrequency;
  growth?: GrowthMultipliers[];
}

export interface EngineEstimate {
  engine: EngineName;
  rate: EngineRate;
  /** Hours one task needs for the whole run. */
  single_task_hours: number;
  bound: 'objects' | 'bytes';
  workers: number;
  wall_clock_hours: number;
  meets_deadline: boolean | undefined;
  task: FargateSize & { reason: string };
  requests: { list_source: number; list_dest: number; get_source: number; copy: number; put: number };
  /** Network the tasks need (streamed bytes only), Mbit/s across all workers, with 20% headroom. */
  network_mbit_per_second: number;
  cost: CostEstimate;
  /** What download+upload would cost for the same run (server-side engines only). */
  traditional_cost_usd?: number;
}

export interface GrowthPlan {
  multipliers: Required<GrowthMultipliers>;
  objects_per_run: number;
  bytes_per_run: number;
  runs_per_month: number;
  gb_per_day: number;
  engine: EngineName;
  single_task_hours: number;
  workers_needed: number;
  wall_clock_hours: number;
  /** A run would not finish before the next one starts. */
  runs_overlap: boolean;
  monthly_usd: number;
  scaling: { workers: number; request_rate: number; network: number; memory_per_task: number };
  flags: { large_volume_review: boolean; consider_s3_batch_operations: boolean };
  notes: string[];
}

export interface Recommendation {
  strategy: 'storage_class' | 'region_placement' | 'lifecycle_glacier' | 'request_optimization' | 'fargate_spot';
  description: string;
  estimated_monthly_savings_usd: number;
  implementation: string;
}

export interface Estimate {
  input: { objects: number; bytes: number; avg_object_bytes: number; source_region: string; dest_region: string; job_region: string; storage_class: string; runs_per_month: number };
  engines: EngineEstimate[];
  recommended_engine: EngineName;
  growth: GrowthPlan[];
  recommendations: Recommendation[];
  not_recommended: Array<{ strategy: Recommendation['strategy']; reason: string }>;
  warnings: string[];
  pricing_as_of: string;
}

/** Rules of thumb for sizing (documented, not measured here): */
const SIZING = {
  baseMemoryGb: 0.75, // Node runtime, SDK clients, listing merge and sort buffers (sorting spills to disk)
  s5cmdMemoryGb: 0.25, // the s5cmd child process
  perRequestBufferBytes: 64 * KIB, // a server-side copy in flight
  memoryHeadroom: 1.25,
  objectsPerVcpuSecond: 500, // signed HTTPS requests a vCPU sustains
  streamedMbPerVcpuSecond: 100, // TLS in and out plus SHA-256, per vCPU
  taskStartupHours: 2 / 60, // image pull and start; Fargate bills at least one minute
  s3WritesPerPrefixPerSecond: 3500,
};

export function suggestTaskSize(p: { engine: EngineName; concurrency: number; avgObjectBytes: number; partSizeBytes: number; rate: EngineRate; sizes?: readonly FargateSize[] }): FargateSize & { reason: string } {
  const inFlight = p.engine === 'stream' ? Math.min(p.avgObjectBytes, p.partSizeBytes) * 2 : SIZING.perRequestBufferBytes;
  const memNeed = (SIZING.baseMemoryGb + (p.engine === 's5cmd' ? SIZING.s5cmdMemoryGb : 0) + (p.concurrency * inFlight) / GIB) * SIZING.memoryHeadroom;
  const cpuForObjects = (p.rate.objectsPerSecond ?? 0) / SIZING.objectsPerVcpuSecond;
  const cpuForBytes = p.engine === 'stream' ? (p.rate.mbPerSecond ?? 0) / SIZING.streamedMbPerVcpuSecond : 0;
  const cpuNeed = Math.max(0.25, cpuForObjects, cpuForBytes);
  const sizes = [...(p.sizes ?? FARGATE_TASK_SIZES)].sort((a, b) => a.vcpu - b.vcpu || a.memoryGb - b.memoryGb);
  const fit = sizes.find((s) => s.vcpu >= cpuNeed && s.memoryGb >= memNeed) ?? sizes[sizes.length - 1]!;
  const reason = `needs ≈${cpuNeed.toFixed(2)} vCPU (${cpuForObjects >= cpuForBytes ? `${p.rate.objectsPerSecond ?? 0} objects/s at ${SIZING.objectsPerVcpuSecond}/vCPU` : `${p.rate.mbPerSecond} MB/s streamed at ${SIZING.streamedMbPerVcpuSecond} MB/s per vCPU`}) and ≈${memNeed.toFixed(2)} GB (${p.concurrency} in flight${p.engine === 'stream' ? ` × ${formatBytes(inFlight)} buffered` : ''})`;
  return { vcpu: fit.vcpu, memoryGb: fit.memoryGb, reason: fit.vcpu >= cpuNeed && fit.memoryGb >= memNeed ? reason : `${reason}; larger than any allowed size, use more workers` };
}

/** Multipart request count for one object of `size` (1 when below the threshold). */
export function requestsPerObject(size: number, thresholdBytes: number, partSizeBytes: number): number {
  if (size < thresholdBytes || size <= partSizeBytes) return 1;
  return Math.ceil(size / partSizeBytes) + 2;
}

/** Per-engine rates measured by a finished run (its report's engines section and duration). */
export function ratesFromReport(r: { duration_seconds: number; engine: string; engines: Record<string, { objects: number; bytes: number }> }): Partial<Record<EngineName, EngineRate>> {
  const out: Partial<Record<EngineName, EngineRate>> = {};
  if (!(r.duration_seconds > 0)) return out;
  const total = Object.values(r.engines).reduce((s, e) => s + e.objects, 0);
  for (const [name, e] of Object.entries(r.engines)) {
    // Only an engine that did (nearly) all the work had the whole duration to itself.
    if (!(ENGINES as readonly string[]).includes(name) || e.objects === 0 || e.objects < 0.9 * total) continue;
    out[name as EngineName] = { objectsPerSecond: e.objects / r.duration_seconds, mbPerSecond: e.bytes / MIB / r.duration_seconds };
  }
  return out;
}

interface Ctx {
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

function engineRate(ctx: Ctx, engine: EngineName): EngineRate {
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

function runWork(ctx: Ctx, engine: EngineName, objects: number, bytes: number, workers: number, hours: number, task: FargateSize): RunWork {
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
    fargate: { vcpu: task.vcpu, memoryGb: task.memoryGb, hours: hours / workers + SIZING.taskStartupHours, spot: input.spot ?? false, tasks: workers },
  };
}

function estimateEngine(ctx: Ctx, engine: EngineName, objects: number, bytes: number): EngineEstimate {
  const rate = engineRate(ctx, engine);
  const { hours, bound } = runHours(objects, bytes, rate);
  const deadline = ctx.input.deadlineHours;
  const wanted = deadline && deadline > 0 ? Math.max(1, Math.ceil(hours / deadline)) : 1;
  const workers = Math.min(wanted, ctx.maxWorkers);
  const wall = hours / workers;
  const task = suggestTaskSize({ engine, concurrency: ctx.concurrency, avgObjectBytes: objects > 0 ? (bytes / objects) * ctx.avgScale : 0, partSizeBytes: ctx.partSize, rate, sizes: ctx.input.taskSizes });
  const work = runWork(ctx, engine, objects, bytes, workers, hours, task);
  const cmp = compareWithTraditional(work, ctx.pricing, { traditionalFargateHours: engine === 'stream' ? undefined : streamHoursFor(ctx, objects, bytes, workers) });
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
    network_mbit_per_second: streamedMb * 8.388608 * 1.2,
    cost: cmp.direct,
    ...(engine === 'stream' ? {} : { traditional_cost_usd: cmp.traditional.total_usd }),
  };
}

function streamHoursFor(ctx: Ctx, objects: number, bytes: number, workers: number): number {
  return runHours(objects, bytes, engineRate(ctx, 'stream')).hours / workers + SIZING.taskStartupHours;
}

function sidesOf(v: number | { source: number; dest: number }) {
  return typeof v === 'number' ? { source: 0, dest: v } : v;
}

export function estimateCapacity(input: EstimateInput, pricing: PricingTable): Estimate {
  if (!(input.objectCount >= 0) || !(input.totalBytes >= 0)) throw new RangeError('objectCount and totalBytes must be numbers ≥ 0');
  const mean = input.objectCount > 0 ? input.totalBytes / input.objectCount : 0;
  const avg = input.avgObjectBytes ?? mean;
  const ctx: Ctx = {
    input,
    pricing,
    avg,
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
  const serverSide = input.serverSidePossible ?? true;
  let engines = input.engines ?? (serverSide ? [...ENGINES] : ['stream' as const]);
  if (!serverSide && engines.some((e) => e !== 'stream')) {
    ctx.warnings.push('no server-side copy is possible between these endpoints: only the stream engine applies');
    engines = ['stream'];
  }
  for (const e of engines) {
    const r = engineRate(ctx, e);
    if (!r.objectsPerSecond) ctx.warnings.push(`no objects/s rate for ${e}: its duration counts bandwidth only, far too optimistic for many small objects; pass measured rates`);
    if (!r.objectsPerSecond && !r.mbPerSecond) ctx.warnings.push(`no rate at all for ${e}: its duration is 0`);
  }
  const results = engines.map((e) => estimateEngine(ctx, e, input.objectCount, input.totalBytes));
  const best = [...results].sort((a, b) => a.wall_clock_hours - b.wall_clock_hours || a.cost.total_usd - b.cost.total_usd)[0]!;
  for (const r of results) {
    const rate = (r.rate.objectsPerSecond ?? 0) * r.workers;
    if (rate > SIZING.s3WritesPerPrefixPerSecond) {
      ctx.warnings.push(`${r.engine}: ${Math.round(rate)} writes/s exceeds S3's ${SIZING.s3WritesPerPrefixPerSecond} PUT/COPY per second per prefix; shard workers by prefix (the archive has one per symbol and interval)`);
    }
  }
  const growth = (input.growth ?? []).map((g) => planGrowth(ctx, best.engine, g));
  const { recommendations, notRecommended } = recommend(ctx, best);
  return {
    input: {
      objects: input.objectCount,
      bytes: input.totalBytes,
      avg_object_bytes: avg,
      source_region: input.sourceRegion,
      dest_region: input.destRegion,
      job_region: ctx.jobRegion,
      storage_class: ctx.storageClass,
      runs_per_month: ctx.runsPerMonth,
    },
    engines: results,
    recommended_engine: best.engine,
    growth,
    recommendations,
    not_recommended: notRecommended,
    warnings: ctx.warnings,
    pricing_as_of: pricing.as_of,
  };
}

function planGrowth(ctx: Ctx, engine: EngineName, g: GrowthMultipliers): GrowthPlan {
  const m = { fileCount: g.fileCount ?? 2, fileSize: g.fileSize ?? 1.5, frequency: g.frequency ?? 1.2 };
  const objects = Math.round(ctx.input.objectCount * m.fileCount);
  const bytes = ctx.input.totalBytes * m.fileCount * m.fileSize;
  const runs = ctx.runsPerMonth * m.frequency;
  const now = estimateEngine({ ...ctx, warnings: [] }, engine, ctx.input.objectCount, ctx.input.totalBytes);
  const future = estimateEngine({ ...ctx, warnings: [] }, engine, objects, bytes);
  // Keep today's wall-clock time per run (or the deadline) by adding workers.
  const target = ctx.input.deadlineHours && ctx.input.deadlineHours > 0 ? ctx.input.deadlineHours : now.wall_clock_hours;
  const workersNeeded = target > 0 ? Math.max(1, Math.ceil(future.single_task_hours / target)) : 1;
  const wall = future.single_task_hours / workersNeeded;
  const gbPerDay = (bytes / GIB) * (runs / (HOURS_PER_MONTH / 24));
  const notes = [
    `memory per task stays ${future.task.memoryGb} GB: copies stream through bounded queues, so more data needs more workers, not more memory (the seed scaled memory with file count)`,
    `request rate grows ×${(m.fileCount * m.frequency).toFixed(2)} (objects × frequency) and CPU with it; network ×${(m.fileCount * m.fileSize).toFixed(2)} per run for streamed bytes only (server-side copies use none)`,
  ];
  if (workersNeeded > ctx.maxWorkers) notes.push(`needs ${workersNeeded} workers, above the configured maximum of ${ctx.maxWorkers}`);
  const runsOverlap = wall > HOURS_PER_MONTH / runs;
  if (runsOverlap) notes.push(`a run takes ${wall.toFixed(1)} h but runs start every ${(HOURS_PER_MONTH / runs).toFixed(1)} h: add workers or run less often`);
  const large = gbPerDay > 1000;
  const batchOps = gbPerDay > 5000;
  if (large) notes.push('over 1 TB/day: review sharding by prefix across workers and the S3 request-rate limits');
  if (batchOps) notes.push('over 5 TB/day: consider S3 Batch Operations or S3 Replication for the bulk, keeping this job for diff and verification');
  return {
    multipliers: m,
    objects_per_run: objects,
    bytes_per_run: bytes,
    runs_per_month: runs,
    gb_per_day: gbPerDay,
    engine,
    single_task_hours: future.single_task_hours,
    workers_needed: workersNeeded,
    wall_clock_hours: wall,
    runs_overlap: runsOverlap,
    monthly_usd: future.cost.total_usd * runs,
    scaling: {
      workers: workersNeeded / Math.max(1, now.workers),
      request_rate: m.fileCount * m.frequency,
      network: m.fileCount * m.fileSize,
      memory_per_task: 1,
    },
    flags: { large_volume_review: large, consider_s3_batch_operations: batchOps },
    notes,
  };
}

function recommend(ctx: Ctx, best: EngineEstimate): { recommendations: Recommendation[]; notRecommended: Estimate['not_recommended'] } {
  const recs: Recommendation[] = [];
  const no: Estimate['not_recommended'] = [];
  const { input, pricing } = ctx;
  const objects = input.objectCount;
  const avg = ctx.avg;
  const dst = pricesFor(pricing, input.destRegion).prices;
  const storage = (cls: string) => {
    const b = billableStoredBytes(cls, objects, avg);
    const price = dst.s3_storage_per_gb_month[isPricedStorageClass(cls) ? cls : 'STANDARD'];
    return (b.bytes / GIB) * price + (b.standardOverheadBytes / GIB) * dst.s3_storage_per_gb_month.STANDARD;
  };
  const runs = ctx.runsPerMonth;
  const cost = best.cost;

  // Storage class for infrequently read data.
  if ((input.accessFrequency === 'infrequent' || input.accessFrequency === 'rare') && ctx.storageClass === 'STANDARD') {
    const saving = storage('STANDARD') - storage('STANDARD_IA');
    const extraPut = (objects / 1000) * (putPricePer1000(dst, 'STANDARD_IA').price - putPricePer1000(dst, 'STANDARD').price);
    if (saving > 0) {
      recs.push({
        strategy: 'storage_class',
        description: `Store as STANDARD_IA: ${formatUsd(storage('STANDARD'))} → ${formatUsd(storage('STANDARD_IA'))} per month (128 KB minimum per object counted); writes cost ${formatUsd(extraPut)} more once, repaid in ${(extraPut / saving).toFixed(1)} months; reads pay a retrieval fee per GB`,
        estimated_monthly_savings_usd: saving,
        implementation: 'performance_optimization.storage_class: "STANDARD_IA"',
      });
    } else {
      no.push({ strategy: 'storage_class', reason: `STANDARD_IA would cost more (${formatUsd(storage('STANDARD_IA'))} vs ${formatUsd(storage('STANDARD'))} a month): objects average ${formatBytes(avg)}, below its 128 KB minimum billable size` });
    }
  }

  // Region placement.
  const transferOurs = cost.items.filter((i) => i.category === 'transfer' && i.billed_to === 'us').reduce((s, i) => s + i.usd, 0);
  if (input.sourceRegion !== input.destRegion) {
    if (transferOurs > 0) {
      recs.push({
        strategy: 'region_placement',
        description: `Data transfer is ${formatUsd(transferOurs)} per run; a destination bucket (and tasks) in ${input.sourceRegion} copies within the region for free`,
        estimated_monthly_savings_usd: transferOurs * runs,
        implementation: `destination bucket in ${input.sourceRegion}, tasks in ${input.sourceRegion}`,
      });
    } else {
      no.push({ strategy: 'region_placement', reason: 'cross-region transfer is billed to the source bucket owner, not to us' });
    }
  }

  // Lifecycle to Glacier after 90 days.
  if (ctx.storageClass !== 'GLACIER' && ctx.storageClass !== 'DEEP_ARCHIVE') {
    const now = storage(ctx.storageClass);
    const glacier = storage('GLACIER');
    const saving = now - glacier;
    const putGlacier = putPricePer1000(dst, 'GLACIER');
    const transition = (objects / 1000) * putGlacier.price;
    const breakEven = saving > 0 ? transition / saving : Number.POSITIVE_INFINITY;
    if (!putGlacier.known) ctx.warnings.push(`no GLACIER transition price for ${input.destRegion}; lifecycle advice used the Standard request price`);
    if (saving > 0 && breakEven <= 12) {
      recs.push({
        strategy: 'lifecycle_glacier',
        description: `Move objects older than 90 days to GLACIER (Flexible Retrieval): ${formatUsd(now)} → ${formatUsd(glacier)} per month once transitioned (40 KB overhead per object counted); transitions cost ${formatUsd(transition)} once, repaid in ${breakEven.toFixed(1)} months. Archived objects must be restored before reading; GLACIER_IR keeps instant reads`,
        estimated_monthly_savings_usd: saving,
        implementation: 'S3 lifecycle transition to GLACIER after 90 days (terraform: destination_glacier_after_days = 90)',
      });
    } else {
      no.push({
        strategy: 'lifecycle_glacier',
        reason:
          saving > 0
            ? `transition fees (${formatUsd(transition)} for ${objects.toLocaleString('en-US')} objects) take ${breakEven.toFixed(0)} months to repay at ${formatUsd(saving)}/month`
            : `per-object overhead makes GLACIER dearer for objects of ${formatBytes(avg)} (${formatUsd(glacier)} vs ${formatUsd(now)} a month)`,
      });
    }
  }

  // Requests: per object, whatever the batch size; incremental reruns skip unchanged objects.
  const requestOurs = cost.by_category.requests;
  if (requestOurs > 0) {
    const listOnly = cost.items.filter((i) => i.category === 'requests' && i.item.startsWith('LIST') && i.billed_to === 'us').reduce((s, i) => s + i.usd, 0);
    const perRerun = requestOurs - listOnly;
    if (perRerun > 0 && runs > 1) {
      recs.push({
        strategy: 'request_optimization',
        description: `Requests cost ${formatUsd(requestOurs)} per full run and are billed per object (batch_size does not change them). With incremental sync a rerun of unchanged data costs ${formatUsd(listOnly)} (LIST only)`,
        estimated_monthly_savings_usd: perRerun * (runs - 1),
        implementation: 'enable_incremental: true (the default); keep sync_mode copy unless deletions must be mirrored',
      });
    } else if (perRerun > 0) {
      no.push({ strategy: 'request_optimization', reason: `one run a month: the ${formatUsd(requestOurs)} of requests is the copy itself; reruns with enable_incremental cost only ${formatUsd(listOnly)}` });
    }
  }

  // Fargate Spot.
  if (!input.spot && cost.by_category.compute > 0) {
    const spotWork = runWork({ ...ctx, input: { ...input, spot: true } }, best.engine, objects, input.totalBytes, best.workers, best.single_task_hours, best.task);
    const spotCost = estimateRunCost(spotWork, pricing).by_category.compute;
    const saving = (cost.by_category.compute - spotCost) * runs;
    if (saving > 0) {
      recs.push({
        strategy: 'fargate_spot',
        description: `Run on Fargate Spot: compute ${formatUsd(cost.by_category.compute)} → ${formatUsd(spotCost)} per run. An interrupted run exits 3 and the next run resumes without copying anything twice`,
        estimated_monthly_savings_usd: saving,
        implementation: 'ECS capacity provider FARGATE_SPOT (terraform: use_fargate_spot = true)',
      });
    }
  }
  recs.sort((a, b) => b.estimated_monthly_savings_usd - a.estimated_monthly_savings_usd);
  return { recommendations: recs, notRecommended: no };
}

export function formatEstimate(e: Estimate): string {
  const i = e.input;
  const lines = [
    `Estimate for ${i.objects.toLocaleString('en-US')} objects, ${formatBytes(i.bytes)} (average ${formatBytes(i.avg_object_bytes)}), ${i.source_region} → ${i.dest_region} (tasks in ${i.job_region}), ${i.storage_class}; prices as of ${e.pricing_as_of}`,
  ];
  for (const r of e.engines) {
    const rate = [r.rate.objectsPerSecond ? `${r.rate.objectsPerSecond} objects/s` : undefined, r.rate.mbPerSecond ? `${r.rate.mbPerSecond} MB/s` : undefined].filter(Boolean).join(', ');
    lines.push(
      `  ${r.engine.padEnd(6)} ${formatDuration(r.single_task_hours * 3600)} on one task (${r.bound}-bound at ${rate || 'no rate'}); ${r.workers} worker${r.workers === 1 ? '' : 's'} → ${formatDuration(r.wall_clock_hours * 3600)}${r.meets_deadline === false ? ' (misses the deadline)' : ''}`,
      `         task ${r.task.vcpu} vCPU / ${r.task.memoryGb} GB: ${r.task.reason}`,
      `         requests: ${r.requests.copy.toLocaleString('en-US')} COPY, ${r.requests.put.toLocaleString('en-US')} PUT, ${r.requests.get_source.toLocaleString('en-US')} GET, ${(r.requests.list_source + r.requests.list_dest).toLocaleString('en-US')} LIST${r.network_mbit_per_second > 0 ? `; network ≈${Math.round(r.network_mbit_per_second)} Mbit/s` : ''}`,
      `         cost ${formatUsd(r.cost.total_usd)} per run (requests ${formatUsd(r.cost.by_category.requests)}, transfer ${formatUsd(r.cost.by_category.transfer)}, storage ${formatUsd(r.cost.by_category.storage)}/month, compute ${formatUsd(r.cost.by_category.compute)})${r.cost.source_owner_usd > 0 ? `; ${formatUsd(r.cost.source_owner_usd)} billed to the source owner` : ''}${r.traditional_cost_usd !== undefined ? `; download+upload would cost ${formatUsd(r.traditional_cost_usd)}` : ''}`,
    );
  }
  lines.push(`  recommended engine: ${e.recommended_engine}`);
  for (const g of e.growth) {
    lines.push(
      `  growth ×${g.multipliers.fileCount} files, ×${g.multipliers.fileSize} size, ×${g.multipliers.frequency} frequency: ${g.objects_per_run.toLocaleString('en-US')} objects, ${formatBytes(g.bytes_per_run)} per run, ${g.gb_per_day.toFixed(1)} GB/day → ${g.workers_needed} worker${g.workers_needed === 1 ? '' : 's'}, ${formatDuration(g.wall_clock_hours * 3600)} per run, ${formatUsd(g.monthly_usd)}/month`,
    );
    for (const n of g.notes) lines.push(`    - ${n}`);
  }
  for (const r of e.recommendations) lines.push(`  save ${formatUsd(r.estimated_monthly_savings_usd)}/month [${r.strategy}]: ${r.description} (${r.implementation})`);
  for (const n of e.not_recommended) lines.push(`  not worth it [${n.strategy}]: ${n.reason}`);
  for (const w of e.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
