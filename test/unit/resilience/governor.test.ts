import { describe, expect, it } from 'vitest';
import {
  Governor,
  memoryPressure,
  networkInstability,
  outcomeOf,
  type GovernorEvent,
  type GovernorOptions,
  type Outcome,
} from '../../../src/resilience/governor.js';
import { prefixOf } from '../../../src/key-order.js';

function setup(over: Partial<GovernorOptions> = {}) {
  const clock = { t: Date.UTC(2025, 0, 1) };
  const g = new Governor({
    initial: 64,
    min: 4,
    max: 128,
    windowSize: 100,
    errorRateThreshold: 0.05,
    throttleThreshold: 0.05,
    increaseStep: 4,
    cooldownMs: 10_000,
    now: () => clock.t,
    ...over,
  });
  const events: GovernorEvent[] = [];
  g.onChange((e) => events.push(e));
  return { g, clock, events };
}

/** `n` outcomes where every `every`-th one is `bad` (20% throttling = every 5th). */
function feed(g: Governor, n: number, bad: Outcome = 'throttled', every = 5): void {
  for (let i = 1; i <= n; i++) g.record(i % every === 0 ? bad : 'ok');
}

describe('Governor: multiplicative decrease', () => {
  it('halves on 20% throttling, with an event saying why', () => {
    const { g, events } = setup();
    feed(g, 20);
    expect(g.limit).toBe(32);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ at: '2025-01-01T00:00:00.000Z', from: 64, to: 32 });
    expect(events[0]!.reason).toMatch(/throttled 20% of the last 20 requests.*halved/);
  });

  it('does not decrease twice within the cooldown, however bad it stays', () => {
    const { g, clock, events } = setup();
    feed(g, 20);
    expect(g.limit).toBe(32);
    clock.t += 9_999;
    feed(g, 500);
    expect(g.limit).toBe(32);
    expect(events).toHaveLength(1);
    clock.t += 1;
    feed(g, 20);
    expect(g.limit).toBe(16);
    expect(events.map((e) => [e.from, e.to])).toEqual([
      [64, 32],
      [32, 16],
    ]);
  });

  it('never goes below min', () => {
    const { g, clock } = setup({ initial: 10, min: 4 });
    for (let i = 0; i < 10; i++) {
      feed(g, 50, 'throttled', 2);
      clock.t += 10_000;
    }
    expect(g.limit).toBe(4);
  });

  it('errors and network errors count against the error threshold', () => {
    const a = setup();
    feed(a.g, 20, 'error', 10);
    expect(a.g.limit).toBe(32);
    expect(a.events[0]!.reason).toMatch(/errors on 10%/);
    const b = setup();
    feed(b.g, 40, 'network', 10);
    expect(b.g.limit).toBe(32);
  });

  it('a rate below the thresholds changes nothing, and a few early failures are not trusted', () => {
    const { g } = setup({ windowSize: 1000 });
    feed(g, 999, 'throttled', 50);
    expect(g.limit).toBe(64);
    const early = setup();
    early.g.record('throttled');
    early.g.record('throttled');
    expect(early.g.limit).toBe(64);
  });
});

describe('Governor: additive increase', () => {
  it('adds the step after each healthy window, up to max', () => {
    const { g, events } = setup({ initial: 120 });
    feed(g, 99, 'ok');
    expect(g.limit).toBe(120);
    g.record('ok');
    expect(g.limit).toBe(124);
    feed(g, 100, 'ok');
    expect(g.limit).toBe(128);
    feed(g, 1000, 'ok');
    expect(g.limit).toBe(128);
    expect(events.map((e) => e.to)).toEqual([124, 128]);
    expect(events[0]!.reason).toMatch(/healthy window of 100 requests: \+4/);
  });

  it('recovers additively after a decrease', () => {
    const { g } = setup();
    feed(g, 20);
    expect(g.limit).toBe(32);
    feed(g, 300, 'ok');
    expect(g.limit).toBe(44);
  });

  it('outcomes from before a change do not count towards the next window', () => {
    const { g } = setup({ initial: 8 });
    feed(g, 100, 'ok');
    expect(g.limit).toBe(12);
    feed(g, 50, 'ok');
    expect(g.limit).toBe(12);
  });
});

