import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCfsQuota,
  parseCpuMax,
  parseMemoryLimit,
  parseProcCgroup,
  parseTaskMetadata,
  probeResources,
  readCgroupLimits,
  type SystemInfo,
} from '../../../src/system/probe.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/cgroup/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

function fakeSi(cores: number, totalBytes: number, opts: { failMem?: boolean } = {}): SystemInfo {
  return {
    cpu: async () => ({ cores }),
    mem: async () => {
      if (opts.failMem) throw new Error('no /proc/meminfo');
      return { total: totalBytes, available: Math.round(totalBytes * 0.9) };
    },
    currentLoad: async () => ({ currentLoad: 12.5 }),
    fsSize: async () => [],
    networkInterfaces: async () => [
      { iface: 'lo', speed: null, internal: true, operstate: 'unknown' },
      { iface: 'eth0', speed: null, internal: false, operstate: 'up' },
      { iface: 'eth1', speed: 10000, internal: false, operstate: 'up' },
      { iface: 'eth2', speed: 25000, internal: false, operstate: 'down' },
    ],
  };
}

/** A task metadata v4 `/task` body for Fargate, shaped like AWS's documented example. */
function fargateTask(cpu: number, memoryMiB: number): unknown {
  const arn = 'arn:aws:ecs:ap-northeast-1:111122223333:task/default/e9028f8d5d8e4f258373e7b93ce9a3c3';
  return {
    Cluster: 'arn:aws:ecs:ap-northeast-1:111122223333:cluster/default',
    TaskARN: arn,
    Family: 's3-direct-sync',
    Revision: '7',
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    Limits: { CPU: cpu, Memory: memoryMiB },
    PullStartedAt: '2025-01-08T20:47:16.053330955Z',
    PullStoppedAt: '2025-01-08T20:47:19.592684631Z',
    AvailabilityZone: 'ap-northeast-1a',
    Containers: [
      {
        DockerId: 'e9028f8d5d8e4f258373e7b93ce9a3c3-2495160603',
        Name: 'sync',
        DockerName: 'sync',
        Image: '111122223333.dkr.ecr.ap-northeast-1.amazonaws.com/s3-direct-sync:latest',
        ImageID: 'sha256:d691691e9652791a60114e67b365688d20d19940dde7c4736ea30e660d8d3553',
        Labels: { 'com.amazonaws.ecs.task-arn': arn, 'com.amazonaws.ecs.container-name': 'sync' },
        DesiredStatus: 'RUNNING',
        KnownStatus: 'RUNNING',
        // Container-level limits are CPU units and a soft share, not the task's size: must be ignored.
        Limits: { CPU: 2, Memory: 0 },
        CreatedAt: '2025-01-08T20:47:20.567813946Z',
        StartedAt: '2025-01-08T20:47:20.567813946Z',
        Type: 'NORMAL',
        Networks: [{ NetworkMode: 'awsvpc', IPv4Addresses: ['192.0.2.3'], AttachmentIndex: 0, MACAddress: '0a:de:f6:10:51:e5' }],
        ContainerARN: 'arn:aws:ecs:ap-northeast-1:111122223333:container/05966557-f16c-49cb-9352-24b3a0dcd0e1',
        LogDriver: 'awslogs',
      },
    ],
    LaunchType: 'FARGATE',
    ClockDrift: { ClockErrorBound: 0.5458, ReferenceTimestamp: '2025-01-08T20:47:00Z', ClockSynchronizationStatus: 'SYNCHRONIZED' },
    EphemeralStorageMetrics: { Utilized: 261, Reserved: 20496 },
  };
}

// Fargate's valid task sizes (vCPU → memory MiB): the smallest, a middle and the largest of each.
const FARGATE_SIZES: Array<[number, number]> = [
  [0.25, 512],
  [0.25, 1024],
  [0.25, 2048],
  [0.5, 1024],
  [0.5, 2048],
  [0.5, 4096],
  [1, 2048],
  [1, 5120],
  [1, 8192],
  [2, 4096],
  [2, 10240],
  [2, 16384],
  [4, 8192],
  [4, 16384],
  [4, 30720],
];

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

