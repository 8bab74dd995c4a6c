/**
 * Pool sizing (pure): from the probed resources, the engine and whether both buckets share a
 * region, decide concurrency, batch size, part size, retries and listing parallelism, and say why
 * for each (`plan --explain`). Values set explicitly in the configuration always win. The job sizes
 * before it lists, so nothing here depends on the objects (their count or sizes): the governor
 * adjusts concurrency to what the run meets.
 *
 * The starting point is the seed's calculate_optimal_workers / optimize_batch_size /
 * optimize_transfer_strategy. Those assume every worker moves bytes through this machine. A
 * server-side copy (CopyObject, UploadPartCopy, s5cmd cp s3→s3) does not: the client sends a
 * request of a few hundred bytes and waits while S3 copies. Its throughput is in-flight requests
 * divided by request latency (Little's law), and its ceiling is S3's rate per prefix (3,500
 * PUT/COPY per second), so for the sdk and s5cmd engines concurrency follows latency, not cores.
 * The stream engine really does hold bytes in memory and on the wire, so it stays bounded by
 * memory and bandwidth.
 */

import { formatBytes, GIB, megabitsPerSecondToBytes, MIB } from '../units.js';
import { bytesPerCopyInFlight, SERVER_SIDE_COPY_BYTES, STREAM_PARTS_IN_MEMORY } from './memory-model.js';

export type SizingEngine = 's5cmd' | 'sdk' | 'stream';

export interface SizingResources {
  /** Effective vCPUs (may be fractional). */
  cpus: number;
  memoryBytes: number;
  /** Memory still free for this process; defaults to memoryBytes. */
  availableMemoryBytes?: number;
  /** Link speed in Mbit/s when known. */
  networkMbps?: number;
}

export interface ExplicitPerformance {
  max_concurrent?: number;
  batch_size?: number;
  part_size_mb?: number;
  retry_count?: number;
}

export interface SizingInput {
  resources: SizingResources;
  engine: SizingEngine;
  sameRegion: boolean;
  explicit: ExplicitPerformance;
  /** Where each explicit value was set, for `plan --explain`. */
  explicitFrom?: Partial<Record<keyof ExplicitPerformance, ValueSource>>;
  /** The configured enable_multipart_threshold_mb (default 100). */
  multipartThresholdMb?: number;
}

export interface SizedValues {
  max_concurrent: number;
  batch_size: number;
  part_size_mb: number;
  retry_count: number;
  /** Listing streams per side (disjoint prefixes listed at once). */
  list_parallelism: number;
}

/** One row of `plan --explain`. */
export interface ExplainRow {
  name: string;
  value: number;
  inputs: Record<string, unknown>;
  rule: string;
  /** Where the value comes from: the sizing's rules (the default), the environment preset, or an operator's setting. */
  origin?: ValueOrigin;
}

export type ValueOrigin = 'sizing' | 'preset' | 'operator';

/** Who set an explicit value and where, e.g. { origin: 'operator', label: 'S3DS_MAX_CONCURRENT' }. */
export interface ValueSource {
  origin: Exclude<ValueOrigin, 'sizing'>;
  label: string;
}

export interface ExplainEntry extends ExplainRow {
  name: keyof SizedValues;
  value: number;
  inputs: Record<string, unknown>;
  rule: string;
}

/** The numbers the run derives from the sized values (the governor, verifier, dispatcher, listings, s5cmd, parts). */
export interface DerivedValues {
  /** Highest concurrency the governor may raise to. */
  governor_max: number;
  /** How much the governor adds per good window. */
  governor_increase_step: number;
  /** Checksum verifications at once. */
  verify_concurrency: number;
  /** Batches the dispatcher keeps in flight. */
  dispatcher_in_flight: number;
  /** Selected prefixes (units) listed ahead of the one being planned, per side. */
  list_prefetch: number;
  /** ListObjectsV2 requests in flight per side, and key ranges of one prefix listed at once. */
  list_concurrency: number;
  /** Workers of each s5cmd process at the start (it follows the governor's limit after). */
  s5cmd_workers: number;
  part_size_bytes: number;
  multipart_threshold_bytes: number;
}

export interface DerivedEntry extends ExplainRow {
  name: keyof DerivedValues;
}

export interface Sizing {
  values: SizedValues;
  explain: ExplainEntry[];
  derived: { values: DerivedValues; explain: DerivedEntry[] };
}

