import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { batchMetricData, datumSize, PUT_METRIC_DATA_LIMITS, publishMetricData, publishMetrics, toMetricData } from '../../../src/observe/cloudwatch.js';
import { METRIC_NAMES } from '../../../src/observe/emf.js';

/** Records every call; fails the calls whose index is in `failOn`. */
function fakeClient(failOn: Set<number> = new Set()) {
  const calls: Array<{ Namespace?: string; MetricData?: MetricDatum[] }> = [];
  const client = {
    send: async (cmd: unknown) => {
      expect(cmd).toBeInstanceOf(PutMetricDataCommand);
      const input = (cmd as PutMetricDataCommand).input;
      const i = calls.length;
      calls.push(input);
      if (failOn.has(i)) throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
      return {};
    },
  } as unknown as CloudWatchClient;
  return { client, calls };
}

const datum = (i: number, extra: Partial<MetricDatum> = {}): MetricDatum => ({ MetricName: `M${i}`, Value: i, Unit: 'Count', ...extra });

describe('limits', () => {
  it("are the current PutMetricData limits (1,000 metrics, 1 MB), not the seed's 20", () => {
    expect(PUT_METRIC_DATA_LIMITS.maxMetricsPerCall).toBe(1000);
    expect(PUT_METRIC_DATA_LIMITS.maxPayloadBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(PUT_METRIC_DATA_LIMITS.maxPayloadBytes).toBeGreaterThan(900_000);
  });
});

describe('batchMetricData', () => {
  it('cuts at 1,000 datums and keeps order', () => {
    const data = Array.from({ length: 2_001 }, (_, i) => datum(i));
    const batches = batchMetricData(data);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 1]);
    expect(batches.flat()).toEqual(data);
  });

  it('cuts by payload size before the count limit when datums are large', () => {
    const dims = Array.from({ length: 30 }, (_, d) => ({ Name: `Dim${d}`, Value: 'v'.repeat(1000) }));
    const data = Array.from({ length: 100 }, (_, i) => datum(i, { Dimensions: dims }));
    const size = datumSize(data[0]!);
    expect(size).toBeGreaterThan(30_000);
    const batches = batchMetricData(data);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      const body = JSON.stringify({ Namespace: 'S3DirectSync', MetricData: b });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(PUT_METRIC_DATA_LIMITS.maxPayloadBytes);
      expect(b.length).toBeLessThan(1000);
    }
    expect(batches.flat()).toEqual(data);
  });

  it("never raises the limits above the service's, and sends an oversized datum alone", () => {
    expect(
      batchMetricData(
        Array.from({ length: 1500 }, (_, i) => datum(i)),
        { maxMetricsPerCall: 5000 },
      ).map((b) => b.length),
    ).toEqual([1000, 500]);
    const huge = datum(0, { Dimensions: [{ Name: 'x', Value: 'y'.repeat(2_000_000) }] });
    expect(batchMetricData([datum(1), huge, datum(2)]).map((b) => b.length)).toEqual([1, 1, 1]);
  });
});

describe('toMetricData', () => {
  it('gives each contract metric its unit and both dimensions, dropping non-finite values', () => {
    const ts = new Date(0);
    const { data, dropped } = toMetricData({ ObjectsCopied: 3, TransferRateMBps: 1.5, ErrorRate: Number.NaN }, { Environment: 'dev', Mode: 'traditional' }, ts);
    expect(dropped).toEqual(['ErrorRate']);
    expect(data).toEqual([
      {
        MetricName: 'TransferRateMBps',
        Value: 1.5,
        Unit: 'None',
        Timestamp: ts,
        StorageResolution: 60,
        Dimensions: [
          { Name: 'Environment', Value: 'dev' },
          { Name: 'Mode', Value: 'traditional' },
        ],
      },
      {
        MetricName: 'ObjectsCopied',
        Value: 3,
        Unit: 'Count',
        Timestamp: ts,
        StorageResolution: 60,
        Dimensions: [
          { Name: 'Environment', Value: 'dev' },
          { Name: 'Mode', Value: 'traditional' },
        ],
      },
    ]);
  });
});

describe('publishMetricData / publishMetrics', () => {
  it('sends every batch to the S3DirectSync namespace', async () => {
    const { client, calls } = fakeClient();
    const res = await publishMetricData(
      client,
      Array.from({ length: 2_500 }, (_, i) => datum(i)),
    );
    expect(res).toEqual({ ok: true, calls: 3, published: 2_500, failed: 0, dropped: [], failures: [] });
    expect(calls.map((c) => c.Namespace)).toEqual(['S3DirectSync', 'S3DirectSync', 'S3DirectSync']);
    expect(calls.map((c) => c.MetricData!.length)).toEqual([1000, 1000, 500]);
  });

  it('logs and returns a failed batch, goes on with the others, and never throws', async () => {
    const { client, calls } = fakeClient(new Set([1]));
    const warned: Array<Record<string, unknown> | undefined> = [];
    const res = await publishMetricData(
      client,
      Array.from({ length: 2_500 }, (_, i) => datum(i)),
      { logger: { warn: (_m, meta) => warned.push(meta) } },
    );
    expect(calls).toHaveLength(3);
    expect(res.ok).toBe(false);
    expect(res.published).toBe(1_500);
    expect(res.failed).toBe(1_000);
    expect(res.failures).toEqual([
      { batch: 1, metrics: Array.from({ length: 20 }, (_, i) => `M${1000 + i}`), datums: 1000, name: 'Throttling', message: 'Rate exceeded', httpStatus: 400 },
    ]);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ batch: 1, of: 3, datums: 1000, error: 'Throttling' });
  });

  it('a client that throws synchronously is still reported, not thrown', async () => {
    const client = {
      send: () => {
        throw new TypeError('boom');
      },
    } as unknown as CloudWatchClient;
    const res = await publishMetrics(client, { ObjectsCopied: 1 }, { Environment: 'e', Mode: 'm' });
    expect(res).toMatchObject({ ok: false, calls: 1, published: 0, failed: 1 });
    expect(res.failures[0]).toMatchObject({ name: 'TypeError', message: 'boom' });
  });

  it('publishes all twelve contract metrics in one call', async () => {
    const { client, calls } = fakeClient();
    const metrics = Object.fromEntries(METRIC_NAMES.map((n, i) => [n, i]));
    const res = await publishMetrics(client, metrics, { Environment: 'e', Mode: 'm' }, { storageResolution: 1 });
    expect(res).toMatchObject({ ok: true, calls: 1, published: 12 });
    expect(calls[0]!.MetricData!.every((d) => d.StorageResolution === 1)).toBe(true);
  });
});
