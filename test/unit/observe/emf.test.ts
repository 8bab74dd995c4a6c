import { describe, expect, it } from 'vitest';
import { BoundedList, RunCounters, type FailureRecord, type MismatchRecord } from '../../../src/observe/counters.js';
import { CLOUDWATCH_UNITS, emfLine, METRIC_NAMES, METRIC_UNITS, metricsFromReport, validateEmfDocument, type RunMetrics } from '../../../src/observe/emf.js';
import { buildReport } from '../../../src/observe/report.js';

const all: Required<RunMetrics> = {
  TransferRateMBps: 55.5,
  FilesPerSecond: 1200,
  ErrorRate: 0.25,
  SuccessRate: 99.75,
  ObjectsCopied: 3990,
  ObjectsFailed: 10,
  ObjectsSkipped: 100_000,
  BytesCopied: 123_456_789,
  ChecksumMismatches: 0,
  DurationSeconds: 3.325,
  CostPerGB: 0.0042,
  LeaseHeld: 0,
};
const dims = { Environment: 'prod', Mode: 'auto' };
const T = Date.UTC(2026, 10, 26, 12, 0, 0, 123);

describe('emfLine', () => {
  it('is one JSON line in the exact documented shape', () => {
    const line = emfLine(all, dims, new Date(T));
    expect(line).not.toContain('\n');
    const doc = JSON.parse(line);
    expect(doc).toEqual({
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [
          {
            Namespace: 'S3DirectSync',
            Dimensions: [['Environment', 'Mode']],
            Metrics: METRIC_NAMES.map((Name) => ({ Name, Unit: METRIC_UNITS[Name] })),
          },
        ],
      },
      Environment: 'prod',
      Mode: 'auto',
      ...all,
    });
  });

  it('satisfies the EMF specification: required members, ≤100 metrics, ≤30 dimensions, ms timestamp, numeric targets, valid units', () => {
    const doc = JSON.parse(emfLine(all, dims, T));
    expect(validateEmfDocument(doc)).toEqual([]);
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(Number.isInteger(doc._aws.Timestamp)).toBe(true);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const key of set) expect(typeof doc[key]).toBe('string');
    }
    for (const m of directive.Metrics) {
      expect(typeof doc[m.Name]).toBe('number');
      expect(CLOUDWATCH_UNITS).toContain(m.Unit);
    }
    expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThan(256 * 1024);
  });

  it('uses the contract units', () => {
    expect(METRIC_UNITS).toEqual({
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
      LeaseHeld: 'Count',
    });
  });

  it('leaves out metrics with no finite value, from both the directive and the root', () => {
    const doc = JSON.parse(emfLine({ ObjectsCopied: 5, CostPerGB: Number.NaN, ErrorRate: Number.POSITIVE_INFINITY }, dims, T));
    expect(doc._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'ObjectsCopied', Unit: 'Count' }]);
    expect('CostPerGB' in doc).toBe(false);
    expect('ErrorRate' in doc).toBe(false);
    expect(validateEmfDocument(doc)).toEqual([]);
  });

  it('turns empty dimension values into "unknown" (CloudWatch refuses empty ones)', () => {
    const doc = JSON.parse(emfLine({ ObjectsCopied: 1 }, { Environment: '', Mode: '  ' }, T));
    expect(doc.Environment).toBe('unknown');
    expect(doc.Mode).toBe('unknown');
  });
});

/** An EMF document as these tests mutate it: the `_aws` metadata beside the metric and dimension targets. */
interface EmfDocument {
  _aws?: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace?: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [target: string]: unknown;
}

