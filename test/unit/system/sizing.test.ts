import { describe, expect, it } from 'vitest';
import { explicitPerformance, formatExplain, seedWorkers, sizePool, type SizingInput } from '../../../src/system/sizing.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

function input(over: Partial<SizingInput> & { cpus?: number; mem?: number; avail?: number } = {}): SizingInput {
  const { cpus = 2, mem = 8 * GIB, avail, ...rest } = over;
  return {
    resources: { cpus, memoryBytes: mem, availableMemoryBytes: avail ?? mem },
    engine: 'sdk',
    sameRegion: true,
    explicit: {},
    ...rest,
  };
}

const entry = (s: ReturnType<typeof sizePool>, name: string) => s.explain.find((e) => e.name === name)!;

describe('the seed rule, for reference', () => {
  it("reproduces calculate_optimal_workers, including its own example's real answer", () => {
    // The seed's example claims 16 workers for 8 cores / 16 GB / 25 MB files; its code gives 8 (16 GB // 2).
    expect(seedWorkers(8, 16, 25)).toBe(8);
    // Its small-file doubling never wins: the minimum with the base undoes it.
    expect(seedWorkers(4, 64, 1)).toBe(8);
    // A 1 vCPU / 2 GB Fargate task gets a single worker.
    expect(seedWorkers(1, 2, 0.3)).toBe(1);
  });
});

describe('sizePool: server-side engines', () => {
  it.each([
    [0.25, 16],
    [0.5, 32],
    [1, 64],
    [2, 128],
    [4, 256],
    [16, 256],
  ])('%s vCPU → %s copies in flight (64 per vCPU, cap 256) for sdk and s5cmd', (cpus, expected) => {
    for (const engine of ['sdk', 's5cmd'] as const) {
      const s = sizePool(input({ cpus, mem: 30 * GIB, engine }));
      expect(s.values.max_concurrent).toBe(expected);
    }
  });

  it('is bounded by memory at 64 KiB per copy in flight from half the free memory', () => {
    const s = sizePool(input({ cpus: 4, mem: 8 * GIB, avail: 4 * MIB }));
    expect(s.values.max_concurrent).toBe(32);
    expect(entry(s, 'max_concurrent').inputs).toMatchObject({ by_cpu: 256, by_memory: 32 });
  });

  it('plans at least one copy in flight', () => {
    expect(sizePool(input({ avail: 0 })).values.max_concurrent).toBe(1);
  });

  it('cross-region does not cut server-side concurrency (higher latency needs more in flight, not fewer)', () => {
    const same = sizePool(input({ cpus: 1, sameRegion: true }));
    const cross = sizePool(input({ cpus: 1, sameRegion: false }));
    expect(cross.values.max_concurrent).toBe(same.values.max_concurrent);
  });

  it('says why and how the seed would differ', () => {
    const e = entry(sizePool(input({ cpus: 1, mem: 2 * GIB })), 'max_concurrent');
    expect(e.value).toBe(64);
    expect(e.rule).toMatch(/latency/);
    // The seed's rule at its default 10 MiB objects: 2 GB // 2 = 1 worker.
    expect(e.inputs.seed_would_give).toBe(1);
    expect(e.inputs.seed_would_give).toBe(seedWorkers(1, 2, 10));
  });
});

