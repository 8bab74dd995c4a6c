import { describe, expect, it } from 'vitest';
import { computeKpis, formatKpiSummary, LatencyRecorder } from '../../../src/observe/kpi.js';

/** HDR histograms with 3 significant digits promise values within 0.1%. */
const within = (actual: number, expected: number, rel = 0.001) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * rel);

describe('LatencyRecorder', () => {
  it('gives the percentiles of 1..1000 ms (nearest rank) within 0.1%, with exact avg, min and max', () => {
    const r = new LatencyRecorder();
    // Shuffled order must not matter.
    const values = Array.from({ length: 1000 }, (_, i) => i + 1).sort((a, b) => ((a * 7919) % 1000) - ((b * 7919) % 1000));
    for (const v of values) r.record(v);
    const s = r.summary();
    expect(s.count).toBe(1000);
    expect(s.avg).toBe(500.5);
    expect(s.min).toBe(1);
    expect(s.max).toBe(1000);
    within(s.p50, 500);
    within(s.p95, 950);
    within(s.p99, 990);
    within(r.percentile(10), 100);
  });

  it('keeps microsecond precision', () => {
    const r = new LatencyRecorder();
    for (const v of [0.25, 0.5, 0.75, 1.001]) r.record(v);
    const s = r.summary();
    expect(s.min).toBe(0.25);
    expect(s.max).toBe(1.001);
    expect(s.avg).toBeCloseTo((0.25 + 0.5 + 0.75 + 1.001) / 4, 9);
    expect(s.p50).toBe(0.5);
  });

  it('uses fixed memory: a million samples take no more room than ten', () => {
    const small = new LatencyRecorder();
    for (let i = 0; i < 10; i++) small.record(i);
    const big = new LatencyRecorder();
    for (let i = 0; i < 1_000_000; i++) big.record((i % 5000) / 10);
    expect(big.footprintBytes).toBe(small.footprintBytes);
    expect(big.footprintBytes).toBeLessThan(256 * 1024);
    expect(big.count).toBe(1_000_000);
  });

  it('clamps samples above the maximum and rejects nonsense', () => {
    const r = new LatencyRecorder({ maxMs: 1000 });
    r.record(5000);
    r.record(Number.NaN);
    r.record(-1);
    r.record(Number.POSITIVE_INFINITY);
    r.record(10);
    expect(r.count).toBe(2);
    expect(r.clamped).toBe(1);
    expect(r.rejected).toBe(3);
    expect(r.summary().max).toBe(1000);
    r.reset();
    expect(r.summary()).toEqual({ count: 0, avg: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 });
  });

  it('a skewed sample: 99 fast, 1 slow', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 99; i++) r.record(20);
    r.record(3000);
    const s = r.summary();
    within(s.p50, 20);
    within(s.p95, 20);
    within(s.p99, 20);
    expect(s.max).toBe(3000);
    expect(s.avg).toBeCloseTo((99 * 20 + 3000) / 100, 9);
  });
});

describe('computeKpis', () => {
  it('computes rates in MB/s (not Mbit/s), percentages, server-side bytes and cost per GB', () => {
    const latency = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) latency.record(i);
    const k = computeKpis({
      durationSeconds: 100,
      copiedBytes: 10 * 1024 ** 3, // 10 GiB
      copiedObjects: 9_900,
      failedObjects: 100,
      attemptedObjects: 10_000,
      serverSideBytes: 8 * 1024 ** 3,
      costUsd: 0.5,
      latency,
    });
    expect(k.transfer_rate_mbps).toBe(102.4); // 10240 MiB / 100 s
    expect(k.files_per_second).toBe(99);
    expect(k.error_rate_percent).toBe(1);
    expect(k.success_rate_percent).toBe(99);
    expect(k.bytes_not_through_job).toBe(8 * 1024 ** 3);
    expect(k.cost_per_gb_usd).toBe(0.05);
    expect(k.latency_ms.avg).toBe(50.5);
    expect(k.latency_ms.min).toBe(1);
    expect(k.latency_ms.max).toBe(100);
    within(k.latency_ms.p95, 95);
  });

  it('nothing attempted (everything skipped) is 0% errors and 100% success; zero duration gives zero rates', () => {
    const k = computeKpis({ durationSeconds: 0, copiedBytes: 0, copiedObjects: 0, failedObjects: 0, attemptedObjects: 0, serverSideBytes: 0 });
    expect(k).toMatchObject({ transfer_rate_mbps: 0, files_per_second: 0, error_rate_percent: 0, success_rate_percent: 100, cost_per_gb_usd: 0 });
    expect(k.latency_ms).toEqual({ avg: 0, min: 0, max: 0, p50: 0, p95: 0, p99: 0 });
  });

  it('accepts a latency summary as well as a recorder', () => {
    const k = computeKpis({
      durationSeconds: 1,
      copiedBytes: 1,
      copiedObjects: 1,
      failedObjects: 0,
      attemptedObjects: 1,
      serverSideBytes: 1,
      latency: { count: 1, avg: 12.3456, min: 12.3456, max: 12.3456, p50: 12.3456, p95: 12.3456, p99: 12.3456 },
    });
    expect(k.latency_ms.p99).toBe(12.346);
  });

  it('formats a readable summary', () => {
    const text = formatKpiSummary(
      computeKpis({
        durationSeconds: 10,
        copiedBytes: 50 * 1024 * 1024,
        copiedObjects: 40,
        failedObjects: 0,
        attemptedObjects: 40,
        serverSideBytes: 50 * 1024 * 1024,
        costUsd: 0.001,
      }),
    );
    expect(text).toContain('5.00 MB/s, 4.0 files/s');
    expect(text).toContain('100.00% succeeded, 0.00% failed');
    expect(text).toContain('50.0 MiB never passed through the job');
    expect(text).toContain('$0.0205 per GB copied'); // 0.001 / (50/1024 GB)
  });
});