/** Share of free memory the copy pool may plan for; the rest is for listings, sorting, verifying and the heap. */
export const MEMORY_SHARE = 0.5;
/** In-flight server-side copies per vCPU: the CPU cost is signing and TLS, well under a millisecond per request. */
export const SERVER_SIDE_PER_VCPU = 64;
/**
 * Little's law: 256 copies in flight at ~70 ms each is ~3,600 requests/s, S3's 3,500 PUT/COPY per
 * second per prefix. More only earns SlowDown; the governor finds the real limit from there.
 */
export const SERVER_SIDE_CAP = 256;
/** Fewest stream workers part size is shrunk to fit into memory for. */
export const STREAM_MIN_WORKERS = 4;
/** Memory per queued object (key, ETag, task, result, an s5cmd JSON line); the seed assumed 1 MB. */
export const BYTES_PER_QUEUED_OBJECT = 2048;
export const LIST_PARALLELISM_CAP = 16;
/** ListObjectsV2 requests in flight per side. */
export const LIST_CONCURRENCY_CAP = 32;
/** Per listing stream: one 1,000-key page as XML and parsed, plus look-ahead for the merge. */
export const BYTES_PER_LISTING_STREAM = 16 * MIB;

const LIMITS = {
  max_concurrent: [1, 1024],
  batch_size: [1, 100_000],
  part_size_mb: [5, 5120],
  retry_count: [0, 20],
} as const;

function clamp(v: number, [lo, hi]: readonly [number, number]): number {
  return Math.min(hi, Math.max(lo, v));
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}

function serverSide(engine: SizingEngine): boolean {
  return engine !== 'stream';
}

/** The seed's calculate_optimal_workers, verbatim, for comparison in the explain output. */
export function seedWorkers(cpuCores: number, memoryGb: number, averageFileSizeMb: number): number {
  const base = Math.min(cpuCores * 2, 32);
  const memoryLimited = Math.floor(memoryGb / 2);
  const fileAdjusted = averageFileSizeMb > 100 ? Math.max(4, Math.floor(base / 2)) : averageFileSizeMb < 10 ? Math.min(50, base * 2) : base;
  return Math.max(1, Math.floor(Math.min(base, memoryLimited, fileAdjusted)));
}

/** The performance_optimization settings sizePool derives unless the configuration sets them. */
export const SIZED_SETTINGS = ['max_concurrent', 'batch_size', 'part_size_mb', 'retry_count'] as const;

/** Which performance settings the config set explicitly, from the loader's set of dotted paths. */
export function explicitPerformance(
  po: { max_concurrent: number; batch_size: number; part_size_mb: number; retry_count: number },
  explicit: ReadonlySet<string>,
): ExplicitPerformance {
  const out: ExplicitPerformance = {};
  for (const k of SIZED_SETTINGS) {
    if (explicit.has(`performance_optimization.${k}`)) out[k] = po[k];
  }
  return out;
}

/** What every sizing step reads: the resources, the engine, whether the buckets share a region, and the memory the pool may plan for. */
interface SizingContext {
  cpus: number;
  memoryBytes: number;
  networkMbps: number | undefined;
  /** The share of free memory the copy pool may plan for (MEMORY_SHARE). */
  budget: number;
  engine: SizingEngine;
  sameRegion: boolean;
}

function sizingContext(input: SizingInput): SizingContext {
  const { resources: r, engine, sameRegion } = input;
  const available = Math.max(0, Math.min(r.availableMemoryBytes ?? r.memoryBytes, r.memoryBytes));
  return {
    cpus: Math.max(r.cpus, 0.01),
    memoryBytes: r.memoryBytes,
    networkMbps: r.networkMbps,
    budget: available * MEMORY_SHARE,
    engine,
    sameRegion,
  };
}

function row(name: keyof SizedValues, value: number, inputs: Record<string, unknown>, rule: string): ExplainEntry {
  return { name, value, inputs, rule };
}

/** The row for a value the configuration set, or undefined when it is left to the rules. */
function explicitRow(name: keyof ExplicitPerformance, input: SizingInput): ExplainEntry | undefined {
  const v = input.explicit[name];
  if (v === undefined) return undefined;
  const from = input.explicitFrom?.[name];
  return { ...row(name, v, { configured: v }, from ? `set explicitly by ${from.label}` : 'set explicitly'), origin: from?.origin ?? 'operator' };
}

