/**
 * The container image, built for real from docker/Dockerfile by scripts/build-image.sh (docker when a
 * daemon answers, else podman with local base-image stand-ins) and run the way ECS runs it: read-only
 * root filesystem, a tmpfs on /tmp, the job's arguments after the image name. The job inside syncs
 * against a real local S3 server (versitygw on the host network).
 *
 * Skipped only with S3DS_SKIP_IMAGE=1. The first build takes minutes; later ones reuse the cache.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { estimateCount, generateArchive, uploadArchive, type ArchiveOptions } from '../fixtures/binance-archive.js';
import { repoRoot } from '../helpers/cli.js';
import { contentHashes, countObjects } from '../helpers/s3.js';
import { run } from '../helpers/spawn.js';

const SKIP = process.env.S3DS_SKIP_IMAGE === '1';
const TAG = 's3-direct-sync:image-test';
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** A small archive for the full sync. */
const SMALL: ArchiveOptions = { seed: 41, symbols: ['BTCUSDT'], dataTypes: ['klines', 'trades'], days: 3, rowsPerFile: 20, prefix: 'data/' };
/** A larger one that takes a while at --max-concurrent 1, to stop mid-run. */
const LARGE: ArchiveOptions = {
  seed: 42,
  symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT'],
  dataTypes: ['klines', 'aggTrades', 'trades'],
  frequencies: ['daily'],
  days: 60,
  rowsPerFile: 5,
  prefix: 'big/',
};

async function dockerAnswers(): Promise<boolean> {
  const r = await run('docker', ['info'], { timeoutMs: 20_000 }).catch(() => undefined);
  return r?.code === 0;
}

/** The same engine and containers.conf that scripts/build-image.sh uses. */
async function containerEnv(): Promise<{ engine: 'docker' | 'podman'; env: NodeJS.ProcessEnv }> {
  const engine = (process.env.S3DS_CONTAINER_ENGINE as 'docker' | 'podman' | undefined) ?? ((await dockerAnswers()) ? 'docker' : 'podman');
  const env: NodeJS.ProcessEnv = { ...process.env, S3DS_CONTAINER_ENGINE: engine };
  if (engine === 'podman' && !(process.env.CONTAINERS_CONF && existsSync(process.env.CONTAINERS_CONF))) {
    const cache = process.env.S3DS_IMAGE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 's3-direct-sync', 'image');
    env.CONTAINERS_CONF = join(cache, 'containers.conf');
  }
  return { engine, env };
}

