import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatLatency, formatUsd, GIB, KIB, megabitsPerSecondToBytes, MIB, parseByteSize, TIB } from '../../src/units.js';

describe('byte units', () => {
  it('are binary', () => {
    expect([KIB, MIB, GIB, TIB]).toEqual([1024, 1024 ** 2, 1024 ** 3, 1024 ** 4]);
  });

  it('formatBytes shows whole bytes, then one decimal of the largest binary unit', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(100 * MIB)).toBe('100.0 MiB');
    expect(formatBytes(2 * GIB)).toBe('2.0 GiB');
    expect(formatBytes(2048 * TIB)).toBe('2048.0 TiB');
  });

  it('parseByteSize reads decimal and binary units', () => {
    expect(parseByteSize('2GB')).toBe(2_000_000_000);
    expect(parseByteSize('1.5 GiB')).toBe(1.5 * GIB);
    expect(parseByteSize('512mi')).toBe(512 * MIB);
    expect(parseByteSize(12.4)).toBe(12);
    expect(() => parseByteSize('12 parsecs')).toThrow(RangeError);
  });
});

describe('network rates', () => {
  it('a megabit is 10^6 bits, not a MiB', () => {
    expect(megabitsPerSecondToBytes(8)).toBe(1_000_000);
    expect(megabitsPerSecondToBytes(1000)).toBe(125_000_000);
  });
});

describe('durations, latencies and dollars', () => {
  it('formatDuration', () => {
    expect(formatDuration(59.4)).toBe('59s');
    expect(formatDuration(187)).toBe('3m07s');
    expect(formatDuration(7500)).toBe('2h05m');
  });

  it('formatLatency', () => {
    expect(formatLatency(4.24)).toBe('4.2 ms');
    expect(formatLatency(12.6)).toBe('13 ms');
  });

  it('formatUsd', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.00042)).toBe('$0.00042');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
  });
});