/** Part size: the seed's regional strategy; the stream engine shrinks it so STREAM_MIN_WORKERS fit in memory. */
function sizePartSize(c: SizingContext): ExplainEntry {
  const seed = c.sameRegion ? 100 : 75;
  const why = c.sameRegion
    ? 'same region: 100 MiB parts (seed), fewer part requests'
    : 'cross-region: 75 MiB parts (seed), smaller parts make a failed part cheaper to redo';
  const inputs: Record<string, unknown> = { same_region: c.sameRegion };
  if (serverSide(c.engine)) {
    return row('part_size_mb', seed, inputs, `${why}; UploadPartCopy parts cost the client no memory`);
  }
  const fit = Math.floor(c.budget / (STREAM_MIN_WORKERS * STREAM_PARTS_IN_MEMORY) / MIB);
  const v = clamp(Math.min(seed, fit), LIMITS.part_size_mb);
  inputs.memory_budget_mib = mib(c.budget);
  return row(
    'part_size_mb',
    v,
    inputs,
    v < seed
      ? `${why}, shrunk so ${STREAM_MIN_WORKERS} stream workers fit: each buffers ${STREAM_PARTS_IN_MEMORY} parts (S3 minimum 5 MiB)`
      : `${why}; ${STREAM_MIN_WORKERS} stream workers × ${STREAM_PARTS_IN_MEMORY} parts fit in memory`,
  );
}

/** The object size the seed's calculate_optimal_workers assumes when it is not told one. */
const SEED_DEFAULT_OBJECT_MB = 10;

/** Concurrency, by the engine: server-side copies follow request latency, the stream engine memory and bandwidth. */
function sizeConcurrency(c: SizingContext, partSizeMb: number): ExplainEntry {
  const seedReference = seedWorkers(c.cpus, c.memoryBytes / GIB, SEED_DEFAULT_OBJECT_MB);
  return serverSide(c.engine) ? serverSideConcurrency(c, partSizeMb, seedReference) : streamConcurrency(c, partSizeMb, seedReference);
}

function serverSideConcurrency(c: SizingContext, partSizeMb: number, seedReference: number): ExplainEntry {
  const byCpu = Math.ceil(SERVER_SIDE_PER_VCPU * c.cpus);
  const byMemory = Math.floor(c.budget / bytesPerCopyInFlight(c.engine, { partSizeBytes: partSizeMb * MIB }));
  const v = clamp(Math.min(byCpu, byMemory, SERVER_SIDE_CAP), LIMITS.max_concurrent);
  return row(
    'max_concurrent',
    v,
    { cpus: c.cpus, by_cpu: byCpu, by_memory: byMemory, cap: SERVER_SIDE_CAP, seed_would_give: seedReference },
    `server-side copy is bound by request latency, not cores: ${SERVER_SIDE_PER_VCPU} in flight per vCPU, ` +
      `${formatBytes(SERVER_SIDE_COPY_BYTES)} each from half the free memory, at most ${SERVER_SIDE_CAP} ` +
      `(≈ S3's 3,500 COPY/s per prefix at ~70 ms each)`,
  );
}

function streamConcurrency(c: SizingContext, partSizeMb: number, seedReference: number): ExplainEntry {
  const partBytes = partSizeMb * MIB;
  // Object sizes are not known when the job sizes, so every worker is planned as a multipart copy.
  const perWorker = bytesPerCopyInFlight(c.engine, { partSizeBytes: partBytes });
  const base = clamp(Math.ceil(c.cpus * 2), [2, 32]);
  const byMemory = Math.max(1, Math.floor(c.budget / perWorker));
  const bytesPerSecond = c.networkMbps !== undefined ? megabitsPerSecondToBytes(c.networkMbps) : undefined;
  const byBandwidth = bytesPerSecond !== undefined ? Math.max(2, Math.ceil(bytesPerSecond / partBytes)) : Infinity;
  const v = clamp(Math.min(base, byMemory, byBandwidth), LIMITS.max_concurrent);
  return row(
    'max_concurrent',
    v,
    {
      cpus: c.cpus,
      base: base,
      per_worker_mib: mib(perWorker),
      by_memory: byMemory,
      by_bandwidth: Number.isFinite(byBandwidth) ? byBandwidth : 'link speed unknown',
      seed_would_give: seedReference,
    },
    'download+upload moves every byte through this task: 2 per vCPU (2 to 32); then bounded by memory (each worker ' +
      `planned at ${STREAM_PARTS_IN_MEMORY} parts, a multipart copy's buffers, from half the free memory, not the seed's flat 2 GB) ` +
      'and by one second of link bandwidth in flight (a part per worker, at least 2)',
  );
}

/** Objects per batch the seed starts from. */
const SEED_BATCH = 100;
/** Objects per s5cmd worker in one batch: each batch starts a new s5cmd process. */
const OBJECTS_PER_S5CMD_WORKER = 8;