describe('sizePool: stream engine', () => {
  it('2 per vCPU, bounded by memory with each worker planned at 5 parts', () => {
    const s = sizePool(input({ engine: 'stream', cpus: 8, mem: 4 * GIB }));
    expect(s.values.part_size_mb).toBe(100);
    // 2 GiB budget / (5 × 100 MiB) = 4; 2 per vCPU alone would allow 16.
    expect(s.values.max_concurrent).toBe(4);
    expect(entry(s, 'max_concurrent').inputs).toMatchObject({ base: 16, per_worker_mib: 500, by_memory: 4 });
    expect(sizePool(input({ engine: 'stream', cpus: 4, mem: 64 * GIB })).values.max_concurrent).toBe(8);
    expect(sizePool(input({ engine: 'stream', cpus: 64, mem: 256 * GIB })).values.max_concurrent).toBe(32);
  });

  it('fractional vCPUs still get at least 2 workers', () => {
    expect(sizePool(input({ engine: 'stream', cpus: 0.25, mem: 2 * GIB })).values.max_concurrent).toBe(2);
  });

  it('part size shrinks so 4 workers fit a small task, never below S3’s 5 MiB', () => {
    const small = sizePool(input({ engine: 'stream', cpus: 0.25, mem: 512 * MIB, avail: 360 * MIB, sameRegion: true }));
    // 180 MiB budget / (4 workers × 5 parts) = 9 MiB.
    expect(small.values.part_size_mb).toBe(9);
    expect(entry(small, 'part_size_mb').rule).toMatch(/shrunk/);
    const tiny = sizePool(input({ engine: 'stream', cpus: 0.25, mem: 512 * MIB, avail: 40 * MIB }));
    expect(tiny.values.part_size_mb).toBe(5);
  });

  it('is bounded by one second of link bandwidth in flight when the link speed is known', () => {
    const slow = sizePool({
      resources: { cpus: 8, memoryBytes: 64 * GIB, networkMbps: 100 },
      engine: 'stream',
      sameRegion: true,
      explicit: {},
    });
    // 100 Mbit/s = 12.5 MB/s, 100 MiB parts: one would do; at least 2.
    expect(slow.values.max_concurrent).toBe(2);
    expect(entry(slow, 'max_concurrent').inputs.by_bandwidth).toBe(2);
    // 25 Gbit/s = 3.125 GB/s: 30 parts of 100 MiB a second, more than the 16 by vCPU.
    const fast = sizePool(input({ engine: 'stream', resources: { cpus: 8, memoryBytes: 64 * GIB, networkMbps: 25_000 } }));
    expect(fast.values.max_concurrent).toBe(16);
    expect(entry(fast, 'max_concurrent').inputs.by_bandwidth).toBe(30);
    expect(entry(sizePool(input({ engine: 'stream' })), 'max_concurrent').inputs.by_bandwidth).toBe('link speed unknown');
  });
});

describe('sizePool: batch size', () => {
  it('the seed base of 100 for sdk and stream', () => {
    expect(sizePool(input()).values.batch_size).toBe(100);
    expect(sizePool(input({ engine: 'stream' })).values.batch_size).toBe(100);
    expect(entry(sizePool(input()), 'batch_size').rule).toBe('the seed base of 100');
  });

  it('s5cmd: at least 8 objects per worker, since each batch is a new process', () => {
    const s = sizePool(input({ engine: 's5cmd', cpus: 4, mem: 30 * GIB }));
    // 256 in flight → 128 workers per s5cmd run → 1024 objects per batch.
    expect(s.values.batch_size).toBe(1024);
    expect(entry(s, 'batch_size').rule).toMatch(/raised to 8 objects per s5cmd worker/);
  });

  it('is bounded by memory with a realistic per-object figure (not the seed’s 1 MB)', () => {
    const s = sizePool(input({ engine: 'sdk', cpus: 0.25, mem: 512 * MIB, avail: 4 * MIB }));
    // 10% of a 2 MiB budget / (2,048 bytes × 2 batches in flight) = 51.
    expect(s.values.batch_size).toBe(51);
    expect(entry(s, 'batch_size').rule).toMatch(/memory/);
  });
});

describe('sizePool: part size and retries (regional strategy)', () => {
  it('part size: same region 100, cross-region 75', () => {
    for (const engine of ['s5cmd', 'sdk', 'stream'] as const) {
      expect(sizePool(input({ engine, sameRegion: true })).values.part_size_mb).toBe(100);
      expect(sizePool(input({ engine, sameRegion: false })).values.part_size_mb).toBe(75);
    }
  });

  it('retries: the seed’s 3 same-region, 4 cross-region for stream; at least 5 for server-side copies that meet SlowDown', () => {
    expect(sizePool(input({ engine: 'stream', sameRegion: true })).values.retry_count).toBe(3);
    expect(sizePool(input({ engine: 'stream', sameRegion: false })).values.retry_count).toBe(4);
    expect(sizePool(input({ engine: 's5cmd', sameRegion: false })).values.retry_count).toBe(5);
    const sdk = sizePool(input({ engine: 'sdk', sameRegion: true }));
    expect(sdk.values.retry_count).toBe(5);
    expect(entry(sdk, 'retry_count').rule).toMatch(/SlowDown/);
  });
});

describe('sizePool: listing parallelism', () => {
  it('4 per vCPU, at least 1, capped at 16', () => {
    expect(sizePool(input({ cpus: 0.25 })).values.list_parallelism).toBe(1);
    expect(sizePool(input({ cpus: 1 })).values.list_parallelism).toBe(4);
    expect(sizePool(input({ cpus: 16, mem: 64 * GIB })).values.list_parallelism).toBe(16);
  });
  it('is bounded by memory', () => {
    expect(sizePool(input({ cpus: 4, mem: 512 * MIB, avail: 200 * MIB })).values.list_parallelism).toBe(1);
  });
});

