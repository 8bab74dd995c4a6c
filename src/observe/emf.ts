/**
 * CloudWatch Embedded Metric Format (EMF): one JSON log line per run summary that CloudWatch Logs
 * turns into metrics, with no API call and no extra IAM (the default way this job publishes metrics).
 *
 * Follows the EMF specification (Amazon CloudWatch User Guide, "Specification: Embedded metric
 * format"): a root object with `_aws` { Timestamp: integer milliseconds since the epoch,
 * CloudWatchMetrics: [MetricDirective] }, each directive { Namespace, Dimensions: [DimensionSet],
 * Metrics: [{ Name, Unit? }] } with at most 100 metric definitions and at most 30 keys per dimension
 * set (9 before the 2022 raise); every dimension key a root member with a string value, every metric
 * name a root member with a number (or an array of at most 100 numbers); units from CloudWatch's
 * list. A log event is limited to 1 MB (256 KB in older documentation; these lines are under 2 KB).
 */
import type { RunReport } from './report.js';
import { ExitCode } from '../exit-codes.js';
import { computeKpis } from './kpi.js';

export const METRIC_NAMESPACE = 'S3DirectSync';

/** The metrics contract (DESIGN.md) with each metric's CloudWatch unit. Terraform alarms use these names. */
export const METRIC_UNITS = {
  TransferRateMBps: 'None',
  FilesPerSecond: 'Count/Second',
  ErrorRate: 'Percent',
  SuccessRate: 'Percent',
  ObjectsCopied: 'Count',
  ObjectsFailed: 'Count',
  ObjectsSkipped: 'Count',
  BytesCopied: 'Bytes',
  ChecksumMismatches: 'Count',
  DurationSeconds: 'Seconds',
  CostPerGB: 'None',
  /** 1 when the run found the destination's lease held by another run (exit 6), else 0: not a failure. */
  LeaseHeld: 'Count',
} as const satisfies Record<string, CloudWatchUnit>;

export type MetricName = keyof typeof METRIC_UNITS;
export const METRIC_NAMES = Object.keys(METRIC_UNITS) as MetricName[];

/** Values for some or all of the contract's metrics; missing or non-finite ones are left out. */
export type RunMetrics = Partial<Record<MetricName, number>>;

export interface MetricDimensions {
  Environment: string;
  Mode: string;
}
export const DIMENSION_KEYS = ['Environment', 'Mode'] as const;

/** Units CloudWatch accepts (MetricDatum.Unit / the EMF schema's MetricUnit). */
export const CLOUDWATCH_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;
export type CloudWatchUnit = (typeof CLOUDWATCH_UNITS)[number];

export const EMF_LIMITS = Object.freeze({ metricsPerDirective: 100, dimensionsPerSet: 30, valuesPerMetric: 100, eventBytes: 1_048_576, nameLength: 255 });

/** CloudWatch rejects values outside ±2^360 and NaN/Infinity. */
const CW_MAX = 2 ** 360;

export function isPublishableValue(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= CW_MAX;
}

/** Dimension values must be 1–1024 characters; empty ones become "unknown" rather than break the line. */
export function cleanDimensions(d: MetricDimensions): MetricDimensions {
  const clean = (v: string) => (typeof v === 'string' && v.trim() !== '' ? v.slice(0, 1024) : 'unknown');
  return { Environment: clean(d.Environment), Mode: clean(d.Mode) };
}

/**
 * One EMF document as a single JSON line (no trailing newline). `timestamp` is a Date or epoch
 * milliseconds. Metrics with no finite value are left out of both the directive and the root.
 */
export function emfLine(metrics: RunMetrics, dims: MetricDimensions, timestamp: Date | number = Date.now()): string {
  const ts = Math.round(typeof timestamp === 'number' ? timestamp : timestamp.getTime());
  const d = cleanDimensions(dims);
  const names = METRIC_NAMES.filter((n) => isPublishableValue(metrics[n]));
  const doc: Record<string, unknown> = {
    _aws: {
      Timestamp: ts,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [[...DIMENSION_KEYS]],
          Metrics: names.map((Name) => ({ Name, Unit: METRIC_UNITS[Name] })),
        },
      ],
    },
    Environment: d.Environment,
    Mode: d.Mode,
  };
  for (const n of names) doc[n] = metrics[n];
  return JSON.stringify(doc);
}

