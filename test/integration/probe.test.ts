/**
 * probeResources as it runs in a task: the ECS task metadata endpoint (a local HTTP server standing
 * in for it) and the real host (node:os, /proc, /sys), over cgroup fixture trees. The parsers are unit-tested
 * in test/unit/system/probe.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemInfo } from '../../src/system/host-info.js';
import { probeResources } from '../../src/system/probe.js';
import { FARGATE_SIZES, fargateTask } from '../fixtures/ecs-task.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/cgroup/', import.meta.url));
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
    const { freePort } = await import('../../scripts/local-s3.js');
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

  it('falls back to node:os when reading the host memory fails', async () => {
    const { totalmem } = await import('node:os');
    const r = await probeResources({ si: fakeSi(2, 8 * GIB, { failMem: true }), cgroupRoot: fixture('none'), metadataUri: '' });
    expect(r.hostMemoryBytes).toBe(totalmem());
    expect(r.notes.some((n) => n.includes('host mem failed'))).toBe(true);
  });

  it('works with the real host on this machine', async () => {
    const r = await probeResources({ cgroupRoot: fixture('none'), metadataUri: '' });
    expect(r.hostCpus).toBeGreaterThanOrEqual(1);
    expect(r.cpus).toBe(r.hostCpus);
    expect(r.memoryBytes).toBeGreaterThan(64 * MIB);
    expect(r.availableMemoryBytes).toBeGreaterThan(0);
    expect(r.availableMemoryBytes).toBeLessThanOrEqual(r.memoryBytes);
  });
});