describe('sizePool: explicit values', () => {
  it('always win, whatever the resources, and say "set explicitly"', () => {
    const s = sizePool(
      input({ cpus: 0.25, mem: 512 * MIB, engine: 's5cmd', explicit: { max_concurrent: 900, batch_size: 7, part_size_mb: 333, retry_count: 0 } }),
    );
    expect(s.values).toMatchObject({ max_concurrent: 900, batch_size: 7, part_size_mb: 333, retry_count: 0 });
    for (const name of ['max_concurrent', 'batch_size', 'part_size_mb', 'retry_count']) {
      expect(entry(s, name)).toMatchObject({ rule: 'set explicitly', inputs: { configured: s.values[name as 'batch_size'] } });
    }
    expect(entry(s, 'list_parallelism').rule).not.toBe('set explicitly');
  });

  it('say who set them: an operator (flag, variable, file, secret) or the environment preset; the rest is the sizing', () => {
    const s = sizePool({
      ...input({ cpus: 2, mem: 4 * GIB, engine: 'sdk', explicit: { max_concurrent: 12, retry_count: 2 } }),
      explicitFrom: {
        max_concurrent: { origin: 'operator', label: 'S3DS_MAX_CONCURRENT' },
        retry_count: { origin: 'preset', label: 'the environment preset' },
      },
    });
    expect(entry(s, 'max_concurrent')).toMatchObject({ value: 12, origin: 'operator', rule: 'set explicitly by S3DS_MAX_CONCURRENT' });
    expect(entry(s, 'retry_count')).toMatchObject({ value: 2, origin: 'preset', rule: 'set explicitly by the environment preset' });
    for (const name of ['batch_size', 'part_size_mb', 'list_parallelism']) expect(entry(s, name).origin, name).toBeUndefined();
    const text = formatExplain(s.explain);
    expect(text).toMatch(/^max_concurrent\s+12\s+operator\s+set explicitly by S3DS_MAX_CONCURRENT$/m);
    expect(text).toMatch(/^retry_count\s+2\s+preset\s+set explicitly by the environment preset$/m);
    expect(text).toMatch(/^batch_size\s+\d+\s+sizing\s+/m);
  });

  it('an explicit concurrency feeds the rules that depend on it', () => {
    const s = sizePool(input({ engine: 's5cmd', explicit: { max_concurrent: 64 } }));
    // 32 workers per s5cmd run × 8 = 256.
    expect(s.values.batch_size).toBe(256);
  });

  it('explicitPerformance picks only the fields the config loader marked explicit', () => {
    const po = { max_concurrent: 16, batch_size: 100, part_size_mb: 64, retry_count: 5, storage_class: 'STANDARD' };
    expect(explicitPerformance(po, new Set(['performance_optimization.batch_size', 'sync_mode']))).toEqual({ batch_size: 100 });
    expect(explicitPerformance(po, new Set())).toEqual({});
  });
});

describe('sizePool: always within the configuration’s bounds', () => {
  it('for a spread of machines', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const s = sizePool({
        resources: {
          cpus: 0.125 + rand() * 64,
          memoryBytes: (0.25 + rand() * 256) * GIB,
          availableMemoryBytes: rand() * 64 * GIB,
          networkMbps: rand() < 0.5 ? undefined : 1 + rand() * 100_000,
        },
        engine: (['s5cmd', 'sdk', 'stream'] as const)[Math.floor(rand() * 3)]!,
        sameRegion: rand() < 0.5,
        explicit: {},
      });
      const v = s.values;
      expect(Number.isInteger(v.max_concurrent) && v.max_concurrent >= 1 && v.max_concurrent <= 1024).toBe(true);
      expect(Number.isInteger(v.batch_size) && v.batch_size >= 1 && v.batch_size <= 100_000).toBe(true);
      expect(Number.isInteger(v.part_size_mb) && v.part_size_mb >= 5 && v.part_size_mb <= 5120).toBe(true);
      expect(Number.isInteger(v.retry_count) && v.retry_count >= 0 && v.retry_count <= 20).toBe(true);
      expect(Number.isInteger(v.list_parallelism) && v.list_parallelism >= 1 && v.list_parallelism <= 16).toBe(true);
      expect(s.explain.map((e) => e.name)).toEqual(['max_concurrent', 'batch_size', 'part_size_mb', 'retry_count', 'list_parallelism']);
    }
  });
});

