import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runSync } from '../helpers/job.js';
import { contentHashes, listKeys } from '../helpers/s3.js';
import { startToxiproxy, type Toxiproxy } from '../helpers/toxiproxy.js';

const MB = 1024 * 1024;

describe('faults between the job and a real S3 server', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  let dir: string;
  let proxy: FaultProxy | undefined;
  let toxi: Toxiproxy | undefined;
  let destN = 0;
  const nextDest = () => `m${++destN}/`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-faults-'));
    s3 = await startLocalS3({ buckets: ['fault-src', 'fault-dst'] });
    archive = [
      ...generateArchive({
        seed: 9,
        markets: ['spot', 'futures/um'],
        symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
        dataTypes: ['klines', 'aggTrades'],
        days: 4,
        rowsPerFile: 10,
        anomalies: { large: { count: 3, sizeBytes: 12 * MB } },
      }),
    ];
    const client = s3.client();
    await uploadArchive(client, 'fault-src', archive, { concurrency: 16 });
    client.destroy();
  });
  afterEach(async () => {
    await proxy?.stop();
    await toxi?.stop();
    proxy = undefined;
    toxi = undefined;
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectIdentical(destPrefix: string): Promise<void> {
    const client = s3.client();
    const src = await contentHashes(client, 'fault-src', 'data/');
    const dst = await contentHashes(client, 'fault-dst', destPrefix);
    client.destroy();
    expect(dst).toEqual(src);
  }
  const flags = (endpoint: string, dest: string, extra: Record<string, unknown> = {}) => ({
    source: 's3://fault-src/data/',
    destination: `s3://fault-dst/${dest}`,
    'endpoint-url': endpoint,
    'multipart-threshold-mb': 5,
    'part-size-mb': 5,
    'max-concurrent': 16,
    'batch-size': 20,
    ...extra,
  });

  it('20% SlowDown: completes, every object identical, retries and a concurrency reduction reported', async () => {
    proxy = await startFaultProxy(s3.endpoint, { slowDown: 0.2 });
    const dest = nextDest();
    // The SDK engine for every object: s5cmd retries inside its own process, where the job cannot count.
    const report = await runSync(s3, flags(proxy.endpoint, dest, { 'retry-count': 10, engine: 'sdk' }));
    expect(report.exit_code, report.logs).toBe(0);
    expect(proxy.injected.slowDown).toBeGreaterThan(20);
    expect(report.counts.retries).toBeGreaterThanOrEqual(proxy.injected.slowDown);
    expect(report.degradations.some((d) => /^concurrency \d+$/.test(d.from) && Number(d.to.split(' ')[1]) < Number(d.from.split(' ')[1]))).toBe(true);
    expect(report.counts.copied).toBe(archive.length);
    await expectIdentical(dest);
  });

  it('500 InternalError on 10%: retried conservatively, completes identical', async () => {
    proxy = await startFaultProxy(s3.endpoint, { internalError: 0.1 });
    const dest = nextDest();
    const report = await runSync(s3, flags(proxy.endpoint, dest));
    expect(report.exit_code, report.logs).toBe(0);
    expect(proxy.injected.internalError).toBeGreaterThan(3);
    await expectIdentical(dest);
  });

  it('403 on one prefix: those objects fail at once with class permission, the rest complete, exit 1', async () => {
    const dest = nextDest();
    proxy = await startFaultProxy(s3.endpoint, { denyPathContaining: `/fault-dst/${dest}spot/daily/aggTrades/` });
    const report = await runSync(s3, flags(proxy.endpoint, dest));
    expect(report.exit_code).toBe(1);
    const denied = archive.filter((o) => o.key.startsWith('data/spot/daily/aggTrades/')).map((o) => o.key.slice(5));
    expect(report.counts.failed).toBe(denied.length);
    expect(report.failures.map((f) => f.key).sort()).toEqual([...denied].sort());
    for (const f of report.failures) {
      expect(f.error_class).toBe('permission');
      expect(f.code).toBe('AccessDenied');
      expect(f.message).toContain('s3://fault-dst/');
    }
    // Never retried: one request per denied object.
    expect(proxy.injected.denied).toBe(denied.length);
    expect(report.counts.copied).toBe(archive.length - denied.length);
  });

  it('connection resets on 5% of connections: completes, identical', async () => {
    toxi = await startToxiproxy(new URL(s3.endpoint).host);
    await toxi.addToxic({ name: 'resets', type: 'reset_peer', toxicity: 0.05, attributes: { timeout: 0 } });
    const dest = nextDest();
    // Many connections at once, so that 5% of them is a handful; the SDK engine for every object, so
    // that they are all the job's (s5cmd retries a reset inside its own process, where the job cannot count).
    const report = await runSync(s3, flags(toxi.endpoint, dest, { 'retry-count': 10, 'max-concurrent': 96, 'batch-size': 96, engine: 'sdk' }));
    expect(report.exit_code, JSON.stringify(report.failures.slice(0, 3))).toBe(0);
    expect(report.counts.retries).toBeGreaterThan(0);
    await expectIdentical(dest);
  });

  it('latency and a listing out of S3 order: the plan is redone from sorted listings, still exact', async () => {
    proxy = await startFaultProxy(s3.endpoint, { reorderListing: true, delayMs: 5 });
    const dest = nextDest();
    const report = await runSync(s3, flags(proxy.endpoint, dest));
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.degradations.some((d) => d.to === 'sorted listing')).toBe(true);
    await expectIdentical(dest);
    const again = await runSync(s3, flags(proxy.endpoint, dest));
    expect(again.counts.copied).toBe(0);
    expect(again.counts.skipped).toBe(archive.length);
  });

  it('SIGTERM mid-run: exit 3 within the deadline, partial report; the re-run copies the rest, nothing twice', async () => {
    proxy = await startFaultProxy(s3.endpoint, { delayMs: 40 });
    const dest = nextDest();
    const reportFile = join(dir, 'sigterm.json');
    const args = [
      'sync',
      '--source',
      's3://fault-src/data/',
      '--destination',
      `s3://fault-dst/${dest}`,
      '--endpoint-url',
      proxy.endpoint,
      '--max-concurrent',
      '2',
      '--batch-size',
      '4',
      '--shutdown-deadline-seconds',
      '5',
      '--report',
      reportFile,
      '--log-format',
      'json',
    ];
    let pid = 0;
    const run = runCli(args, s3.env(), { onSpawn: (p) => (pid = p) });
    // Signalled once copies have started (a fixed wait is too short on a loaded machine).
    const client = s3.client();
    for (const until = Date.now() + 30_000; Date.now() < until && (await listKeys(client, 'fault-dst', dest)).length === 0;)
      await new Promise((r) => setTimeout(r, 100));
    client.destroy();
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    process.kill(pid, 'SIGTERM');
    const first = await run;
    const tookMs = Date.now() - signalledAt;
    expect(first.code, first.stderr).toBe(3);
    expect(tookMs).toBeLessThan(5000 + 2000);
    expect(existsSync(reportFile)).toBe(true);
    const partial = JSON.parse(readFileSync(reportFile, 'utf8')) as { interrupted: boolean; exit_code: number; counts: { copied: number } };
    expect(partial).toMatchObject({ interrupted: true, exit_code: 3 });
    expect(partial.counts.copied).toBeGreaterThan(0);
    expect(partial.counts.copied).toBeLessThan(archive.length);

    const second = await runCli(
      args.map((a) => (a === proxy!.endpoint ? s3.endpoint : a)),
      s3.env(),
    );
    expect(second.code, second.stderr).toBe(0);
    const rest = JSON.parse(readFileSync(reportFile, 'utf8')) as { counts: { copied: number; skipped: number } };
    expect(rest.counts.copied + partial.counts.copied).toBe(archive.length);
    expect(rest.counts.skipped).toBe(partial.counts.copied);
    await expectIdentical(dest);
  });

  it('kill -9 with multipart copies in flight: the re-run completes identical and leaves no incomplete upload', async () => {
    proxy = await startFaultProxy(s3.endpoint, { delayMs: 150 });
    const dest = nextDest();
    const args = [
      'sync',
      '--source',
      's3://fault-src/data/',
      '--destination',
      `s3://fault-dst/${dest}`,
      '--endpoint-url',
      proxy.endpoint,
      '--multipart-threshold-mb',
      '5',
      '--part-size-mb',
      '5',
      '--max-concurrent',
      '4',
      '--log-format',
      'json',
      '--lease-ttl-seconds',
      '5',
      '--include',
      '**/trades/**',
    ];
    let pid = 0;
    const run = runCli(args, s3.env(), { onSpawn: (p) => (pid = p) });
    const client = s3.client();
    const deadline = Date.now() + 30_000;
    let open = 0;
    while (Date.now() < deadline && open === 0) {
      await new Promise((r) => setTimeout(r, 100));
      open = (await client.send(new ListMultipartUploadsCommand({ Bucket: 'fault-dst', Prefix: dest }))).Uploads?.length ?? 0;
    }
    expect(open).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const killed = await run;
    expect(killed.signal).toBe('SIGKILL');
    // Its destination lease lapses within the 5 s TTL (test/integration/lease.test.ts covers the run it blocks meanwhile).
    await new Promise((r) => setTimeout(r, 5_500));

    const rerun = await runCli(
      args.map((a) => (a === proxy!.endpoint ? s3.endpoint : a)).filter((a, i, all) => a !== '--include' && all[i - 1] !== '--include'),
      s3.env(),
    );
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/aborted incomplete multipart uploads left by an earlier run/);
    const left = await client.send(new ListMultipartUploadsCommand({ Bucket: 'fault-dst', Prefix: dest }));
    client.destroy();
    expect(left.Uploads ?? []).toEqual([]);
    await expectIdentical(dest);
    expect((await listKeys(s3.client(), 'fault-dst', dest)).length).toBe(archive.length);
  });
});