describe('probeResources', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '';
      const fargate = /^\/fargate\/([\d.]+)\/(\d+)\/task$/.exec(url);
      if (fargate) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(fargateTask(Number(fargate[1]), Number(fargate[2]))));
      } else if (url === '/broken/task') {
        res.statusCode = 500;
        res.end('internal error');
      } else if (url === '/garbage/task') {
        res.end('{"Limits": ');
      } else if (url === '/ec2/task') {
        res.end(JSON.stringify({ TaskARN: 'arn:aws:ecs:x:1:task/y', Containers: [] }));
      } else if (url === '/slow/task') {
        // Never answers: the probe must give up at its timeout.
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it.each(FARGATE_SIZES)('Fargate %s vCPU / %s MiB: the task size wins over what the machine shows', async (cpu, memMiB) => {
    // Fargate shows at least 2 host vCPUs and more memory than the task may use.
    const r = await probeResources({
      si: fakeSi(Math.max(2, cpu), 64 * GIB),
      cgroupRoot: fixture('v2-unlimited'),
      metadataUri: `${base}/fargate/${cpu}/${memMiB}`,
    });
    expect(r.cpus).toBe(cpu);
    expect(r.memoryBytes).toBe(memMiB * MIB);
    expect(r.sources).toMatchObject({ cpus: 'ecs-task-metadata', memoryBytes: 'ecs-task-metadata' });
    expect(r.limits.ecs).toEqual({ cpus: cpu, memoryBytes: memMiB * MIB });
    expect(r.hostCpus).toBe(Math.max(2, cpu));
    expect(r.hostMemoryBytes).toBe(64 * GIB);
    // Headroom is the task's memory minus what the cgroup already holds (50 MiB in the fixture).
    expect(r.availableMemoryBytes).toBe(memMiB * MIB - 50 * MIB);
    expect(r.sources.availableMemoryBytes).toBe('limit minus cgroup working set');
  });

  it('the smallest known limit wins across host, cgroup and ECS, and says where it came from', async () => {
    const r = await probeResources({ si: fakeSi(8, 32 * GIB), cgroupRoot: fixture('v2-limited'), metadataUri: `${base}/fargate/4/8192` });
    expect(r.cpus).toBe(2);
    expect(r.sources.cpus).toBe('cgroup-v2');
    expect(r.memoryBytes).toBe(GIB);
    expect(r.sources.memoryBytes).toBe('cgroup-v2');
    expect(r.availableMemoryBytes).toBe(GIB - 256 * MIB);

    const v1 = await probeResources({ si: fakeSi(1, 32 * GIB), cgroupRoot: fixture('v1-limited'), metadataUri: '' });
    expect(v1.cpus).toBe(1);
    expect(v1.sources.cpus).toBe('host');
    expect(v1.memoryBytes).toBe(2 * GIB);
    expect(v1.sources.memoryBytes).toBe('cgroup-v1');
  });

  it('reads the process cgroup path from an injected /proc/self/cgroup file', async () => {
    const r = await probeResources({
      si: fakeSi(16, 32 * GIB),
      cgroupRoot: fixture('v2-nested'),
      procCgroupFile: join(fixture('v2-nested'), 'proc-self-cgroup'),
      metadataUri: '',
    });
    expect(r.cpus).toBe(0.5);
    expect(r.memoryBytes).toBe(2 * GIB);
  });

  it.each(['broken', 'garbage', 'ec2', 'slow', 'missing'])('a %s metadata endpoint is not an error: the source is just absent', async (kind) => {
    const started = Date.now();
    const r = await probeResources({ si: fakeSi(4, 16 * GIB), cgroupRoot: fixture('none'), metadataUri: `${base}/${kind}`, fetchTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.limits.ecs).toBeUndefined();
    expect(r.limits.cgroup).toBeUndefined();
    expect(r.cpus).toBe(4);
    expect(r.sources.cpus).toBe('host');
    expect(r.memoryBytes).toBe(16 * GIB);
    expect(r.availableMemoryBytes).toBe(Math.round(16 * GIB * 0.9));
    expect(r.sources.availableMemoryBytes).toBe('host');
    expect(r.notes.some((n) => /ECS task metadata/.test(n))).toBe(true);
  });

  it('an endpoint nobody listens on is not an error either', async () => {
    const { freePort } = await import('../../../scripts/local-s3.js');
    const port = await freePort();
    const r = await probeResources({ si: fakeSi(2, 4 * GIB), cgroupRoot: fixture('none'), metadataUri: `http://127.0.0.1:${port}/v4/x` });
    expect(r.limits.ecs).toBeUndefined();
    expect(r.cpus).toBe(2);
  });

  it('uses ECS_CONTAINER_METADATA_URI_V4 when no URI is given', async () => {
    const saved = process.env.ECS_CONTAINER_METADATA_URI_V4;
    process.env.ECS_CONTAINER_METADATA_URI_V4 = `${base}/fargate/0.5/1024`;
    try {
      const r = await probeResources({ si: fakeSi(2, 8 * GIB), cgroupRoot: fixture('none') });
      expect(r.cpus).toBe(0.5);
      expect(r.memoryBytes).toBe(GIB);
    } finally {
      if (saved === undefined) delete process.env.ECS_CONTAINER_METADATA_URI_V4;
      else process.env.ECS_CONTAINER_METADATA_URI_V4 = saved;
    }
  });

  it('reports network interfaces, the fastest external link that is up, load and tmpdir disk space', async () => {
    const r = await probeResources({ si: fakeSi(2, 8 * GIB), cgroupRoot: fixture('none'), metadataUri: '' });
    expect(r.network.map((n) => n.name)).toEqual(['lo', 'eth0', 'eth1', 'eth2']);
    expect(r.network.find((n) => n.name === 'eth0')?.speedMbps).toBeUndefined();
    expect(r.networkMbps).toBe(10000);
    expect(r.loadPercent).toBe(12.5);
    expect(r.diskFreeBytes).toBeGreaterThan(0);
    expect(r.sources.diskFreeBytes).toBe('statfs');
  });

  it('falls back to node:os when systeminformation fails', async () => {
    const { totalmem } = await import('node:os');
    const r = await probeResources({ si: fakeSi(2, 8 * GIB, { failMem: true }), cgroupRoot: fixture('none'), metadataUri: '' });
    expect(r.hostMemoryBytes).toBe(totalmem());
    expect(r.notes.some((n) => n.includes('systeminformation mem failed'))).toBe(true);
  });

  it('works with the real systeminformation on this machine', async () => {
    const r = await probeResources({ cgroupRoot: fixture('none'), metadataUri: '' });
    expect(r.hostCpus).toBeGreaterThanOrEqual(1);
    expect(r.cpus).toBe(r.hostCpus);
    expect(r.memoryBytes).toBeGreaterThan(64 * MIB);
    expect(r.availableMemoryBytes).toBeGreaterThan(0);
    expect(r.availableMemoryBytes).toBeLessThanOrEqual(r.memoryBytes);
  });
});