describe('sizePool: explain inputs', () => {
  it('name only what the rules read (nothing about the objects: the job sizes before it lists)', () => {
    const keys = (engine: 's5cmd' | 'sdk' | 'stream') => Object.fromEntries(sizePool(input({ engine })).explain.map((e) => [e.name, Object.keys(e.inputs)]));
    expect(keys('sdk')).toEqual({
      max_concurrent: ['cpus', 'by_cpu', 'by_memory', 'cap', 'seed_would_give'],
      batch_size: ['seed_batch', 'by_memory'],
      part_size_mb: ['same_region'],
      retry_count: ['same_region', 'engine'],
      list_parallelism: ['by_cpu', 'by_memory', 'cap'],
    });
    expect(keys('s5cmd').batch_size).toEqual(['seed_batch', 'by_memory', 's5cmd_workers']);
    expect(keys('stream')).toMatchObject({
      max_concurrent: ['cpus', 'base', 'per_worker_mib', 'by_memory', 'by_bandwidth', 'seed_would_give'],
      part_size_mb: ['same_region', 'memory_budget_mib'],
    });
  });
});

describe('formatExplain', () => {
  it('prints one row per setting with its value, wrapped rule and inputs', () => {
    const s = sizePool(input({ cpus: 1, mem: 2 * GIB, engine: 's5cmd', explicit: { retry_count: 7 } }));
    const text = formatExplain(s.explain, 90);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^setting\s+value\s+from\s+why$/);
    for (const e of s.explain) expect(text).toMatch(new RegExp(`^${e.name}\\s+${e.value}\\s+(sizing|operator)\\s+\\S`, 'm'));
    expect(text).toMatch(/^retry_count\s+7\s+operator\s+set explicitly$/m);
    expect(text).toMatch(/^max_concurrent\s+64\s+sizing\s+server-side copy/m);
    expect(text).toContain('inputs: configured=7');
    expect(text).toContain('by_cpu=64');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(90);
  });
});

describe('sizePool: the numbers the run derives', () => {
  it('governor, verifier, dispatcher, listings, s5cmd and parts, from the sized values', () => {
    const s = sizePool(input({ cpus: 2, mem: 8 * GIB, engine: 'sdk', explicit: { max_concurrent: 40, batch_size: 10 }, multipartThresholdMb: 64 }));
    expect(s.derived.values).toEqual({
      governor_max: 40,
      governor_increase_step: 3,
      verify_concurrency: 40,
      dispatcher_in_flight: 5,
      list_prefetch: s.values.list_parallelism - 1,
      list_concurrency: Math.min(32, s.values.list_parallelism * 2),
      s5cmd_workers: 20,
      part_size_bytes: s.values.part_size_mb * MIB,
      multipart_threshold_bytes: 64 * MIB,
    });
    expect(s.derived.explain.map((e) => e.name)).toEqual(Object.keys(s.derived.values));
  });

  it('a computed max_concurrent lets the governor grow to 256; s5cmd keeps two batches in flight; bounds hold', () => {
    const tiny = sizePool(input({ engine: 's5cmd', explicit: { max_concurrent: 2, batch_size: 1 } }));
    expect(tiny.derived.values).toMatchObject({ governor_max: 2, governor_increase_step: 1, verify_concurrency: 4, dispatcher_in_flight: 2, s5cmd_workers: 1 });
    const computed = sizePool(input({ cpus: 1 }));
    expect(computed.derived.values.governor_max).toBe(256);
    const big = sizePool(input({ cpus: 64, mem: 256 * GIB, explicit: { max_concurrent: 1000 } }));
    expect(big.derived.values).toMatchObject({ governor_max: 1000, verify_concurrency: 64, governor_increase_step: 63 });
    expect(sizePool(input({ cpus: 0.25, avail: 0 })).derived.values).toMatchObject({ list_prefetch: 1, list_concurrency: 2 });
    expect(sizePool(input({ cpus: 16, mem: 64 * GIB })).derived.values.list_concurrency).toBe(32);
    expect(sizePool(input()).derived.values.multipart_threshold_bytes).toBe(100 * MIB);
  });

  it('plan --explain can show them', () => {
    const s = sizePool(input());
    const text = formatExplain([...s.explain, ...s.derived.explain]);
    for (const e of s.derived.explain) expect(text).toMatch(new RegExp(`^${e.name}\\s+${e.value}\\s+\\S`, 'm'));
  });
});