describe.skipIf(SKIP)('the container image', () => {
  let engine: 'docker' | 'podman';
  let env: NodeJS.ProcessEnv;
  let s3: LocalS3;
  let smallCount = 0;
  let largeCount = 0;
  const containers = new Set<string>();

  /** `run` flags as on ECS: read-only root, tmpfs /tmp; host network to reach the local S3 server. */
  const runFlags = ['run', '--rm', '--network', 'host', '--read-only', '--tmpfs', '/tmp', '--no-healthcheck'];
  const awsEnvFlags = () => Object.entries(s3.env()).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const inContainer = (args: string[], timeoutMs = 120_000) => run(engine, [...runFlags, ...args], { env, timeoutMs });

  beforeAll(async () => {
    ({ engine, env } = await containerEnv());
    const [build, server] = await Promise.all([
      run('bash', [join(repoRoot, 'scripts', 'build-image.sh'), TAG], { env, timeoutMs: BUILD_TIMEOUT_MS }),
      startLocalS3({ buckets: ['src-bucket', 'dst-bucket'] }),
    ]);
    s3 = server;
    expect(build.code, `scripts/build-image.sh failed:\n${build.stderr.slice(-4000)}`).toBe(0);
    expect(build.stdout.trim().split('\n').pop()).toBe(TAG);
    const client = s3.client();
    try {
      smallCount = (await uploadArchive(client, 'src-bucket', generateArchive(SMALL))).objects;
      largeCount = (await uploadArchive(client, 'src-bucket', generateArchive(LARGE), { concurrency: 16 })).objects;
    } finally {
      client.destroy();
    }
    expect(smallCount).toBe(estimateCount(SMALL));
    expect(largeCount).toBe(estimateCount(LARGE));
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    if (engine) for (const name of containers) await run(engine, ['rm', '--force', name], { env, timeoutMs: 60_000 }).catch(() => undefined);
    await s3?.stop();
  });

  it('runs --help by default, with Node 24, under tini', async () => {
    const help = await inContainer([TAG]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/s3-direct-sync <command>/);
    expect(help.stdout).toMatch(/s3-direct-sync sync/);

    const node = await inContainer(['--entrypoint', 'node', TAG, '--version']);
    expect(node.stdout.trim()).toMatch(/^v24\./);

    const format = '{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{.Config.User}}';
    const inspect = await run(engine, ['image', 'inspect', '--format', format, TAG], { env, timeoutMs: 30_000 });
    expect(inspect.code, inspect.stderr).toBe(0);
    const [entrypoint, cmd, user] = inspect.stdout.trim().split('|');
    expect(JSON.parse(entrypoint!)).toEqual(['/usr/bin/tini', '--', '/app/entrypoint.sh', 'node', '/app/dist/cli/main.js']);
    expect(JSON.parse(cmd!)).toEqual(['--help']);
    expect(user).toBe('10001:10001');
  });

  it("gives V8 an old space of 60% of the container's memory limit minus 64 MiB, read-only root and all", async () => {
    const report = "console.log(process.env.NODE_OPTIONS, require('v8').getHeapStatistics().heap_size_limit / 1048576)";
    const limited = await inContainer(['--memory', '1g', '--entrypoint', '/app/entrypoint.sh', TAG, 'node', '-e', report]);
    expect(limited.code, limited.stderr).toBe(0);
    const [options, heapMib] = limited.stdout.trim().split(' ');
    expect(options).toBe('--max-old-space-size=550');
    expect(Number(heapMib)).toBeGreaterThanOrEqual(550);
    expect(Number(heapMib)).toBeLessThan(1024);
    // The job itself, through tini and the entrypoint, under the same limit.
    const version = await inContainer(['--memory', '1g', TAG, '--version']);
    expect(version.code, version.stderr).toBe(0);
  });

  it('runs as a non-root user that cannot write outside /tmp', async () => {
    const id = await inContainer(['--entrypoint', 'id', TAG, '-u']);
    expect(id.code, id.stderr).toBe(0);
    expect(id.stdout.trim()).toBe('10001');

    const write = await inContainer(['--entrypoint', 'sh', TAG, '-c', 'touch /tmp/ok && echo tmp-writable; touch /app/x 2>/dev/null || echo app-read-only']);
    expect(write.stdout).toContain('tmp-writable');
    expect(write.stdout).toContain('app-read-only');
  });

  it('ships s5cmd v2.3.0 where S3DS_S5CMD_PATH points', async () => {
    const r = await inContainer(['--entrypoint', 'sh', TAG, '-c', '"$S3DS_S5CMD_PATH" version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^v2\.3\.0\b/);
  });

  it('syncs an archive from inside the container, byte for byte (the chosen engine, then s5cmd)', async () => {
    const client = s3.client();
    try {
      const src = await contentHashes(client, 'src-bucket', 'data/');
      expect(src.size).toBe(smallCount);
      for (const [prefix, extra] of [
        ['m/', []],
        ['m-s5cmd/', ['--engine', 's5cmd']],
      ] as const) {
        const r = await inContainer(
          [
            ...awsEnvFlags(),
            TAG,
            'sync',
            '--source',
            's3://src-bucket/data/',
            '--destination',
            `s3://dst-bucket/${prefix}`,
            '--endpoint-url',
            s3.endpoint,
            ...extra,
            '--json',
            '--log-format',
            'json',
          ],
          180_000,
        );
        expect(r.code, r.stderr.slice(-4000)).toBe(0);
        const report = JSON.parse(r.stdout) as { exit_code: number; engine: string; counts: Record<string, number> };
        expect(report.exit_code).toBe(0);
        if (extra.length) expect(report.engine).toBe('s5cmd');
        expect(report.counts).toMatchObject({ copied: smallCount, failed: 0, verified: smallCount / 2, checksum_mismatches: 0 });
        expect(await contentHashes(client, 'dst-bucket', prefix)).toEqual(src);
      }
    } finally {
      client.destroy();
    }
  }, 240_000);

  it('on `stop` (SIGTERM through tini) ends the job with exit code 3 within the deadline; a rerun completes it', async () => {
    const name = `s3ds-image-test-${process.pid}`;
    containers.add(name);
    const args = ['sync', '--source', 's3://src-bucket/big/', '--destination', 's3://dst-bucket/stopped/', '--endpoint-url', s3.endpoint];
    const job = run(
      engine,
      [
        ...runFlags,
        '--name',
        name,
        ...awsEnvFlags(),
        TAG,
        ...args,
        '--engine',
        's5cmd',
        '--max-concurrent',
        '1',
        '--batch-size',
        '10',
        '--json',
        '--log-format',
        'json',
      ],
      { env, timeoutMs: 300_000 },
    );
    let exited = false;
    void job.then(() => (exited = true));

    // Stop once copying has begun.
    const client = s3.client();
    try {
      const deadline = Date.now() + 120_000;
      while (!exited && Date.now() < deadline && (await countObjects(client, 'dst-bucket', 'stopped/')) === 0) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(exited, 'the job ended before it could be stopped: make the archive larger').toBe(false);

      const stopDeadlineSeconds = 30;
      const started = Date.now();
      const stop = await run(engine, ['stop', '-t', String(stopDeadlineSeconds), name], { env, timeoutMs: 60_000 });
      const r = await job;
      const elapsed = Date.now() - started;
      expect(stop.code, stop.stderr).toBe(0);
      expect(r.code, r.stderr.slice(-4000)).toBe(3);
      expect(elapsed).toBeLessThan(stopDeadlineSeconds * 1000);
      expect(r.stderr).toMatch(/received SIGTERM/);
      const report = JSON.parse(r.stdout) as { exit_code: number; counts: Record<string, number> };
      expect(report.exit_code).toBe(3);
      expect(report.counts.copied).toBeGreaterThan(0);
      expect(report.counts.copied).toBeLessThan(largeCount);

      // Interrupted is resumable: running again copies the rest, and the result is exact.
      const rerun = await inContainer([...awsEnvFlags(), TAG, ...args, '--json', '--log-format', 'json'], 240_000);
      expect(rerun.code, rerun.stderr.slice(-4000)).toBe(0);
      const [src, dst] = await Promise.all([contentHashes(client, 'src-bucket', 'big/'), contentHashes(client, 'dst-bucket', 'stopped/')]);
      expect(src.size).toBe(largeCount);
      expect(dst).toEqual(src);
    } finally {
      client.destroy();
    }
  }, 420_000);
});
