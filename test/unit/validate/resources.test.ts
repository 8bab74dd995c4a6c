import { describe, expect, it } from 'vitest';
import { DEFAULT_MINIMUMS, judgeResources, MINIMUM_ENV, resolveMinimums, type ResourceFacts } from '../../../src/validate/resources.js';
import { parseByteSize } from '../../../src/units.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseByteSize', () => {
  it.each([
    ['0', 0],
    ['1073741824', GiB],
    ['1e9', 1e9],
    ['512MiB', 512 * MiB],
    ['512 mib', 512 * MiB],
    ['1.5GiB', 1.5 * GiB],
    ['4Gi', 4 * GiB],
    ['2GB', 2e9],
    ['2g', 2e9],
    ['10k', 10_000],
    ['3KiB', 3072],
    ['1TiB', 1024 * GiB],
    ['.5MiB', 0.5 * MiB],
    ['  64 B ', 64],
  ])('%s → %d', (text, bytes) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it('takes numbers as they are (rounded)', () => {
    expect(parseByteSize(1024)).toBe(1024);
    expect(parseByteSize(10.6)).toBe(11);
  });

  it.each(['', 'lots', '-1', '1.5.2GiB', '12 parsecs', 'GiB', '1e999'])('refuses %j, saying what it accepts', (text) => {
    expect(() => parseByteSize(text)).toThrow(RangeError);
  });

  it('names the accepted forms', () => {
    expect(() => parseByteSize('lots')).toThrow(/512MiB/);
    expect(() => parseByteSize(Number.NaN)).toThrow(/≥ 0/);
    expect(() => parseByteSize(-5)).toThrow(/≥ 0/);
  });
});

describe('resolveMinimums', () => {
  it('defaults: 256 MiB memory, 1 GiB disk, 0.25 vCPU', () => {
    expect(resolveMinimums({}, {})).toEqual({ memoryBytes: 256 * MiB, diskBytes: GiB, cpus: 0.25 });
    expect(resolveMinimums({}, {})).toEqual(DEFAULT_MINIMUMS);
  });

  it('reads the environment, with units', () => {
    const env = { [MINIMUM_ENV.memoryBytes]: '2GiB', [MINIMUM_ENV.diskBytes]: '500000', [MINIMUM_ENV.cpus]: '1.5' };
    expect(resolveMinimums({}, env)).toEqual({ memoryBytes: 2 * GiB, diskBytes: 500_000, cpus: 1.5 });
  });

  it('flags win over the environment; empty variables count as unset', () => {
    const env = { [MINIMUM_ENV.memoryBytes]: '2GiB', [MINIMUM_ENV.diskBytes]: '  ', [MINIMUM_ENV.cpus]: '4' };
    expect(resolveMinimums({ memoryBytes: '64MiB', cpus: 0.5 }, env)).toEqual({ memoryBytes: 64 * MiB, diskBytes: GiB, cpus: 0.5 });
  });

  it('names the flag or variable a bad value came from', () => {
    expect(() => resolveMinimums({ memoryBytes: 'much' }, {})).toThrow(/^--min-memory-bytes: .*'much'/);
    expect(() => resolveMinimums({}, { [MINIMUM_ENV.diskBytes]: 'big' })).toThrow(/^S3DS_VALIDATE_MIN_DISK_BYTES: .*'big'/);
    expect(() => resolveMinimums({ cpus: 'two' }, {})).toThrow(/^--min-cpus: .*vCPUs.*'two'/);
    expect(() => resolveMinimums({}, { [MINIMUM_ENV.cpus]: '-1' })).toThrow(/^S3DS_VALIDATE_MIN_CPUS/);
  });
});

describe('judgeResources', () => {
  const plenty: ResourceFacts = {
    cpus: 2,
    availableMemoryBytes: 3 * GiB,
    memoryBytes: 4 * GiB,
    diskFreeBytes: 20 * GiB,
    tmpdir: '/tmp',
    sources: { cpus: 'cgroup-v2', memoryBytes: 'ecs-task-metadata' },
  };

  it('passes at or above every minimum and says where each figure came from', () => {
    const v = judgeResources(plenty, DEFAULT_MINIMUMS);
    expect(v.ok).toBe(true);
    expect(v.hint).toBeUndefined();
    expect(v.detail).toBe('memory 3.0 GiB free of 4.0 GiB (ecs-task-metadata) ≥ 256.0 MiB; disk 20.0 GiB free in /tmp ≥ 1.0 GiB; 2 vCPU (cgroup-v2) ≥ 0.25');
    expect(judgeResources({ ...plenty, cpus: 0.25, availableMemoryBytes: 256 * MiB, diskFreeBytes: GiB }, DEFAULT_MINIMUMS).ok).toBe(true);
  });

  it('fails on free memory below the minimum, naming it', () => {
    const v = judgeResources({ ...plenty, availableMemoryBytes: 100 * MiB }, DEFAULT_MINIMUMS);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^free memory 100\.0 MiB is below the minimum 256\.0 MiB \(/);
    expect(v.hint).toMatch(/S3DS_VALIDATE_MIN_MEMORY_BYTES/);
  });

  it('fails on free disk in tmpdir below the minimum', () => {
    const v = judgeResources({ ...plenty, diskFreeBytes: 10 * MiB, tmpdir: '/scratch' }, DEFAULT_MINIMUMS);
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^free disk in \/scratch 10\.0 MiB is below the minimum 1\.0 GiB/);
  });

  it('fails on fractional vCPU below the minimum', () => {
    const v = judgeResources({ ...plenty, cpus: 0.125 }, { ...DEFAULT_MINIMUMS, cpus: 0.25 });
    expect(v.ok).toBe(false);
    expect(v.detail).toMatch(/^0\.13 vCPU is below the minimum 0\.25/);
  });

  it('lists every shortfall at once', () => {
    const v = judgeResources(plenty, { memoryBytes: 1e15, diskBytes: 1e15, cpus: 1000 });
    expect(v.ok).toBe(false);
    expect(v.detail.split('(')[0]!.split('; ')).toHaveLength(3);
  });

  it('an unknown free disk does not fail the check', () => {
    const v = judgeResources({ ...plenty, diskFreeBytes: undefined }, DEFAULT_MINIMUMS);
    expect(v.ok).toBe(true);
    expect(v.detail).toContain('disk free in /tmp unknown');
  });
});
