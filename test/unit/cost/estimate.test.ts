import { describe, expect, it } from 'vitest';
import { billableStoredBytes, requestsPerObject } from '../../../src/cost/engine-estimate.js';
import { estimateCapacity } from '../../../src/cost/estimate.js';
import type { EstimateInput } from '../../../src/cost/estimate-types.js';
import { formatEstimate } from '../../../src/cost/format-estimate.js';
import { ratesFromReport } from '../../../src/cost/rates.js';
import { FARGATE_TASK_SIZES, isValidFargateSize, suggestTaskSize } from '../../../src/cost/task-size.js';
import { DEFAULT_PRICING } from '../../../src/cost/pricing.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const KiB = 1024;
const P = DEFAULT_PRICING;

/** A Binance-like month: a million ~210 KiB zips (half of them .CHECKSUM pairs), Tokyo → N. Virginia. */
const binance: EstimateInput = {
  objectCount: 1_000_000,
  totalBytes: 200 * GiB,
  rates: {
    s5cmd: { objectsPerSecond: 500, mbPerSecond: 100 },
    sdk: { objectsPerSecond: 250, mbPerSecond: 80 },
    stream: { objectsPerSecond: 100, mbPerSecond: 30 },
  },
  sourceRegion: 'ap-northeast-1',
  destRegion: 'us-east-1',
  sourceBucketOwnerPays: true,
  concurrency: 16,
  deadlineHours: 0.5,
  maxWorkers: 10,
  runsPerMonth: 30,
  accessFrequency: 'infrequent',
  growth: [{ fileCount: 2, fileSize: 1.5, frequency: 1.2 }],
};

describe('Fargate sizes', () => {
  it('lists exactly the valid Linux combinations', () => {
    expect(FARGATE_TASK_SIZES).toHaveLength(74);
    expect(isValidFargateSize({ vcpu: 0.25, memoryGb: 2 })).toBe(true);
    expect(isValidFargateSize({ vcpu: 0.25, memoryGb: 3 })).toBe(false);
    expect(isValidFargateSize({ vcpu: 4, memoryGb: 30 })).toBe(true);
    expect(isValidFargateSize({ vcpu: 8, memoryGb: 18 })).toBe(false);
    expect(isValidFargateSize({ vcpu: 16, memoryGb: 120 })).toBe(true);
  });

  it('picks the smallest size that covers the request rate and the buffers', () => {
    // 1,000 objects/s → 2 vCPU at 500/vCPU; server-side copies need little memory → 2 vCPU / 4 GB.
    expect(
      suggestTaskSize({ engine: 'sdk', concurrency: 64, avgObjectBytes: 200 * KiB, partSizeBytes: 100 * MiB, rate: { objectsPerSecond: 1000 } }),
    ).toMatchObject({ vcpu: 2, memoryGb: 4 });
    // Streaming 1 GiB objects: 64 × 5 parts of 100 MiB in memory = 31.25 GiB, + base × 1.25 headroom = 40 GB → 8 vCPU / 40 GB.
    expect(suggestTaskSize({ engine: 'stream', concurrency: 64, avgObjectBytes: 1 * GiB, partSizeBytes: 100 * MiB, rate: { mbPerSecond: 200 } })).toMatchObject(
      { vcpu: 8, memoryGb: 40 },
    );
    // Streaming 10 MiB objects in one part: 64 × (10 + 1) MiB = 0.69 GiB, + base × 1.25 = 1.8 GB → 0.25 vCPU / 2 GB.
    expect(suggestTaskSize({ engine: 'stream', concurrency: 64, avgObjectBytes: 10 * MiB, partSizeBytes: 100 * MiB, rate: {} })).toMatchObject({
      vcpu: 0.25,
      memoryGb: 2,
    });
    const s = suggestTaskSize({ engine: 's5cmd', concurrency: 16, avgObjectBytes: 200 * KiB, partSizeBytes: 100 * MiB, rate: {} });
    expect(s).toMatchObject({ vcpu: 0.25, memoryGb: 2 });
    expect(isValidFargateSize(s)).toBe(true);
  });
});

