/**
 * PutMetricData publishing, for when metrics are asked to go through the CloudWatch API instead of
 * (or besides) EMF log lines.
 *
 * Per-call limits, from the PutMetricData API reference (checked 2026-11-26 against the reference
 * and the @aws-sdk/client-cloudwatch 3.1164 model documentation): at most 1,000 different metrics
 * (MetricDatum items) per request and at most 1 MB of request payload (gzip allowed), at most 30
 * dimensions per metric, values within ±2^360 and never NaN/Infinity. AWS raised the limits from
 * 20 metrics / 40 KB per call in August 2022 ("Amazon CloudWatch metrics increases throughput"),
 * which is why older code, and the seed, batches by 20.
 *
 * Failures never throw: they are logged and returned, so a metrics outage cannot fail a copy run.
 */
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { cleanDimensions, isPublishableValue, METRIC_NAMES, METRIC_NAMESPACE, METRIC_UNITS, type MetricDimensions, type RunMetrics } from './emf.js';

export const PUT_METRIC_DATA_LIMITS = Object.freeze({
  /** MetricDatum items per PutMetricData call. */
  maxMetricsPerCall: 1000,
  /** Request payload size per call; 1 MB, kept with a margin for the envelope and headers. */
  maxPayloadBytes: 1_000_000,
  maxDimensionsPerMetric: 30,
});

/** Only what is used, so a winston logger or a test double both fit. */
export interface MetricsLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  debug?(message: string, meta?: Record<string, unknown>): unknown;
}

export interface PublishOptions {
  namespace?: string;
  /** Timestamp of every datum (default now). */
  timestamp?: Date;
  /** 1 = high resolution (per second), 60 = standard. Default 60. */
  storageResolution?: 1 | 60;
  /** Lower the per-call limits (tests, or a proxy with smaller limits); never above the service's. */
  maxMetricsPerCall?: number;
  maxPayloadBytes?: number;
  logger?: MetricsLogger;
  abortSignal?: AbortSignal;
}

export interface PublishFailure {
  /** Index of the failed call (0-based). */
  batch: number;
  /** Metric names in that call (first 20). */
  metrics: string[];
  datums: number;
  name: string;
  message: string;
  code?: string;
  httpStatus?: number;
}

export interface PublishResult {
  ok: boolean;
  calls: number;
  published: number;
  failed: number;
  /** Datums left out before sending (non-finite values). */
  dropped: string[];
  failures: PublishFailure[];
}

/** The contract's metrics as PutMetricData items with the Environment and Mode dimensions. */
export function toMetricData(
  metrics: RunMetrics,
  dims: MetricDimensions,
  timestamp: Date,
  storageResolution: 1 | 60 = 60,
): { data: MetricDatum[]; dropped: string[] } {
  const d = cleanDimensions(dims);
  const dimensions = [
    { Name: 'Environment', Value: d.Environment },
    { Name: 'Mode', Value: d.Mode },
  ];
  const data: MetricDatum[] = [];
  const dropped: string[] = [];
  for (const name of METRIC_NAMES) {
    const v = metrics[name];
    if (v === undefined) continue;
    if (!isPublishableValue(v)) {
      dropped.push(name);
      continue;
    }
    data.push({
      MetricName: name,
      Value: v,
      Unit: METRIC_UNITS[name] as StandardUnit,
      Timestamp: timestamp,
      Dimensions: dimensions,
      StorageResolution: storageResolution,
    });
  }
  return { data, dropped };
}

/** Bytes one datum adds to a JSON-protocol request body (a close upper estimate). */
export function datumSize(d: MetricDatum): number {
  // Timestamps travel as epoch seconds in the JSON protocol; a Date stringifies longer, which errs safe.
  return Buffer.byteLength(JSON.stringify(d), 'utf8') + 1;
}

