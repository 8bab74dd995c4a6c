/**
 * Key performance indicators of a run, after the seed's S3DirectSyncMetrics, with its units fixed:
 * `transfer_rate_mbps` is mega*bytes* per second (MiB/s, 1 MB = 1,048,576 bytes, the same MB as the
 * run report's `rates.mb_per_second` and the `TransferRateMBps` metric), never megabits.
 *
 * Latency percentiles come from an HDR histogram of fixed size (no per-sample storage), recorded in
 * microseconds; min, max, count and sum are kept exactly beside it.
 */
import * as hdr from 'hdr-histogram-js';
import { formatBytes, GIB, MIB } from '../units.js';

export interface LatencySummary {
  count: number;
  /** Milliseconds; all zero when nothing was recorded. */
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface LatencyRecorderOptions {
  /** Longest latency told apart from longer ones; longer samples are clamped to it. Default 1 hour. */
  maxMs?: number;
  /** Significant decimal digits kept (3 → values within 0.1%). Default 3. */
  significantDigits?: 1 | 2 | 3 | 4 | 5;
}

/**
 * Per-object copy latencies in fixed memory (about 100 KB at the defaults, whatever the sample count).
 */
export class LatencyRecorder {
  private histogram: hdr.Histogram;
  private readonly maxMicros: number;
  private n = 0;
  private sumMicros = 0;
  private minMicros = Number.POSITIVE_INFINITY;
  private maxMicrosSeen = 0;
  /** Samples longer than `maxMs`, recorded as `maxMs`. */
  clamped = 0;
  /** Samples that were not finite non-negative numbers, not recorded. */
  rejected = 0;

  constructor(opts: LatencyRecorderOptions = {}) {
    this.maxMicros = Math.max(2, Math.round((opts.maxMs ?? 3_600_000) * 1000));
    this.histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: this.maxMicros,
      numberOfSignificantValueDigits: opts.significantDigits ?? 3,
      autoResize: false,
      bitBucketSize: 32,
      useWebAssembly: false,
    });
  }

  /** Records one latency in milliseconds (microsecond precision). */
  record(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      this.rejected++;
      return;
    }
    let us = Math.round(ms * 1000);
    if (us > this.maxMicros) {
      us = this.maxMicros;
      this.clamped++;
    }
    this.histogram.recordValue(us);
    this.n++;
    this.sumMicros += us;
    if (us < this.minMicros) this.minMicros = us;
    if (us > this.maxMicrosSeen) this.maxMicrosSeen = us;
  }

  get count(): number {
    return this.n;
  }

  /** Approximate memory held, in bytes (constant). */
  get footprintBytes(): number {
    return this.histogram.estimatedFootprintInBytes;
  }

  /** Value (ms) at a percentile (0–100): the smallest recorded value with at least that share at or below it, within the precision. */
  percentile(p: number): number {
    if (this.n === 0) return 0;
    return this.histogram.getValueAtPercentile(p) / 1000;
  }

  summary(): LatencySummary {
    if (this.n === 0) return { count: 0, avg: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 };
    // A percentile never lies outside the exact extremes (the histogram reports bucket upper edges).
    const at = (p: number) => Math.min(this.maxMicrosSeen, Math.max(this.minMicros, this.histogram.getValueAtPercentile(p))) / 1000;
    return {
      count: this.n,
      avg: this.sumMicros / this.n / 1000,
      min: this.minMicros / 1000,
      max: this.maxMicrosSeen / 1000,
      p50: at(50),
      p95: at(95),
      p99: at(99),
    };
  }

  reset(): void {
    this.histogram.reset();
    this.n = 0;
    this.sumMicros = 0;
    this.minMicros = Number.POSITIVE_INFINITY;
    this.maxMicrosSeen = 0;
    this.clamped = 0;
    this.rejected = 0;
  }
}

export interface KpiInput {
  durationSeconds: number;
  /** Bytes of objects copied (server-side or through the job). */
  copiedBytes: number;
  copiedObjects: number;
  failedObjects: number;
  /** Objects a copy was tried for (copied + failed, usually). */
  attemptedObjects: number;
  /** Bytes copied server-side (CopyObject/UploadPartCopy, s5cmd): they never pass through the job. */
  serverSideBytes: number;
  /** The run's estimated cost (see cost.ts); 0 or undefined when not tracked. */
  costUsd?: number;
  latency?: LatencyRecorder | LatencySummary;
}

export interface Kpis {
  /** Megabytes (MiB) per second, not megabits. */
  transfer_rate_mbps: number;
  files_per_second: number;
  error_rate_percent: number;
  success_rate_percent: number;
  latency_ms: { avg: number; min: number; max: number; p50: number; p95: number; p99: number };
  /** Bytes copied server-side, which never went through the job's network. */
  bytes_not_through_job: number;
  /** Cost per GiB copied, in USD (0 when nothing was copied or cost is not tracked). */
  cost_per_gb_usd: number;
}

export function computeKpis(i: KpiInput): Kpis {
  const seconds = i.durationSeconds > 0 ? i.durationSeconds : 0;
  const attempted = Math.max(0, i.attemptedObjects);
  const lat = i.latency instanceof LatencyRecorder ? i.latency.summary() : i.latency;
  return {
    transfer_rate_mbps: seconds > 0 ? round(i.copiedBytes / MIB / seconds, 3) : 0,
    files_per_second: seconds > 0 ? round(i.copiedObjects / seconds, 3) : 0,
    // Nothing attempted (all skipped) is not an error: 0% errors, 100% success, so alarms stay quiet.
    error_rate_percent: attempted > 0 ? round((i.failedObjects / attempted) * 100, 3) : 0,
    success_rate_percent: attempted > 0 ? round((Math.min(i.copiedObjects, attempted) / attempted) * 100, 3) : 100,
    latency_ms: {
      avg: round(lat?.avg ?? 0, 3),
      min: round(lat?.min ?? 0, 3),
      max: round(lat?.max ?? 0, 3),
      p50: round(lat?.p50 ?? 0, 3),
      p95: round(lat?.p95 ?? 0, 3),
      p99: round(lat?.p99 ?? 0, 3),
    },
    bytes_not_through_job: Math.max(0, i.serverSideBytes),
    cost_per_gb_usd: i.costUsd && i.copiedBytes > 0 ? round(i.costUsd / (i.copiedBytes / GIB), 6) : 0,
  };
}

export function formatKpiSummary(k: Kpis): string {
  const l = k.latency_ms;
  return [
    'KPIs',
    `  throughput   ${k.transfer_rate_mbps.toFixed(2)} MB/s, ${k.files_per_second.toFixed(1)} files/s`,
    `  outcome      ${k.success_rate_percent.toFixed(2)}% succeeded, ${k.error_rate_percent.toFixed(2)}% failed`,
    `  latency ms   avg ${l.avg.toFixed(1)}, min ${l.min.toFixed(1)}, p50 ${l.p50.toFixed(1)}, ` +
      `p95 ${l.p95.toFixed(1)}, p99 ${l.p99.toFixed(1)}, max ${l.max.toFixed(1)}`,
    `  server-side  ${formatBytes(k.bytes_not_through_job)} never passed through the job`,
    `  cost         ${k.cost_per_gb_usd > 0 ? `$${k.cost_per_gb_usd.toFixed(4)} per GB copied` : 'not tracked'}`,
  ].join('\n');
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
