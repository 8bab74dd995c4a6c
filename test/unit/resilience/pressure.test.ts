import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../../../src/resilience/pressure.js';

describe('BatchSizer', () => {
  it('shrinks batches as memory fills and grows them back, each change a degradation', () => {
    let used = 0.1;
    const changes: string[][] = [];
    const s = new BatchSizer(
      200,
      () => used,
      (from, to, reason) => changes.push([from, to, reason]),
    );
    expect(s.size()).toBe(200);
    used = 0.8;
    expect(s.size()).toBe(100);
    expect(s.size()).toBe(100);
    used = 0.99;
    expect(s.size()).toBe(20);
    used = 0.5;
    expect(s.size()).toBe(200);
    expect(changes).toEqual([
      ['batch_size 200', 'batch_size 100', 'memory pressure'],
      ['batch_size 100', 'batch_size 20', 'memory pressure'],
      ['batch_size 20', 'batch_size 200', 'memory pressure'],
    ]);
  });

  it('never below one object', () => {
    expect(
      new BatchSizer(
        3,
        () => 0.99,
        () => undefined,
      ).size(),
    ).toBe(1);
  });
});
