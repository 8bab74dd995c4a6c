import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { bandwidthLimiter, priorityBandwidth, RequestRateLimiter, throttledStream, TokenBucket } from '../../../src/resilience/rate-limit.js';
import { megabitsPerSecondToBytes } from '../../../src/units.js';

const MB = 1_000_000;

/** A clock that only moves when someone sleeps on it. */
function fakeClock() {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      await Promise.resolve();
      clock.t += ms;
    },
  };
  return clock;
}

describe('TokenBucket (fake clock)', () => {
  it('10 MB at 2 MB/s takes 5 s once the burst is spent; the burst is allowed once', async () => {
    const c = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 2 * MB, now: c.now, sleep: c.sleep });
    expect(b.burst).toBe(4 * MB);
    await b.take(4 * MB);
    expect(c.t).toBe(0);
    await b.take(10 * MB);
    expect(c.t).toBeGreaterThanOrEqual(5000 * 0.98);
    expect(c.t).toBeLessThanOrEqual(5000 * 1.02);
    const before = c.t;
    await b.take(4 * MB);
    expect(c.t - before).toBeCloseTo(2000, -1);
  });

  it('refills while idle, never beyond the burst', async () => {
    const c = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 1000, burst: 500, initialTokens: 0, now: c.now, sleep: c.sleep });
    expect(b.available()).toBe(0);
    c.t += 200;
    expect(b.available()).toBeCloseTo(200, 6);
    c.t += 10_000;
    expect(b.available()).toBe(500);
  });

  it('chunks a request larger than the burst instead of waiting forever', async () => {
    const c = fakeClock();
    const b = new TokenBucket({ ratePerSecond: MB, burst: MB, initialTokens: 0, now: c.now, sleep: c.sleep });
    await b.take(7.5 * MB);
    expect(c.t).toBeGreaterThanOrEqual(7500 * 0.98);
    expect(c.t).toBeLessThanOrEqual(7500 * 1.02);
  });

  it('serves takers in arrival order: a big request is not starved by small ones', async () => {
    const c = fakeClock();
    const b = new TokenBucket({ ratePerSecond: 100, burst: 100, initialTokens: 0, now: c.now, sleep: c.sleep });
    const order: string[] = [];
    const big = b.take(100).then(() => order.push('big'));
    const small = Array.from({ length: 5 }, (_, i) => b.take(10).then(() => order.push(`small${i}`)));
    await Promise.all([big, ...small]);
    expect(order[0]).toBe('big');
    expect(c.t).toBeCloseTo(1500, -1);
  });

  it('an aborted taker leaves the queue and the next one is served', async () => {
    const c = { t: 0 };
    let wake: (() => void) | undefined;
    // A sleep that only ends when the test says so (or the bucket aborts it).
    const sleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        wake = () => {
          c.t += ms;
          resolve();
        };
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const b = new TokenBucket({ ratePerSecond: 10, burst: 10, initialTokens: 0, now: () => c.t, sleep });
    const ac = new AbortController();
    const first = b.take(10, ac.signal);
    const second = b.take(1);
    await Promise.resolve();
    ac.abort(new Error('cancelled'));
    await expect(first).rejects.toThrow('cancelled');
    await new Promise((r) => setImmediate(r));
    wake!();
    await second;
    expect(c.t).toBeCloseTo(100, 6);
  });

  it('an unlimited bucket never waits; invalid rates are refused', async () => {
    const b = new TokenBucket({ ratePerSecond: Infinity, sleep: () => Promise.reject(new Error('must not sleep')) });
    await b.take(1e15);
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 10, burst: 0 })).toThrow(RangeError);
  });
});

describe('bandwidth units', () => {
  it('rate_limit_mbps is megabits per second (SI)', () => {
    expect(megabitsPerSecondToBytes(8)).toBe(MB);
    expect(megabitsPerSecondToBytes(100)).toBe(12_500_000);
    expect(bandwidthLimiter(80)?.ratePerSecond).toBe(10 * MB);
    expect(bandwidthLimiter(80)?.burst).toBe(20 * MB);
  });
  it('no limit set: no limiter', () => {
    expect(bandwidthLimiter(undefined)).toBeUndefined();
    expect(bandwidthLimiter(0)).toBeUndefined();
    expect(bandwidthLimiter(-5)).toBeUndefined();
  });
  it('priorityBandwidth: 80/50/25% of what is available', () => {
    expect(priorityBandwidth(1000, 'high')).toBe(800);
    expect(priorityBandwidth(1000, 'medium')).toBe(500);
    expect(priorityBandwidth(1000, 'low')).toBe(250);
    expect(priorityBandwidth(3, 'low')).toBe(0.75);
  });
});

describe('RequestRateLimiter (fake clock)', () => {
  it('holds each key to its rate, independently of other keys', async () => {
    const c = fakeClock();
    const r = new RequestRateLimiter({ ratePerSecond: 10, now: c.now, sleep: c.sleep });
    for (let i = 0; i < 10; i++) await r.acquire('a/');
    expect(c.t).toBe(0);
    for (let i = 0; i < 20; i++) await r.acquire('a/');
    expect(c.t).toBeCloseTo(2000, -1);
    const t = c.t;
    await r.schedule(async () => 'ok', 'b/');
    expect(c.t).toBe(t);
  });
});

describe('throttledStream (real time)', () => {
  it('delivers every byte, at the bucket’s rate within 15%', async () => {
    const rate = 100_000;
    const total = 150_000;
    const bucket = new TokenBucket({ ratePerSecond: rate, burst: 10_000, initialTokens: 0 });
    const data = Buffer.alloc(total);
    for (let i = 0; i < total; i++) data[i] = (i * 31) & 0xff;
    const chunks: Buffer[] = [];
    const started = performance.now();
    await pipeline(
      throttledStream(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), bucket),
      new Writable({
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          cb();
        },
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    expect(seconds).toBeGreaterThan(1.5 * 0.85);
    expect(seconds).toBeLessThan(1.5 * 1.15);
    // Chunks no larger than the burst: the output is smooth.
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(10_000);
  });

  it('destroying it stops waiting and releases the source', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 1000, burst: 1000, initialTokens: 0 });
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(100_000));
    const t = throttledStream(source, bucket);
    t.resume();
    await new Promise((r) => setTimeout(r, 20));
    const started = performance.now();
    t.destroy();
    await new Promise((r) => setImmediate(r));
    expect(source.destroyed).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('passes a source error on', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 1e9 });
    const source = new Readable({ read() {} });
    const t = throttledStream(source, bucket);
    const failed = new Promise((resolve) => t.on('error', resolve));
    source.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(await failed).toMatchObject({ code: 'ECONNRESET' });
  });
});