/** Splits data into calls that respect both the count and the payload limits, keeping order. */
export function batchMetricData(
  data: MetricDatum[],
  limits: { maxMetricsPerCall?: number; maxPayloadBytes?: number; namespace?: string } = {},
): MetricDatum[][] {
  const maxCount = clamp(limits.maxMetricsPerCall ?? PUT_METRIC_DATA_LIMITS.maxMetricsPerCall, 1, PUT_METRIC_DATA_LIMITS.maxMetricsPerCall);
  const maxBytes = clamp(limits.maxPayloadBytes ?? PUT_METRIC_DATA_LIMITS.maxPayloadBytes, 1, PUT_METRIC_DATA_LIMITS.maxPayloadBytes);
  const envelope = Buffer.byteLength(JSON.stringify({ Namespace: limits.namespace ?? METRIC_NAMESPACE, MetricData: [] }), 'utf8');
  const batches: MetricDatum[][] = [];
  let current: MetricDatum[] = [];
  let bytes = envelope;
  for (const d of data) {
    const size = datumSize(d);
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = envelope;
    }
    // A single datum larger than the limit still goes alone; the service will say why it refuses it.
    current.push(d);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Publishes any MetricDatum list, batched within the limits. Never throws. */
export async function publishMetricData(client: CloudWatchClient, data: MetricDatum[], opts: PublishOptions = {}): Promise<PublishResult> {
  const namespace = opts.namespace ?? METRIC_NAMESPACE;
  const result: PublishResult = { ok: true, calls: 0, published: 0, failed: 0, dropped: [], failures: [] };
  let batches: MetricDatum[][];
  try {
    batches = batchMetricData(data, { ...opts, namespace });
  } catch (err) {
    result.ok = false;
    result.failed = data.length;
    result.failures.push({ batch: -1, metrics: [], datums: data.length, name: errorName(err), message: errorMessage(err) });
    opts.logger?.warn('metrics not published: could not batch them', { error: errorMessage(err) });
    return result;
  }
  for (const [i, batch] of batches.entries()) {
    result.calls++;
    try {
      await client.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }), { abortSignal: opts.abortSignal });
      result.published += batch.length;
      opts.logger?.debug?.('metrics published', { namespace, batch: i, datums: batch.length });
    } catch (err) {
      const e = err as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
      const failure: PublishFailure = {
        batch: i,
        metrics: [...new Set(batch.map((d) => d.MetricName ?? '?'))].slice(0, 20),
        datums: batch.length,
        name: errorName(err),
        message: errorMessage(err),
        ...(e?.Code ? { code: e.Code } : {}),
        ...(e?.$metadata?.httpStatusCode ? { httpStatus: e.$metadata.httpStatusCode } : {}),
      };
      result.ok = false;
      result.failed += batch.length;
      result.failures.push(failure);
      opts.logger?.warn('PutMetricData failed; the run goes on without these metrics', {
        namespace,
        batch: i,
        of: batches.length,
        datums: batch.length,
        error: failure.name,
        message: failure.message,
        http_status: failure.httpStatus,
      });
    }
  }
  return result;
}

/** Publishes the contract's metrics (namespace S3DirectSync, dimensions Environment and Mode). Never throws. */
export async function publishMetrics(client: CloudWatchClient, metrics: RunMetrics, dims: MetricDimensions, opts: PublishOptions = {}): Promise<PublishResult> {
  let data: MetricDatum[];
  let dropped: string[];
  try {
    ({ data, dropped } = toMetricData(metrics, dims, opts.timestamp ?? new Date(), opts.storageResolution ?? 60));
  } catch (err) {
    opts.logger?.warn('metrics not published: bad input', { error: errorMessage(err) });
    return {
      ok: false,
      calls: 0,
      published: 0,
      failed: 0,
      dropped: [],
      failures: [{ batch: -1, metrics: [], datums: 0, name: errorName(err), message: errorMessage(err) }],
    };
  }
  if (dropped.length > 0) opts.logger?.warn('metrics without a finite value were left out', { metrics: dropped });
  const result = await publishMetricData(client, data, opts);
  result.dropped = dropped;
  return result;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(n)));
}

function errorName(err: unknown): string {
  return (err as { name?: string } | undefined)?.name ?? 'Error';
}

function errorMessage(err: unknown): string {
  const m = (err as { message?: string } | undefined)?.message;
  return typeof m === 'string' && m !== '' ? m : String(err);
}