describe('helpers', () => {
  it('counts multipart requests per object', () => {
    expect(requestsPerObject(200 * KiB, 50 * MiB, 100 * MiB)).toBe(1);
    expect(requestsPerObject(60 * MiB, 50 * MiB, 100 * MiB)).toBe(1); // one part is a single copy
    expect(requestsPerObject(250 * MiB, 50 * MiB, 100 * MiB)).toBe(5); // 3 parts + create + complete
  });

  it('bills per-object minimums and archive overheads', () => {
    expect(billableStoredBytes('STANDARD', 10, 1000)).toEqual({ bytes: 10_000, standardOverheadBytes: 0 });
    expect(billableStoredBytes('STANDARD_IA', 10, 1000)).toEqual({ bytes: 10 * 128 * KiB, standardOverheadBytes: 0 });
    expect(billableStoredBytes('GLACIER', 10, 1000)).toEqual({ bytes: 10 * (1000 + 32 * KiB), standardOverheadBytes: 10 * 8 * KiB });
  });

  it('measures rates from a report where one engine did the work', () => {
    expect(
      ratesFromReport({
        duration_seconds: 100,
        engine: 's5cmd',
        engines: { s5cmd: { objects: 50_000, bytes: 5_000 * MiB }, stream: { objects: 10, bytes: MiB } },
      }),
    ).toEqual({
      s5cmd: { objectsPerSecond: 500, mbPerSecond: 50 },
    });
    expect(ratesFromReport({ duration_seconds: 100, engine: 'sdk', engines: { sdk: { objects: 50, bytes: 1 }, stream: { objects: 50, bytes: 1 } } })).toEqual(
      {},
    );
    expect(ratesFromReport({ duration_seconds: 0, engine: 'sdk', engines: { sdk: { objects: 50, bytes: 1 } } })).toEqual({});
  });

  it('credits a verified sdk run that handed what needs no SHA-256 to s5cmd with the whole run', () => {
    const engines = { sdk: { objects: 500, bytes: 90 * MiB }, s5cmd: { objects: 500, bytes: 10 * MiB } };
    const routes = { sdk: { 'zip with a .CHECKSUM: CopyObject returns its SHA-256': 500 }, s5cmd: { 'needs no SHA-256': 500 } };
    expect(ratesFromReport({ duration_seconds: 10, engine: 'sdk', engines, routes })).toEqual({ sdk: { objectsPerSecond: 100, mbPerSecond: 10 } });
    expect(ratesFromReport({ duration_seconds: 10, engine: 'sdk', engines })).toEqual({});
  });
});

