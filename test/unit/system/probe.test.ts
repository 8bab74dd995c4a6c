import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCfsQuota, parseCpuMax, parseMemoryLimit, parseProcCgroup, parseTaskMetadata, readCgroupLimits } from '../../../src/system/probe.js';
import { fargateTask } from '../../fixtures/ecs-task.js';

// probeResources (the ECS metadata endpoint, the real systeminformation) is in test/integration/probe.test.ts.

const FIXTURES = fileURLToPath(new URL('../../fixtures/cgroup/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('cgroup file parsing', () => {
  it('reads cgroup v2 cpu.max', () => {
    expect(parseCpuMax('max 100000\n')).toBeUndefined();
    expect(parseCpuMax('200000 100000\n')).toBe(2);
    expect(parseCpuMax('25000 100000')).toBe(0.25);
    expect(parseCpuMax('150000 100000')).toBe(1.5);
    expect(parseCpuMax('')).toBeUndefined();
  });
  it('reads cgroup v1 CFS quota and period', () => {
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
    expect(parseCfsQuota('50000\n', '100000\n')).toBe(0.5);
    expect(parseCfsQuota('400000', '100000')).toBe(4);
    expect(parseCfsQuota('100000', '0')).toBeUndefined();
  });
  it('reads memory limits, treating "max" and v1 LONG_MAX as none', () => {
    expect(parseMemoryLimit('max\n')).toBeUndefined();
    expect(parseMemoryLimit('9223372036854771712\n')).toBeUndefined();
    expect(parseMemoryLimit('1073741824\n')).toBe(GIB);
    expect(parseMemoryLimit('garbage')).toBeUndefined();
  });
  it('maps /proc/self/cgroup lines to v2 and v1 paths', () => {
    const p = parseProcCgroup('12:memory:/docker/abc\n11:cpu,cpuacct:/docker/abc\n1:name=systemd:/x\n0::/ecs/task\n');
    expect(p.v2).toBe('/ecs/task');
    expect(p.v1.get('memory')).toBe('/docker/abc');
    expect(p.v1.get('cpu')).toBe('/docker/abc');
    expect(p.v1.get('cpuacct')).toBe('/docker/abc');
  });
});

describe('readCgroupLimits on fixture trees', () => {
  it('v2 with limits: 2 CPUs, 1 GiB, working set excludes inactive page cache', async () => {
    expect(await readCgroupLimits(fixture('v2-limited'))).toEqual({
      version: 2,
      cpus: 2,
      memoryBytes: GIB,
      memoryWorkingSetBytes: 384 * MIB - 128 * MIB,
    });
  });
  it('v2 without limits', async () => {
    expect(await readCgroupLimits(fixture('v2-unlimited'))).toEqual({ version: 2, cpus: undefined, memoryBytes: undefined, memoryWorkingSetBytes: 50 * MIB });
  });
  it('v2 nested: the smallest limit along the path from the process cgroup to the root', async () => {
    expect(await readCgroupLimits(fixture('v2-nested'), '0::/ecs/task/app\n')).toEqual({
      version: 2,
      cpus: 0.5,
      memoryBytes: 2 * GIB,
      memoryWorkingSetBytes: 90 * MIB,
    });
    // Without the process's path only the mount's own files count.
    expect(await readCgroupLimits(fixture('v2-nested'))).toMatchObject({ cpus: undefined, memoryBytes: undefined });
  });
  it('v1 with limits: 1.5 CPUs, 2 GiB', async () => {
    expect(await readCgroupLimits(fixture('v1-limited'))).toEqual({
      version: 1,
      cpus: 1.5,
      memoryBytes: 2 * GIB,
      memoryWorkingSetBytes: 512 * MIB - 128 * MIB,
    });
  });
  it('v1 without limits (quota -1, LONG_MAX memory)', async () => {
    expect(await readCgroupLimits(fixture('v1-unlimited'))).toEqual({ version: 1, cpus: undefined, memoryBytes: undefined, memoryWorkingSetBytes: 10 * MIB });
  });
  it('v1 with a cpu,cpuacct mount and the process in a child memory cgroup', async () => {
    expect(await readCgroupLimits(fixture('v1-cpuacct'))).toMatchObject({ version: 1, cpus: 0.25, memoryBytes: undefined });
    const self = await readFile(join(fixture('v1-cpuacct'), 'proc-self-cgroup'), 'utf8');
    expect(await readCgroupLimits(fixture('v1-cpuacct'), self)).toEqual({
      version: 1,
      cpus: 0.25,
      memoryBytes: 3 * GIB,
      memoryWorkingSetBytes: GIB,
    });
  });
  it('no cgroup files at all: undefined, not an error', async () => {
    expect(await readCgroupLimits(fixture('none'))).toBeUndefined();
    expect(await readCgroupLimits(fixture('does-not-exist'))).toBeUndefined();
  });
});

describe('parseTaskMetadata', () => {
  it('takes task-level Limits in vCPUs and MiB, never the container-level ones', () => {
    expect(parseTaskMetadata(fargateTask(0.25, 512))).toEqual({ cpus: 0.25, memoryBytes: 512 * MIB });
  });
  it('is undefined without task limits or with nonsense', () => {
    expect(parseTaskMetadata({ TaskARN: 'x' })).toBeUndefined();
    expect(parseTaskMetadata(null)).toBeUndefined();
    expect(parseTaskMetadata({ Limits: { CPU: 0, Memory: 'lots' } })).toBeUndefined();
    expect(parseTaskMetadata({ Limits: { Memory: 2048 } })).toEqual({ cpus: undefined, memoryBytes: 2048 * MIB });
  });
});
