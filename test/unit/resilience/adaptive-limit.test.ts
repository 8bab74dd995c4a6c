import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../../src/resilience/adaptive-limit.js';
import { Governor } from '../../../src/resilience/governor.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Tasks the test finishes by hand, recording how many ran at once against the limit of the moment. */
function harness(limiter: AdaptiveLimiter, limitNow: () => number, keyLimit?: (key: string) => number) {
  const release: Array<() => void> = [];
  const running = new Map<string, number>();
  let violations = 0;
  let peak = 0;
  const task =
    (key = '') =>
    () =>
      new Promise<string>((resolve) => {
        const n = limiter.activeCount;
        peak = Math.max(peak, n);
        if (n > limitNow()) violations++;
        running.set(key, (running.get(key) ?? 0) + 1);
        if (keyLimit && running.get(key)! > keyLimit(key)) violations++;
        release.push(() => {
          running.set(key, running.get(key)! - 1);
          resolve(key);
        });
      });
  return {
    task,
    release,
    get violations() {
      return violations;
    },
    get peak() {
      return peak;
    },
  };
}

describe('AdaptiveLimiter', () => {
  it('runs at most `limit` tasks at once', async () => {
    const src = { limit: 3 };
    const limiter = new AdaptiveLimiter(src);
    const h = harness(limiter, () => src.limit);
    const all = Array.from({ length: 10 }, () => limiter.run(h.task()));
    await tick();
    expect(limiter.activeCount).toBe(3);
    expect(limiter.pendingCount).toBe(7);
    while (h.release.length) {
      h.release.shift()!();
      await tick();
    }
    await Promise.all(all);
    expect(h.peak).toBe(3);
    expect(h.violations).toBe(0);
  });

  it('a lowered limit takes effect as slots free; a raised one as soon as the governor says so', async () => {
    const clock = { t: 0 };
    const gov = new Governor({
      initial: 8,
      min: 1,
      max: 16,
      windowSize: 10,
      minSamples: 10,
      errorRateThreshold: 0.05,
      throttleThreshold: 0.05,
      increaseStep: 4,
      cooldownMs: 1000,
      now: () => clock.t,
    });
    const limiter = new AdaptiveLimiter(gov);
    const h = harness(limiter, () => gov.limit);
    const all = Array.from({ length: 100 }, () => limiter.run(h.task()));
    await tick();
    expect(limiter.activeCount).toBe(8);

    // Throttling halves the limit to 4: nothing is cancelled, but no new task starts until 4 finished.
    for (let i = 0; i < 10; i++) gov.record('throttled');
    expect(gov.limit).toBe(4);
    for (let i = 0; i < 4; i++) {
      h.release.shift()!();
      await tick();
      expect(limiter.activeCount).toBe(7 - i);
    }
    h.release.shift()!();
    await tick();
    expect(limiter.activeCount).toBe(4);

    // A healthy window raises it to 8, and the limiter fills the new slots without waiting for a task to end.
    for (let i = 0; i < 10; i++) gov.record('ok');
    expect(gov.limit).toBe(8);
    await tick();
    expect(limiter.activeCount).toBe(8);

    while (h.release.length) {
      h.release.shift()!();
      await tick();
    }
    await Promise.all(all);
    expect(h.violations).toBe(0);
  });

  it('never starts a task beyond the limit while it changes at random', async () => {
    const src = { limit: 5 };
    const limiter = new AdaptiveLimiter(src);
    const h = harness(limiter, () => src.limit);
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const all = Array.from({ length: 400 }, () => limiter.run(h.task()));
    await tick();
    while (h.release.length) {
      if (rand() < 0.2) src.limit = 1 + Math.floor(rand() * 12);
      const before = limiter.activeCount;
      h.release.splice(Math.floor(rand() * h.release.length), 1)[0]!();
      await tick();
      // Above the limit (just lowered) the running count only drains; otherwise it fills up to the limit.
      expect(limiter.activeCount).toBeLessThanOrEqual(Math.max(src.limit, before - 1));
      if (limiter.pendingCount > 0) expect(limiter.activeCount).toBe(Math.max(src.limit, before - 1));
    }
    await Promise.all(all);
    expect(h.violations).toBe(0);
    expect(h.peak).toBeGreaterThan(5);
  });

  it('per-key limits: a key at its limit waits while other keys pass it', async () => {
    const gov = new Governor({ initial: 6, min: 1, max: 6, windowSize: 10, errorRateThreshold: 0.05, throttleThreshold: 0.05, increaseStep: 1, cooldownMs: 0 });
    const hot = gov.forKey('hot/');
    for (let i = 0; i < 20; i++) hot.record('throttled');
    expect(hot.limit).toBe(1);
    const limiter = new AdaptiveLimiter(gov);
    const h = harness(
      limiter,
      () => gov.limit,
      (k) => (k === 'hot/' ? 1 : 6),
    );
    const started: string[] = [];
    const wrap = (key: string) => limiter.run(() => (started.push(key), h.task(key)()), { key });
    const all = [wrap('hot/'), wrap('hot/'), wrap('hot/'), wrap('cold/'), wrap('cold/')];
    await tick();
    expect(started).toEqual(['hot/', 'cold/', 'cold/']);
    expect(limiter.pendingCount).toBe(2);
    while (h.release.length) {
      h.release.shift()!();
      await tick();
    }
    expect(await Promise.all(all)).toEqual(['hot/', 'hot/', 'hot/', 'cold/', 'cold/']);
    expect(h.violations).toBe(0);
  });

  it('passes results and rejections through, including synchronous throws', async () => {
    const limiter = new AdaptiveLimiter({ limit: 2 });
    await expect(limiter.run(async () => 42)).resolves.toBe(42);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      limiter.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(limiter.activeCount).toBe(0);
  });

  it('an aborted signal removes a queued task but leaves running ones alone', async () => {
    const limiter = new AdaptiveLimiter({ limit: 1 });
    let finish!: () => void;
    const first = limiter.run(() => new Promise<string>((r) => (finish = () => r('first'))));
    const ac = new AbortController();
    let ran = false;
    const second = limiter.run(async () => void (ran = true), { signal: ac.signal });
    await tick();
    ac.abort(new Error('stop'));
    await expect(second).rejects.toThrow('stop');
    expect(limiter.pendingCount).toBe(0);
    finish();
    await expect(first).resolves.toBe('first');
    expect(ran).toBe(false);
    await expect(limiter.run(async () => 1, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });
});
