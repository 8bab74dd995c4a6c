import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type MetricDatum,
  paginateListMetrics,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, describe, expect, it } from 'vitest';
import { publishMetricData, publishMetrics } from '../../src/observe/cloudwatch.js';
import { METRIC_NAMES, METRIC_UNITS, type RunMetrics } from '../../src/observe/emf.js';
import { freePort, motoClientConfig, useMoto } from '../helpers/moto.js';

const moto = useMoto();
const clients: CloudWatchClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});
function client(endpoint = moto.endpoint, extra: Record<string, unknown> = {}): CloudWatchClient {
  const c = new CloudWatchClient({ ...motoClientConfig(endpoint), ...extra });
  clients.push(c);
  return c;
}

function captureLogger() {
  const warnings: Array<{ message: string; meta?: Record<string, unknown> }> = [];
  return { warnings, logger: { warn: (message: string, meta?: Record<string, unknown>) => warnings.push({ message, meta }) } };
}

const metrics: Required<RunMetrics> = {
  TransferRateMBps: 48.5,
  FilesPerSecond: 812.25,
  ErrorRate: 0.5,
  SuccessRate: 99.5,
  ObjectsCopied: 199,
  ObjectsFailed: 1,
  ObjectsSkipped: 1234,
  BytesCopied: 987_654_321,
  ChecksumMismatches: 0,
  DurationSeconds: 245.125,
  CostPerGB: 0.0123,
  LeaseHeld: 1,
};
const dims = { Environment: 'itest', Mode: 'direct_sync' };
const dimList = [
  { Name: 'Environment', Value: 'itest' },
  { Name: 'Mode', Value: 'direct_sync' },
];

describe('publishMetrics against moto CloudWatch', () => {
  it('publishes every contract metric with its value, unit and both dimensions', async () => {
    const cw = client();
    const timestamp = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const res = await publishMetrics(cw, metrics, dims, { timestamp });
    expect(res).toMatchObject({ ok: true, calls: 1, published: 12, failed: 0, failures: [] });

    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'S3DirectSync' }));
    const names = (listed.Metrics ?? []).map((m) => m.MetricName).sort();
    expect(names).toEqual([...METRIC_NAMES].sort());
    for (const m of listed.Metrics ?? []) {
      expect(m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).sort()).toEqual(['Environment=itest', 'Mode=direct_sync']);
    }

    const window = { StartTime: new Date(timestamp.getTime() - 3_600_000), EndTime: new Date(timestamp.getTime() + 3_600_000) };
    const data = await cw.send(
      new GetMetricDataCommand({
        ...window,
        MetricDataQueries: METRIC_NAMES.map((name, i) => ({
          Id: `m${i}`,
          MetricStat: { Metric: { Namespace: 'S3DirectSync', MetricName: name, Dimensions: dimList }, Period: 60, Stat: 'Maximum' },
        })),
      }),
    );
    for (const [i, name] of METRIC_NAMES.entries()) {
      const r = data.MetricDataResults?.find((x) => x.Id === `m${i}`);
      expect(r?.Values, name).toEqual([metrics[name]]);
    }

    // Units: GetMetricStatistics reports the unit each datapoint was stored with.
    for (const name of METRIC_NAMES) {
      const stats = await cw.send(
        new GetMetricStatisticsCommand({ ...window, Namespace: 'S3DirectSync', MetricName: name, Dimensions: dimList, Period: 60, Statistics: ['Maximum'] }),
      );
      expect(
        stats.Datapoints?.map((d) => [d.Maximum, d.Unit]),
        name,
      ).toEqual([[metrics[name], METRIC_UNITS[name]]]);
    }
  });

  it('splits more than 1,000 metrics into calls of at most 1,000 and every one arrives', async () => {
    await moto.reset();
    const cw = client();
    const timestamp = new Date();
    const data: MetricDatum[] = Array.from({ length: 2_345 }, (_, i) => ({
      MetricName: `Batch${String(i).padStart(4, '0')}`,
      Value: i,
      Unit: 'Count',
      Timestamp: timestamp,
      Dimensions: dimList,
    }));
    const res = await publishMetricData(cw, data, { namespace: 'S3DirectSyncBatch' });
    expect(res).toMatchObject({ ok: true, calls: 3, published: 2_345, failed: 0 });

    const seen = new Set<string>();
    for await (const page of paginateListMetrics({ client: cw }, { Namespace: 'S3DirectSyncBatch' })) {
      for (const m of page.Metrics ?? []) seen.add(m.MetricName!);
    }
    expect(seen.size).toBe(2_345);
    expect(seen.has('Batch0000') && seen.has('Batch2344')).toBe(true);
  });

  it('logs and returns a failing endpoint instead of throwing', async () => {
    const port = await freePort(); // nothing listens there
    const cw = client(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    const { warnings, logger } = captureLogger();
    const res = await publishMetrics(cw, metrics, dims, { logger });
    expect(res.ok).toBe(false);
    expect(res.published).toBe(0);
    expect(res.failed).toBe(12);
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]!.message).toMatch(/ECONNREFUSED|connect/i);
    expect(warnings.some((w) => /PutMetricData failed/.test(w.message) && w.meta?.datums === 12)).toBe(true);
  });

  it('a server-side refusal is reported per batch and the other batches still go', async () => {
    await moto.reset();
    const cw = client();
    const { warnings, logger } = captureLogger();
    const good: MetricDatum = { MetricName: 'Good', Value: 1, Unit: 'Count', Dimensions: dimList };
    // Value and Values together are mutually exclusive: the service refuses the whole call.
    const bad: MetricDatum = { MetricName: 'Bad', Value: 1, Values: [1, 2], Unit: 'Count', Dimensions: dimList };
    const res = await publishMetricData(cw, [good, bad, { ...good, MetricName: 'Good2' }], { namespace: 'S3DirectSyncRefusal', maxMetricsPerCall: 1, logger });
    expect(res.calls).toBe(3);
    expect(res.published).toBe(2);
    expect(res.failed).toBe(1);
    expect(res.failures[0]).toMatchObject({ batch: 1, metrics: ['Bad'], httpStatus: 400 });
    expect(res.failures[0]!.message).toMatch(/mutually exclusive/);
    expect(warnings).toHaveLength(1);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'S3DirectSyncRefusal' }));
    expect((listed.Metrics ?? []).map((m) => m.MetricName).sort()).toEqual(['Good', 'Good2']);
  });
});
