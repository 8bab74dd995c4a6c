import { describe, expect, it, vi } from 'vitest';
import type { ClassifiedError, ErrorClass } from '../../../src/resilience/errors.js';
import { backoffCeiling, DEFAULT_STRATEGIES, maxRetriesFor, retryDecision, withRetry, type RetryInfo } from '../../../src/resilience/retry.js';

/** mulberry32: a small seeded generator, so distributions are checked on fixed numbers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const err = (cls: ErrorClass, code?: string): ClassifiedError => ({ class: cls, code, message: cls, retryable: cls !== 'permission' });
const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const nodeError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('retryDecision per class', () => {
  it.each(['permission', 'vanished', 'client'] as const)('%s: never retried', (cls) => {
    for (const attempt of [1, 2, 5]) {
      const d = retryDecision(err(cls), attempt, { retryCount: 10, random: () => 0.5 });
      expect(d).toMatchObject({ retry: false, delayMs: 0 });
    }
    expect(retryDecision(err('vanished', 'NoSuchKey'), 1, { retryCount: 5 }).reason).toMatch(/NoSuchKey.*skipped and reported/);
  });

  it('throttling: full jitter under min(20 s, 200 ms·2^(n-1)), up to retry_count', () => {
    const policy = { retryCount: 8, random: () => 0.999999 };
    const ceilings = [200, 400, 800, 1600, 3200, 6400, 12800, 20000];
    ceilings.forEach((c, i) => {
      const d = retryDecision(err('throttling', 'SlowDown'), i + 1, policy);
      expect(d.retry).toBe(true);
      expect(d.delayMs).toBe(c - 1);
    });
    expect(retryDecision(err('throttling'), 3, { retryCount: 8, random: () => 0 }).delayMs).toBe(0);
    expect(retryDecision(err('throttling'), 9, policy)).toMatchObject({ retry: false });
  });

  it('network: exponential from 100 ms to a 10 s cap, never less than half the ceiling', () => {
    const low = { retryCount: 20, random: () => 0 };
    const high = { retryCount: 20, random: () => 0.999999 };
    expect(retryDecision(err('network'), 1, low).delayMs).toBe(50);
    expect(retryDecision(err('network'), 1, high).delayMs).toBe(99);
    expect(retryDecision(err('network'), 4, low).delayMs).toBe(400);
    expect(retryDecision(err('network'), 20, low).delayMs).toBe(5000);
    expect(retryDecision(err('network'), 20, high).delayMs).toBe(9999);
  });

  it.each(['service', 'unknown'] as const)('%s: conservative, base 1 s and at most min(retry_count, 3) retries', (cls) => {
    const policy = { retryCount: 10, random: () => 0 };
    expect(retryDecision(err(cls), 1, policy)).toMatchObject({ retry: true, delayMs: 500 });
    expect(retryDecision(err(cls), 3, policy)).toMatchObject({ retry: true, delayMs: 2000 });
    expect(retryDecision(err(cls), 4, policy).retry).toBe(false);
    expect(retryDecision(err(cls), 2, { retryCount: 1 }).retry).toBe(false);
    expect(maxRetriesFor(cls, { retryCount: 10 })).toBe(3);
    expect(maxRetriesFor(cls, { retryCount: 2 })).toBe(2);
  });

  it('retry_count bounds the retries of every retryable class; 0 means one attempt only', () => {
    for (const cls of ['throttling', 'network', 'service', 'unknown'] as const) {
      expect(retryDecision(err(cls), 1, { retryCount: 0 }).retry).toBe(false);
      expect(retryDecision(err(cls), 2, { retryCount: 2 }).retry).toBe(true);
      expect(retryDecision(err(cls), 3, { retryCount: 2 }).retry).toBe(false);
    }
  });

  it('strategies can be overridden per class', () => {
    const d = retryDecision(err('throttling'), 1, { retryCount: 3, random: () => 0, strategies: { throttling: { baseMs: 1000, jitter: 'none' } } });
    expect(d.delayMs).toBe(1000);
  });
});

describe('backoff bounds', () => {
  it('the ceiling never exceeds the cap, even for absurd attempt numbers', () => {
    for (const [cls, s] of Object.entries(DEFAULT_STRATEGIES)) {
      if (!s.retry) continue;
      for (const n of [1, 2, 10, 60, 1000, 1e6]) {
        const c = backoffCeiling(s, n);
        expect(c, cls).toBeLessThanOrEqual(s.capMs);
        expect(c, cls).toBeGreaterThan(0);
      }
    }
  });

  it('full jitter spreads delays uniformly over [0, ceiling)', () => {
    const random = seeded(1234);
    const policy = { retryCount: 20, random };
    const ceiling = 3200;
    const delays = Array.from({ length: 20_000 }, () => retryDecision(err('throttling'), 5, policy).delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(ceiling);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(ceiling * 0.48);
    expect(mean).toBeLessThan(ceiling * 0.52);
    const deciles = new Array<number>(10).fill(0);
    for (const d of delays) deciles[Math.floor((d / ceiling) * 10)]!++;
    for (const n of deciles) expect(n).toBeGreaterThan(1700);
  });

  it('equal jitter stays in [ceiling/2, ceiling)', () => {
    const random = seeded(99);
    const delays = Array.from({ length: 5000 }, () => retryDecision(err('network'), 3, { retryCount: 5, random }).delayMs);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...delays)).toBeLessThan(400);
  });
});

describe('withRetry', () => {
  const noSleep = vi.fn(async () => undefined);

  it('classifies by code and retries until success, reporting each retry', async () => {
    const failures = [sdkError('SlowDown', 503), nodeError('ECONNRESET'), sdkError('InternalError', 500)];
    const seen: RetryInfo[] = [];
    const sleeps: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        const e = failures[attempt - 1];
        if (e) throw e;
        return `done on ${attempt}`;
      },
      { retryCount: 5, random: () => 0.5 },
      { onRetry: (i) => seen.push(i), sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(result).toBe('done on 4');
    expect(seen.map((s) => s.error.class)).toEqual(['throttling', 'network', 'service']);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    // throttling 1: full jitter of 200; network 2: equal jitter of 200; service 3: equal jitter of 4000.
    expect(sleeps).toEqual([100, 150, 3000]);
  });

  it('stops at once on permission errors and rethrows the original error', async () => {
    const denied = sdkError('AccessDenied', 403);
    const fn = vi.fn(async () => {
      throw denied;
    });
    await expect(withRetry(fn, { retryCount: 5 }, { sleep: noSleep })).rejects.toBe(denied);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('makes retry_count + 1 attempts at most', async () => {
    const fn = vi.fn(async () => {
      throw sdkError('SlowDown', 503);
    });
    await expect(withRetry(fn, { retryCount: 4, random: () => 0 }, { sleep: noSleep })).rejects.toMatchObject({ name: 'SlowDown' });
    expect(fn).toHaveBeenCalledTimes(5);
  });

  it('service errors get at most 3 retries even with a larger retry_count', async () => {
    const fn = vi.fn(async () => {
      throw sdkError('InternalError', 500);
    });
    await expect(withRetry(fn, { retryCount: 10, random: () => 0 }, { sleep: noSleep })).rejects.toMatchObject({ name: 'InternalError' });
    expect(fn).toHaveBeenCalledTimes(4);
  });

  it('an abort during the backoff ends it promptly with the abort reason', async () => {
    const ac = new AbortController();
    const fn = vi.fn(async () => {
      throw nodeError('ECONNRESET');
    });
    const started = Date.now();
    const p = withRetry(fn, { retryCount: 5, random: () => 0.999, strategies: { network: { baseMs: 60_000, capMs: 60_000 } } }, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('shutting down')), 50);
    await expect(p).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('an error caused by the abort is not retried', async () => {
    const ac = new AbortController();
    const fn = vi.fn(async () => {
      ac.abort();
      throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    });
    await expect(withRetry(fn, { retryCount: 5 }, { signal: ac.signal, sleep: noSleep })).rejects.toMatchObject({ name: 'AbortError' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('does not start when already aborted', async () => {
    const fn = vi.fn(async () => 1);
    await expect(withRetry(fn, { retryCount: 5 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(fn).not.toHaveBeenCalled();
  });
});
