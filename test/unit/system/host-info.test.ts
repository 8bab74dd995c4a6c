import { describe, expect, it } from 'vitest';
import { loadFromProcStat } from '../../../src/system/host-info.js';

describe('loadFromProcStat', () => {
  it('is the busy share of the cpu line: everything but idle and iowait', () => {
    const stat = 'cpu  300 0 100 500 100 0 0 0 0 0\ncpu0 150 0 50 250 50 0 0 0 0 0\nintr 1\n';
    expect(loadFromProcStat(stat)).toBe(40);
  });

  it('is undefined without a readable cpu line', () => {
    expect(loadFromProcStat('intr 1\n')).toBeUndefined();
    expect(loadFromProcStat('cpu  a b c d\n')).toBeUndefined();
    expect(loadFromProcStat('cpu  0 0 0 0\n')).toBeUndefined();
  });
});