describe('validateEmfDocument catches what the specification forbids', () => {
  const good = (): EmfDocument => JSON.parse(emfLine(all, dims, T));
  /** The document's one metric directive (emfLine writes exactly one). */
  const directive = (d: EmfDocument) => d._aws!.CloudWatchMetrics[0]!;
  it.each([
    ['no _aws', (d: EmfDocument) => delete d._aws, /_aws: required/],
    ['timestamp in seconds', (d: EmfDocument) => (d._aws!.Timestamp = Math.floor(T / 1000)), /seconds, not milliseconds/],
    ['fractional timestamp', (d: EmfDocument) => (d._aws!.Timestamp = T + 0.5), /integer/],
    ['missing namespace', (d: EmfDocument) => delete directive(d).Namespace, /Namespace/],
    [
      'too many metrics',
      (d: EmfDocument) => {
        const dir = directive(d);
        for (let i = 0; i < 101; i++) {
          dir.Metrics.push({ Name: `M${i}`, Unit: 'Count' });
          d[`M${i}`] = i;
        }
      },
      /more than 100/,
    ],
    [
      'too many dimensions',
      (d: EmfDocument) => {
        const keys = Array.from({ length: 31 }, (_, i) => `D${i}`);
        for (const k of keys) d[k] = 'x';
        directive(d).Dimensions = [keys];
      },
      /more than 30/,
    ],
    ['dimension target not a string', (d: EmfDocument) => (d.Mode = 3), /Mode: dimension target must be a string/],
    ['metric target missing', (d: EmfDocument) => delete d.BytesCopied, /BytesCopied: metric target/],
    ['metric target a string', (d: EmfDocument) => (d.ObjectsCopied = '5'), /ObjectsCopied: metric target/],
    ['bad unit', (d: EmfDocument) => (directive(d).Metrics[0]!.Unit = 'MB/s'), /not a CloudWatch unit/],
  ])('%s', (_name, mutate, message) => {
    const d = good();
    mutate(d);
    const problems = validateEmfDocument(d);
    expect(problems.join('\n')).toMatch(message);
  });
});

describe('metricsFromReport', () => {
  it('maps a run report onto the contract', () => {
    const c = new RunCounters();
    c.copied = 99;
    c.failed = 1;
    c.skipped = 500;
    c.copiedBytes = 2 * 1024 ** 3;
    c.checksumMismatches = 2;
    const report = buildReport({
      runId: 'r1',
      command: 'sync',
      dryRun: false,
      startedAt: new Date(0),
      finishedAt: new Date(20_000),
      mode: 'auto',
      syncMode: 'copy',
      engine: 'sdk',
      engineReason: 'test',
      source: 's3://a/',
      destination: 's3://b/',
      counters: c,
      plannedDeletes: 0,
      failures: new BoundedList<FailureRecord>(10),
      mismatches: new BoundedList<MismatchRecord>(10),
      degradations: [],
      interrupted: false,
      exitCode: 5,
    });
    const m = metricsFromReport(report, { costUsd: 0.1 });
    expect(m).toEqual({
      TransferRateMBps: 102.4,
      FilesPerSecond: 4.95,
      ErrorRate: 1,
      SuccessRate: 99,
      ObjectsCopied: 99,
      ObjectsFailed: 1,
      ObjectsSkipped: 500,
      BytesCopied: 2 * 1024 ** 3,
      ChecksumMismatches: 2,
      DurationSeconds: 20,
      CostPerGB: 0.05,
      LeaseHeld: 0,
    });
    expect(metricsFromReport(report)).not.toHaveProperty('CostPerGB');
    expect(validateEmfDocument(JSON.parse(emfLine(m, dims, T)))).toEqual([]);
  });

  it('a run that found the lease held (exit 6) reports LeaseHeld 1 and no rates that would read as a failure', () => {
    const report = buildReport({
      runId: 'r2',
      command: 'sync',
      dryRun: false,
      startedAt: new Date(0),
      finishedAt: new Date(2_000),
      mode: 'auto',
      syncMode: 'copy',
      engine: 'none',
      engineReason: '',
      source: 's3://a/',
      destination: 's3://b/',
      counters: new RunCounters(),
      plannedDeletes: 0,
      failures: new BoundedList<FailureRecord>(10),
      mismatches: new BoundedList<MismatchRecord>(10),
      degradations: [],
      interrupted: false,
      exitCode: 6,
      error: 'another run holds the destination',
    });
    const m = metricsFromReport(report, { costUsd: 0 });
    expect(m).toEqual({ ObjectsCopied: 0, ObjectsFailed: 0, ObjectsSkipped: 0, BytesCopied: 0, ChecksumMismatches: 0, DurationSeconds: 2, LeaseHeld: 1 });
    expect(validateEmfDocument(JSON.parse(emfLine(m, dims, T)))).toEqual([]);
  });
});