describe('estimateCapacity on a Binance-like month (hand-computed)', () => {
  const e = estimateCapacity(binance, P);
  const s5 = e.engines.find((r) => r.engine === 's5cmd')!;
  const sdk = e.engines.find((r) => r.engine === 'sdk')!;
  const stream = e.engines.find((r) => r.engine === 'stream')!;

  it('durations take the slower of the object and byte bounds, in MB/s', () => {
    // s5cmd: 1e6/500 = 2,000 s vs 204,800 MiB / 100 = 2,048 s → bytes-bound.
    expect(s5.single_task_hours).toBeCloseTo(2048 / 3600, 10);
    expect(s5.bound).toBe('bytes');
    // sdk: 4,000 s vs 2,560 s; stream: 10,000 s vs 6,826.7 s → objects-bound.
    expect(sdk.single_task_hours).toBeCloseTo(4000 / 3600, 10);
    expect(sdk.bound).toBe('objects');
    expect(stream.single_task_hours).toBeCloseTo(10000 / 3600, 10);
  });

  it('adds workers to meet the deadline', () => {
    expect([s5.workers, sdk.workers, stream.workers]).toEqual([2, 3, 6]);
    expect(s5.wall_clock_hours).toBeCloseTo(1024 / 3600, 10);
    expect(stream.wall_clock_hours).toBeCloseTo(10000 / 6 / 3600, 10);
    expect(e.engines.every((r) => r.meets_deadline)).toBe(true);
    expect(e.recommended_engine).toBe('s5cmd');
  });

  it('sizes tasks from valid Fargate combinations', () => {
    expect(s5.task).toMatchObject({ vcpu: 1, memoryGb: 2 });
    expect(sdk.task).toMatchObject({ vcpu: 0.5, memoryGb: 1 });
    expect(stream.task).toMatchObject({ vcpu: 0.5, memoryGb: 1 });
    for (const r of e.engines) expect(isValidFargateSize(r.task)).toBe(true);
  });

  it('counts requests: one COPY per object, one .CHECKSUM GET per pair, 1,000 keys per LIST', () => {
    expect(s5.requests).toEqual({ list_source: 1000, list_dest: 2, get_source: 500_000, copy: 1_000_000, put: 0 });
    expect(stream.requests).toEqual({ list_source: 1000, list_dest: 6, get_source: 1_500_000, copy: 0, put: 1_000_000 });
    expect(s5.network_mbit_per_second).toBe(0); // server-side: no bytes through the tasks
    expect(stream.network_mbit_per_second).toBeCloseTo(6 * 30 * 8.388608 * 1.2, 6);
  });

  it("prices the run, with the source owner's share apart", () => {
    const taskHours = 2048 / 3600 / 2 + 2 / 60;
    const compute = 2 * taskHours * (1 * 0.04048 + 2 * 0.004445);
    expect(s5.cost.by_category.compute).toBeCloseTo(compute, 10);
    expect(s5.cost.total_usd).toBeCloseTo((2 * 0.005) / 1000 + (1_000_000 * 0.005) / 1000 + 200 * 0.023 + compute, 8);
    // LIST and GET in Tokyo and the inter-region bytes are Binance's to pay.
    expect(s5.cost.source_owner_usd).toBeCloseTo((1000 * 0.0047) / 1000 + (500_000 * 0.00037) / 1000 + 200 * 0.09, 8);
    // Download+upload: PUTs instead of COPYs, longer (stream-speed) compute.
    const streamTaskHours = 10000 / 3600 / 2 + 2 / 60;
    const tradCompute = 2 * streamTaskHours * (1 * 0.04048 + 2 * 0.004445);
    expect(s5.traditional_cost_usd).toBeCloseTo((2 * 0.005) / 1000 + (1_000_000 * 0.005) / 1000 + 200 * 0.023 + tradCompute, 8);
  });

  it('recommends only what saves money, largest saving first', () => {
    expect(e.recommendations.map((r) => r.strategy)).toEqual(['request_optimization', 'lifecycle_glacier', 'storage_class', 'fargate_spot']);
    const by = Object.fromEntries(e.recommendations.map((r) => [r.strategy, r.estimated_monthly_savings_usd]));
    expect(by.request_optimization).toBeCloseTo(5 * 29, 6); // $5 of COPYs per rerun × 29 reruns
    // Standard $4.60 → Glacier (objects + 32 KiB at $0.0036, 8 KiB at $0.023).
    const glacier = ((1e6 * ((200 * GiB) / 1e6 + 32 * KiB)) / GiB) * 0.0036 + ((1e6 * 8 * KiB) / GiB) * 0.023;
    expect(by.lifecycle_glacier).toBeCloseTo(4.6 - glacier, 8);
    expect(by.storage_class).toBeCloseTo(4.6 - 2.5, 8); // 200 GB × ($0.023 − $0.0125)
    const taskHours = 2048 / 3600 / 2 + 2 / 60;
    expect(by.fargate_spot).toBeCloseTo(30 * 2 * taskHours * (0.04048 - 0.012144 + 2 * (0.004445 - 0.0013335)), 8);
    expect(e.not_recommended).toEqual([{ strategy: 'region_placement', reason: 'cross-region transfer is billed to the source bucket owner, not to us' }]);
  });

  it('plans growth with workers, not memory', () => {
    const g = e.growth[0]!;
    expect(g.objects_per_run).toBe(2_000_000);
    expect(g.bytes_per_run).toBe(600 * GiB);
    expect(g.runs_per_month).toBeCloseTo(36, 10);
    // 614,400 MiB at 100 MB/s = 6,144 s; within the 0.5 h deadline → 4 workers.
    expect(g.single_task_hours).toBeCloseTo(6144 / 3600, 10);
    expect(g.workers_needed).toBe(4);
    expect(g.wall_clock_hours).toBeCloseTo(6144 / 3600 / 4, 10);
    expect(g.gb_per_day).toBeCloseTo((600 * 36) / (730 / 24), 8);
    expect(g.scaling).toEqual({ workers: 2, request_rate: 2.4, network: 3, memory_per_task: 1 });
    expect(g.flags).toEqual({ large_volume_review: false, consider_s3_batch_operations: false });
    expect(g.runs_overlap).toBe(false);
    const taskHours = 6144 / 3600 / 4 + 2 / 60;
    const perRun = (4 * 0.005) / 1000 + (2_000_000 * 0.005) / 1000 + 600 * 0.023 + 4 * taskHours * (0.04048 + 2 * 0.004445);
    expect(g.monthly_usd).toBeCloseTo(perRun * 36, 6);
  });

  it('formats a readable estimate', () => {
    const text = formatEstimate(e);
    expect(text).toContain('Estimate for 1,000,000 objects, 200.0 GiB');
    expect(text).toContain('s5cmd  34m08s on one task (bytes-bound at 500 objects/s, 100 MB/s); 2 workers → 17m04s');
    expect(text).toContain('task 1 vCPU / 2 GB');
    expect(text).toContain('download+upload would cost $9.74');
    expect(text).toContain('use_fargate_spot = true');
    expect(text).toContain('recommended engine: s5cmd');
    expect(text).toMatch(/save \$145\.00\/month \[request_optimization\]/);
    expect(text).toContain('not worth it [region_placement]');
    expect(text).toContain('billed to the source owner');
  });
});

