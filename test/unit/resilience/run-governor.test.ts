import { describe, expect, it } from 'vitest';
import type { ClassifiedError } from '../../../src/resilience/errors.js';
import { NetworkRetries, outcomeRecorder, runGovernor } from '../../../src/resilience/run-governor.js';

const err = (cls: ClassifiedError['class']): ClassifiedError => ({ class: cls, message: cls, retryable: true });

describe('runGovernor', () => {
  it('a cut is a degradation naming the group the caller gives; only load errors feed it', () => {
    const cuts: string[][] = [];
    const raises: number[][] = [];
    const onRaise = (from: number, to: number) => raises.push([from, to]);
    const g = runGovernor({ initial: 64, max: 256, increaseStep: 4 }, (from, to, reason) => cuts.push([from, to, reason]), onRaise);
    const symbolGroup = (key: string) => key.split('/').slice(0, 5).join('/') + '/';
    const record = outcomeRecorder(g, symbolGroup);
    // Permission, client and vanished errors say nothing about load: no cut however many.
    for (let n = 0; n < 400; n++) record('data/spot/daily/klines/BTCUSDT/x.zip', err(n % 2 ? 'permission' : 'vanished'));
    expect(cuts).toEqual([]);
    for (let n = 0; n < 400; n++) record('data/spot/daily/klines/BTCUSDT/x.zip', n % 4 === 0 ? err('throttling') : undefined);
    expect(cuts.length).toBeGreaterThan(0);
    expect(cuts.some(([, , reason]) => reason!.includes('(prefix data/spot/daily/klines/BTCUSDT/)'))).toBe(true);
    expect(cuts[0]![0]).toMatch(/^concurrency \d+$/);
    expect(g.limit).toBeLessThan(64);
  });
});

describe('NetworkRetries', () => {
  it('raises the live retry count with the network error rate and lowers it again, each change a degradation', () => {
    const policy = { retryCount: 5 };
    const changes: string[][] = [];
    const n = new NetworkRetries(policy, 5, (from, to, reason) => changes.push([from, to, reason]));
    n.update(0);
    expect(policy.retryCount).toBe(5);
    expect(changes).toEqual([]);
    n.update(0.2);
    expect(policy.retryCount).toBe(8);
    n.update(0.2);
    n.update(0.02);
    expect(policy.retryCount).toBe(6);
    n.update(0);
    expect(policy.retryCount).toBe(5);
    expect(changes).toEqual([
      ['retry_count 5', 'retry_count 8', 'network error rate 20.0%'],
      ['retry_count 8', 'retry_count 6', 'network error rate 2.0%'],
      ['retry_count 6', 'retry_count 5', 'network error rate 0.0%'],
    ]);
  });
});