describe('Governor: per-key', () => {
  it('keys start from the global limit and change independently, with the key in the event', () => {
    const { g, events } = setup();
    const hot = g.forKey('data/spot/daily/trades/');
    const cold = g.forKey('data/futures/um/daily/klines/');
    expect(hot.limit).toBe(64);
    feed(hot, 20);
    expect(hot.limit).toBe(32);
    expect(cold.limit).toBe(64);
    expect(g.limit).toBe(64);
    expect(g.forKey('data/spot/daily/trades/')).toBe(hot);
    expect(events).toEqual([
      expect.objectContaining({ from: 64, to: 32, key: 'data/spot/daily/trades/', reason: expect.stringMatching(/^data\/spot\/daily\/trades\/: throttled/) }),
    ]);
  });

  it('keeps at most maxKeys per-key governors, dropping the least recently used', () => {
    const { g } = setup({ maxKeys: 2 });
    const a = g.forKey('a/');
    g.forKey('b/');
    g.forKey('a/');
    g.forKey('c/');
    expect(g.forKey('a/')).toBe(a);
    const b2 = g.forKey('b/');
    expect(b2.limit).toBe(64);
  });
});

describe('Governor: options', () => {
  it('rejects impossible bounds and clamps the initial value', () => {
    expect(() => setup({ min: 0 })).toThrow(RangeError);
    expect(() => setup({ min: 10, max: 5 })).toThrow(RangeError);
    expect(setup({ initial: 1000 }).g.limit).toBe(128);
    expect(setup({ initial: 1 }).g.limit).toBe(4);
  });
});

describe('outcomeOf', () => {
  it('maps error classes to load signals; permission, client and vanished are none', () => {
    expect(outcomeOf(undefined)).toBe('ok');
    expect(outcomeOf({ class: 'throttling' })).toBe('throttled');
    expect(outcomeOf({ class: 'network' })).toBe('network');
    expect(outcomeOf({ class: 'service' })).toBe('error');
    expect(outcomeOf({ class: 'unknown' })).toBe('error');
    expect(outcomeOf({ class: 'permission' })).toBeUndefined();
    expect(outcomeOf({ class: 'client' })).toBeUndefined();
    expect(outcomeOf({ class: 'vanished' })).toBeUndefined();
  });
});

describe('prefixOf', () => {
  it('keeps the first segments of a key', () => {
    const key = 'data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.zip';
    expect(prefixOf(key, 4)).toBe('data/spot/daily/klines/');
    expect(prefixOf(key, 5)).toBe('data/spot/daily/klines/BTCUSDT/');
    expect(prefixOf(key, 99)).toBe('data/spot/daily/klines/BTCUSDT/1m/');
    expect(prefixOf('top.zip', 3)).toBe('');
    expect(prefixOf(key, 0)).toBe('');
  });
});

describe('memoryPressure', () => {
  it('shrinks batches as memory fills', () => {
    expect(memoryPressure(0.5)).toBe(1);
    expect(memoryPressure(0.749)).toBe(1);
    expect(memoryPressure(0.75)).toBe(0.5);
    expect(memoryPressure(0.9)).toBe(0.25);
    expect(memoryPressure(0.99)).toBe(0.1);
    expect(memoryPressure(Number.NaN)).toBe(1);
  });
});

describe('networkInstability', () => {
  it('adds retries and cuts concurrency as network errors grow', () => {
    expect(networkInstability(0)).toEqual({ extraRetries: 0, concurrencyFactor: 1 });
    expect(networkInstability(0.02)).toEqual({ extraRetries: 1, concurrencyFactor: 0.75 });
    expect(networkInstability(0.1)).toEqual({ extraRetries: 2, concurrencyFactor: 0.5 });
    expect(networkInstability(0.5)).toEqual({ extraRetries: 3, concurrencyFactor: 0.25 });
  });
});