/** Batch size: the seed's 100, raised for s5cmd, then bounded by memory. */
function sizeBatch(c: SizingContext, maxConcurrent: number): ExplainEntry {
  const { engine } = c;
  const seed = SEED_BATCH;
  const inflight = dispatcherInFlight(engine, maxConcurrent, seed);
  const byMemory = Math.max(10, Math.floor((c.budget * 0.1) / (BYTES_PER_QUEUED_OBJECT * inflight)));
  const inputs: Record<string, unknown> = { seed_batch: seed, by_memory: byMemory };
  let v = seed;
  let rule = `the seed base of ${seed}`;
  if (engine === 's5cmd') {
    // Each s5cmd batch runs with half the concurrency as workers, two batches at a time.
    const workers = s5cmdWorkers(maxConcurrent);
    const perWorker = OBJECTS_PER_S5CMD_WORKER;
    inputs.s5cmd_workers = workers;
    if (workers * perWorker > v) {
      v = Math.min(workers * perWorker, 5000);
      rule += `; raised to ${perWorker} objects per s5cmd worker: every batch starts a new s5cmd process with new connections`;
    }
  }
  if (byMemory < v) {
    v = byMemory;
    rule += `; limited by memory at ${BYTES_PER_QUEUED_OBJECT} bytes per queued object`;
  }
  return row('batch_size', clamp(v, LIMITS.batch_size), inputs, rule);
}

/** Retries: the seed's regional strategy, at least 5 for server-side copies that meet SlowDown. */
function sizeRetries(c: SizingContext): ExplainEntry {
  const seed = c.sameRegion ? 3 : 4;
  const inputs = { same_region: c.sameRegion, engine: c.engine };
  const why = c.sameRegion ? 'same region: 3 (seed)' : 'cross-region: 4 (seed)';
  if (serverSide(c.engine) && seed < 5) {
    return row(
      'retry_count',
      5,
      inputs,
      `${why}, raised to 5: at hundreds of copies per second S3 answers SlowDown while it partitions a new prefix; ` +
        '5 full-jitter retries (up to 6.2 s in all) keep a throttled copy alive while the governor lowers the pace',
    );
  }
  return row('retry_count', seed, inputs, why);
}

/** Listing streams per side: by CPU and by memory, at most LIST_PARALLELISM_CAP. */
function sizeListParallelism(c: SizingContext): ExplainEntry {
  const byCpu = Math.max(1, Math.ceil(c.cpus * 4));
  const byMemory = Math.max(1, Math.floor((c.budget * 0.25) / BYTES_PER_LISTING_STREAM));
  const v = Math.min(byCpu, byMemory, LIST_PARALLELISM_CAP);
  return row(
    'list_parallelism',
    v,
    { by_cpu: byCpu, by_memory: byMemory, cap: LIST_PARALLELISM_CAP },
    'ListObjectsV2 pages (1,000 keys) come one after another per prefix, so disjoint prefixes are listed at once: ' +
      `4 per vCPU for XML parsing, ${mib(BYTES_PER_LISTING_STREAM)} MiB each from a quarter of the pool's memory, ` +
      `at most ${LIST_PARALLELISM_CAP}`,
  );
}

export function sizePool(input: SizingInput): Sizing {
  const { engine, explicit } = input;
  const c = sizingContext(input);
  // Part size first: the stream engine's memory per worker depends on it.
  const partSize = explicitRow('part_size_mb', input) ?? sizePartSize(c);
  const concurrency = explicitRow('max_concurrent', input) ?? sizeConcurrency(c, partSize.value);
  const batch = explicitRow('batch_size', input) ?? sizeBatch(c, concurrency.value);
  const retries = explicitRow('retry_count', input) ?? sizeRetries(c);
  const listing = sizeListParallelism(c);
  const values: SizedValues = {
    max_concurrent: concurrency.value,
    batch_size: batch.value,
    part_size_mb: partSize.value,
    retry_count: retries.value,
    list_parallelism: listing.value,
  };
  // Rows in the order of the values, whatever order they were worked out in.
  const explain = [concurrency, batch, partSize, retries, listing];
  return { values, explain, derived: deriveValues(values, engine, explicit, input.multipartThresholdMb ?? 100) };
}

/** Governor ceiling when max_concurrent is computed: room to grow to S3's per-prefix pace, at most 1,024. */
const GOVERNOR_CEILING = 256;

/** Batches the dispatcher keeps in flight: two s5cmd processes, else enough batches to fill the concurrency. */
export function dispatcherInFlight(engine: SizingEngine, maxConcurrent: number, batchSize: number): number {
  return engine === 's5cmd' ? 2 : Math.max(2, Math.ceil(maxConcurrent / batchSize) + 1);
}

/** Workers of one s5cmd process: half the concurrency, since two batches run at a time. */
export function s5cmdWorkers(concurrency: number): number {
  return Math.ceil(concurrency / 2);
}