/** The contract's metrics from a finished run's report (and the run's estimated cost, when tracked). */
export function metricsFromReport(r: RunReport, opts: { costUsd?: number } = {}): RunMetrics {
  const attempted = r.counts.copied + r.counts.failed;
  const k = computeKpis({
    durationSeconds: r.duration_seconds,
    copiedBytes: r.bytes.copied,
    copiedObjects: r.counts.copied,
    failedObjects: r.counts.failed,
    attemptedObjects: attempted,
    serverSideBytes: 0,
    costUsd: opts.costUsd,
  });
  const m: RunMetrics = {
    TransferRateMBps: r.rates.mb_per_second,
    FilesPerSecond: r.rates.files_per_second,
    ErrorRate: k.error_rate_percent,
    SuccessRate: k.success_rate_percent,
    ObjectsCopied: r.counts.copied,
    ObjectsFailed: r.counts.failed,
    ObjectsSkipped: r.counts.skipped,
    BytesCopied: r.bytes.copied,
    ChecksumMismatches: r.counts.checksum_mismatches,
    DurationSeconds: r.duration_seconds,
  };
  if (opts.costUsd !== undefined) m.CostPerGB = k.cost_per_gb_usd;
  m.LeaseHeld = r.exit_code === ExitCode.leaseHeld ? 1 : 0;
  if (m.LeaseHeld === 1) {
    // Another run holds the destination: rates of a run that (mostly) did nothing would read as
    // a slow or failing run to the alarms.
    for (const n of ['TransferRateMBps', 'FilesPerSecond', 'ErrorRate', 'SuccessRate', 'CostPerGB'] as const) delete m[n];
  }
  return m;
}

/**
 * Checks a parsed document against the EMF specification; returns the problems found (empty when
 * valid). Used by the tests and handy for anyone adding metrics.
 */
export function validateEmfDocument(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['root: must be a JSON object'];
  const aws = doc._aws;
  if (!isObject(aws)) return ['_aws: required object is missing'];
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp) || aws.Timestamp < 0) {
    problems.push('_aws.Timestamp: must be an integer count of milliseconds since the epoch');
  } else if (aws.Timestamp < 1e11) {
    problems.push(`_aws.Timestamp: ${aws.Timestamp} looks like seconds, not milliseconds`);
  }
  if (!Array.isArray(aws.CloudWatchMetrics)) {
    problems.push('_aws.CloudWatchMetrics: required array is missing');
    return problems;
  }
  aws.CloudWatchMetrics.forEach((dir: unknown, i: number) => {
    const at = `_aws.CloudWatchMetrics[${i}]`;
    if (!isObject(dir)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    if (typeof dir.Namespace !== 'string' || dir.Namespace.length < 1 || dir.Namespace.length > 255)
      problems.push(`${at}.Namespace: must be a string of 1–255 characters`);
    if (!Array.isArray(dir.Dimensions) || dir.Dimensions.length < 1) {
      problems.push(`${at}.Dimensions: must be an array of at least one dimension set`);
    } else {
      dir.Dimensions.forEach((set: unknown, j: number) => {
        if (!Array.isArray(set)) return problems.push(`${at}.Dimensions[${j}]: must be an array of dimension keys`);
        if (set.length > EMF_LIMITS.dimensionsPerSet) problems.push(`${at}.Dimensions[${j}]: ${set.length} keys, more than ${EMF_LIMITS.dimensionsPerSet}`);
        for (const key of set) {
          if (typeof key !== 'string' || key.length < 1 || key.length > 255)
            problems.push(`${at}.Dimensions[${j}]: key ${JSON.stringify(key)} must be a string of 1–255 characters`);
          else if (typeof doc[key] !== 'string') problems.push(`${key}: dimension target must be a string member of the root`);
        }
        return undefined;
      });
    }
    if (!Array.isArray(dir.Metrics)) {
      problems.push(`${at}.Metrics: must be an array`);
      return;
    }
    if (dir.Metrics.length > EMF_LIMITS.metricsPerDirective)
      problems.push(`${at}.Metrics: ${dir.Metrics.length} definitions, more than ${EMF_LIMITS.metricsPerDirective}`);
    dir.Metrics.forEach((m: unknown, j: number) => {
      if (!isObject(m) || typeof m.Name !== 'string' || m.Name.length < 1 || m.Name.length > 255) {
        problems.push(`${at}.Metrics[${j}].Name: must be a string of 1–255 characters`);
        return;
      }
      if (m.Unit !== undefined && !(CLOUDWATCH_UNITS as readonly string[]).includes(m.Unit as string))
        problems.push(`${at}.Metrics[${j}].Unit: ${JSON.stringify(m.Unit)} is not a CloudWatch unit`);
      const v = doc[m.Name];
      const ok =
        typeof v === 'number'
          ? Number.isFinite(v)
          : Array.isArray(v) && v.length <= EMF_LIMITS.valuesPerMetric && v.every((x) => typeof x === 'number' && Number.isFinite(x));
      if (!ok) problems.push(`${m.Name}: metric target must be a number (or an array of at most ${EMF_LIMITS.valuesPerMetric} numbers) on the root`);
    });
  });
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