describe('estimateCapacity on small objects, same region, no server-side copy', () => {
  const e = estimateCapacity(
    {
      objectCount: 10_000_000,
      totalBytes: 10_000_000 * 20 * KiB,
      serverSidePossible: false,
      rates: { stream: { objectsPerSecond: 400 } },
      sourceRegion: 'us-east-1',
      destRegion: 'us-east-1',
      accessFrequency: 'rare',
      spot: true,
      runsPerMonth: 1,
    },
    P,
  );

  it('estimates the stream engine only, and says why', () => {
    expect(e.engines.map((r) => r.engine)).toEqual(['stream']);
    expect(e.engines[0]!.single_task_hours).toBeCloseTo(10_000_000 / 400 / 3600, 8);
    expect(e.engines[0]!.bound).toBe('objects');
    expect(e.engines[0]!.workers).toBe(1);
    expect(e.engines[0]!.meets_deadline).toBeUndefined();
    expect(e.engines[0]!.traditional_cost_usd).toBeUndefined();
  });

  it('turns down Standard-IA and Glacier for 20 KiB objects, and needs no region move', () => {
    expect(e.recommendations.map((r) => r.strategy)).toEqual([]);
    const no = Object.fromEntries(e.not_recommended.map((n) => [n.strategy, n.reason]));
    // 20 KiB bills as 128 KiB in IA: 10M × 128 KiB × $0.0125 > 10M × 20 KiB × $0.023.
    expect(no.storage_class).toContain('below its 128 KB minimum billable size');
    // Glacier: 10M × 52 KiB × $0.0036 + 10M × 8 KiB × $0.023 ≈ $3.54 < $4.39, but transitions cost $300.
    expect(no.lifecycle_glacier).toMatch(/transition fees \(\$300\.00 for 10,000,000 objects\) take \d+ months to repay/);
    expect(no.request_optimization).toContain('one run a month');
    expect('region_placement' in no).toBe(false);
  });

  it('warns about the defaults it cannot trust', () => {
    const plain = estimateCapacity({ objectCount: 10, totalBytes: 10 * MiB, sourceRegion: 'us-east-1', destRegion: 'us-east-1', engines: ['sdk'] }, P);
    expect(plain.warnings.join('\n')).toContain('no objects/s rate for sdk');
    expect(plain.engines[0]!.rate).toEqual({ mbPerSecond: 50 }); // the seed's figure, as MB/s
    expect(plain.engines[0]!.single_task_hours).toBeCloseTo(10 / 50 / 3600, 12);
  });

  it('warns when one prefix would take more than 3,500 writes a second', () => {
    const busy = estimateCapacity(
      {
        objectCount: 1e7,
        totalBytes: 1e7 * KiB,
        sourceRegion: 'us-east-1',
        destRegion: 'us-east-1',
        engines: ['sdk'],
        rates: { sdk: { objectsPerSecond: 1000 } },
        deadlineHours: 0.5,
      },
      P,
    );
    expect(busy.engines[0]!.workers).toBe(6);
    expect(busy.warnings.join('\n')).toMatch(/sdk: 6000 writes\/s exceeds S3's 3500/);
  });
});

describe('pinned workers and task vCPU', () => {
  const sdkOf = (input: EstimateInput) => estimateCapacity({ ...input, engines: ['sdk'] }, P).engines[0]!;

  it('uses exactly `workers` tasks whatever the deadline and maxWorkers say, dividing the wall clock by them', () => {
    const one = sdkOf({ ...binance, deadlineHours: undefined, workers: 1 });
    const sixteen = sdkOf({ ...binance, deadlineHours: 100, maxWorkers: 2, workers: 16 });
    expect(one.workers).toBe(1);
    expect(sixteen.workers).toBe(16);
    expect(sixteen.wall_clock_hours).toBeCloseTo(one.wall_clock_hours / 16, 9);
    expect(sdkOf({ ...binance, deadlineHours: 100 }).workers).toBe(1);
  });

  it('prices the smallest memory at the given vCPU when the task sizes are restricted to it', () => {
    const free = sdkOf(binance);
    const two = sdkOf({ ...binance, taskSizes: FARGATE_TASK_SIZES.filter((s) => s.vcpu === 2) });
    expect(free.task.vcpu).toBeLessThan(2);
    expect(two.task).toMatchObject({ vcpu: 2, memoryGb: 4 });
    expect(two.cost.by_category.compute).toBeGreaterThan(free.cost.by_category.compute!);
  });
});