function deriveValues(v: SizedValues, engine: SizingEngine, explicit: ExplicitPerformance, multipartThresholdMb: number): Sizing['derived'] {
  const explain: DerivedEntry[] = [];
  const set = (name: keyof DerivedValues, value: number, inputs: Record<string, unknown>, rule: string) => {
    explain.push({ name, value, inputs, rule });
    return value;
  };
  const mc = v.max_concurrent;
  const values: DerivedValues = {
    governor_max:
      explicit.max_concurrent !== undefined
        ? set('governor_max', explicit.max_concurrent, { max_concurrent: mc }, 'max_concurrent set explicitly: the governor never goes above it')
        : set(
            'governor_max',
            Math.min(1024, Math.max(mc, GOVERNOR_CEILING)),
            { max_concurrent: mc },
            `the governor may grow to ${GOVERNOR_CEILING} (or max_concurrent if higher), at most 1,024`,
          ),
    governor_increase_step: set('governor_increase_step', Math.max(1, Math.ceil(mc / 16)), { max_concurrent: mc }, 'max_concurrent / 16 per good window'),
    verify_concurrency: set('verify_concurrency', Math.max(4, Math.min(64, mc)), { max_concurrent: mc }, 'max_concurrent, from 4 to 64'),
    dispatcher_in_flight: set(
      'dispatcher_in_flight',
      dispatcherInFlight(engine, mc, v.batch_size),
      { engine, max_concurrent: mc, batch_size: v.batch_size },
      engine === 's5cmd' ? 'two s5cmd processes at a time' : 'enough batches to keep max_concurrent copies busy, plus one (at least 2)',
    ),
    list_prefetch: set('list_prefetch', Math.max(1, v.list_parallelism - 1), { list_parallelism: v.list_parallelism }, 'list_parallelism less the one read'),
    list_concurrency: set(
      'list_concurrency',
      Math.min(LIST_CONCURRENCY_CAP, v.list_parallelism * 2),
      { list_parallelism: v.list_parallelism, cap: LIST_CONCURRENCY_CAP },
      'two ListObjectsV2 requests in flight per listing stream (a page waits on S3 about as long as it takes to parse), ' +
        `at most ${LIST_CONCURRENCY_CAP}; a big prefix is split into key ranges listed at once`,
    ),
    s5cmd_workers: set('s5cmd_workers', s5cmdWorkers(mc), { max_concurrent: mc }, 'half the concurrency per s5cmd process; follows the governor'),
    part_size_bytes: set('part_size_bytes', v.part_size_mb * MIB, { part_size_mb: v.part_size_mb }, 'part_size_mb in bytes (MiB)'),
    multipart_threshold_bytes: set(
      'multipart_threshold_bytes',
      multipartThresholdMb * MIB,
      { enable_multipart_threshold_mb: multipartThresholdMb },
      'enable_multipart_threshold_mb in bytes (MiB)',
    ),
  };
  return { values, explain };
}

function formatInput(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

const FROM_WIDTH = 'operator'.length;

/** A table for `plan --explain`: setting, value, where it comes from (sizing or operator), the rule (wrapped) and its inputs. */
export function formatExplain(explain: readonly ExplainRow[], width = 100): string {
  const nameW = Math.max('setting'.length, ...explain.map((e) => e.name.length));
  const valueW = Math.max('value'.length, ...explain.map((e) => String(e.value).length));
  const ruleW = Math.max(30, width - nameW - valueW - FROM_WIDTH - 6);
  const indent = ' '.repeat(nameW + valueW + FROM_WIDTH + 6);
  const out = [
    `${'setting'.padEnd(nameW)}  ${'value'.padStart(valueW)}  ${'from'.padEnd(FROM_WIDTH)}  why`,
    `${'-'.repeat(nameW)}  ${'-'.repeat(valueW)}  ${'-'.repeat(FROM_WIDTH)}  ${'-'.repeat(Math.min(ruleW, 40))}`,
  ];
  for (const e of explain) {
    const rule = wrap(e.rule, ruleW);
    const from = (e.origin ?? 'sizing').padEnd(FROM_WIDTH);
    out.push(`${e.name.padEnd(nameW)}  ${String(e.value).padStart(valueW)}  ${from}  ${rule[0] ?? ''}`);
    for (const more of rule.slice(1)) out.push(indent + more);
    const inputs = Object.entries(e.inputs).map(([k, v]) => `${k}=${formatInput(v)}`);
    if (inputs.length) for (const l of wrap(`inputs: ${inputs.join(', ')}`, ruleW)) out.push(indent + l);
  }
  return out.join('\n');
}
