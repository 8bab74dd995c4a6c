/**
 * The destination lease against a real S3 server (versitygw, which implements If-None-Match and
 * If-Match on PutObject): overlapping runs, a lease left by a kill -9, shards against the whole
 * prefix, and a lease lost mid-run.
 */
import { CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { LeaseHeldError } from '../../src/exit-codes.js';
import { LeaseHolder, newLeaseBody, parseLease, type LeaseBody, type LeaseScope } from '../../src/storage/lease.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runSync } from '../helpers/job.js';
import { contentHashes, listKeys, put } from '../helpers/s3.js';

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('destination lease against a real S3 server', () => {
  let s3: LocalS3;
  let client: S3Client;
  let archive: ArchiveObject[];
  let dir: string;
  let proxy: FaultProxy | undefined;
  let destN = 0;
  const nextDest = () => `l${++destN}/`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-lease-'));
    s3 = await startLocalS3({ buckets: ['lease-src', 'lease-dst'] });
    client = s3.client();
    archive = [
      ...generateArchive({
        seed: 11,
        markets: ['spot', 'futures/um'],
        symbols: ['BTCUSDT', 'ETHUSDT'],
        dataTypes: ['klines'],
        intervals: ['1m'],
        days: 4,
        rowsPerFile: 5,
        anomalies: { large: { count: 3, sizeBytes: 12 * MB } },
      }),
    ];
    await uploadArchive(client, 'lease-src', archive, { concurrency: 16 });
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function expectIdentical(dest: string): Promise<void> {
    expect(await contentHashes(client, 'lease-dst', dest)).toEqual(await contentHashes(client, 'lease-src', 'data/'));
  }
  async function readLease(dest: string, name = 'all.json'): Promise<LeaseBody | undefined> {
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: 'lease-dst', Key: `${dest}_leases/${name}` }));
      return parseLease(await r.Body!.transformToString());
    } catch {
      return undefined;
    }
  }
  const openUploads = async (dest: string) => (await client.send(new ListMultipartUploadsCommand({ Bucket: 'lease-dst', Prefix: dest }))).Uploads?.length ?? 0;
  /** Multipart copies in flight (not the CLI's validate check, which starts and aborts one before the job). */
  const copiesInFlight = async (dest: string) =>
    ((await client.send(new ListMultipartUploadsCommand({ Bucket: 'lease-dst', Prefix: dest }))).Uploads ?? []).filter(
      (u) => !u.Key!.includes('/_s3ds-validate/'),
    ).length;
  const cliArgs = (endpoint: string, dest: string, ...extra: string[]) => [
    'sync',
    '--source',
    's3://lease-src/data/',
    '--destination',
    `s3://lease-dst/${dest}`,
    '--endpoint-url',
    endpoint,
    '--multipart-threshold-mb',
    '5',
    '--part-size-mb',
    '5',
    '--max-concurrent',
    '4',
    '--log-format',
    'json',
    '--json',
    ...extra,
  ];
  const reportOf = (r: CliRun) =>
    JSON.parse(r.stdout) as { run_id: string; exit_code: number; error?: string; counts: { copied: number; failed: number; deleted: number } };

  it('ten takers at once, on a free lease and on an expired one: exactly one wins each time', async () => {
    const dest = nextDest();
    const take = (i: number) =>
      LeaseHolder.take({ client, bucket: 'lease-dst', prefix: dest, scope: { kind: 'all' }, runId: `taker-${i}`, ttlSeconds: 60, retry: { retryCount: 3 } });
    for (const round of ['free', 'expired']) {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => take(i)));
      const won = results.filter((r): r is PromiseFulfilledResult<LeaseHolder> => r.status === 'fulfilled');
      expect(won.length, round).toBe(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(LeaseHeldError);
      expect((await readLease(dest))?.run_id).toBe(won[0]!.value.lease.run_id);
      // Expire it in place (as a crashed holder's lease would), for the takeover round.
      const body = (await readLease(dest))!;
      await put(client, 'lease-dst', `${dest}_leases/all.json`, JSON.stringify({ ...body, expires_at: new Date(Date.now() - 1000).toISOString() }));
    }
  });

  it('two syncs started at once: exactly one copies, the other exits 6 naming the holder; identical, nothing aborted', async () => {
    proxy = await startFaultProxy(s3.endpoint, { delayMs: 30 });
    const dest = nextDest();
    const [a, b] = await Promise.all([runCli(cliArgs(proxy.endpoint, dest), s3.env()), runCli(cliArgs(proxy.endpoint, dest), s3.env())]);
    const runs = [a, b].sort((x, y) => (x.code ?? 99) - (y.code ?? 99));
    const [winner, loser] = runs as [CliRun, CliRun];
    expect(
      runs.map((r) => r.code),
      loser.stderr.slice(-3000),
    ).toEqual([0, 6]);
    const won = reportOf(winner);
    const lost = reportOf(loser);
    expect(won.counts).toMatchObject({ copied: archive.length, failed: 0 });
    expect(lost.counts.copied).toBe(0);
    expect(lost.exit_code).toBe(6);
    expect(lost.error).toContain(`run ${won.run_id} on host `);
    expect(lost.error).toMatch(/until \d{4}-\d\d-\d\dT/);
    expect(loser.stderr).toContain('lease held by another run');
    // Nobody aborted anybody's multipart uploads.
    for (const r of runs) expect(r.stderr).not.toMatch(/aborted (incomplete|unfinished) multipart uploads/);
    await expectIdentical(dest);
    expect(await openUploads(dest)).toBe(0);
    // Released at the end: a later run is not blocked.
    expect((await readLease(dest))?.released_at).toBeDefined();
  });

  it('a second sync started while the first has multipart copies in flight exits 6 and aborts none of them', async () => {
    // Slow enough (250 ms a request, one object at a time) that the first run is still copying.
    proxy = await startFaultProxy(s3.endpoint, { delayMs: 250 });
    const dest = nextDest();
    const first = runCli(cliArgs(proxy.endpoint, dest, '--max-concurrent', '1'), s3.env());
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await copiesInFlight(dest)) === 0) await sleep(50);
    expect(await copiesInFlight(dest)).toBeGreaterThan(0);
    // Direct to the server, so it reaches its cleanup step well before the first run finishes.
    const second = await runCli(cliArgs(s3.endpoint, dest, '--no-validate'), s3.env());
    expect(second.code, second.stderr.slice(-3000)).toBe(6);
    const firstDone = await first;
    expect(firstDone.code, firstDone.stderr.slice(-3000)).toBe(0);
    expect(reportOf(firstDone).counts).toMatchObject({ copied: archive.length, failed: 0 });
    expect(reportOf(second).error).toContain(`run ${reportOf(firstDone).run_id}`);
    expect(second.stderr).not.toMatch(/aborted incomplete multipart uploads/);
    await expectIdentical(dest);
  });

  it('a lease left by kill -9 blocks the next run until it expires, then the run completes identical', async () => {
    proxy = await startFaultProxy(s3.endpoint, { delayMs: 100 });
    const dest = nextDest();
    let pid = 0;
    const killedRun = runCli(cliArgs(proxy.endpoint, dest, '--lease-ttl-seconds', '5'), s3.env(), { onSpawn: (p) => (pid = p) });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await copiesInFlight(dest)) === 0) await sleep(50);
    expect(await copiesInFlight(dest)).toBeGreaterThan(0);
    const held = await readLease(dest);
    expect(held).toBeDefined();
    process.kill(pid, 'SIGKILL');
    expect((await killedRun).signal).toBe('SIGKILL');

    // Killed at most ttl/3 after a renewal, so more than 3 s of the lease are left: started at once
    // (without the validate step, to be quick), the next run finds it live.
    const blocked = await runCli(cliArgs(s3.endpoint, dest, '--lease-ttl-seconds', '5', '--no-validate'), s3.env());
    expect(blocked.code, blocked.stderr.slice(-2000)).toBe(6);
    expect(reportOf(blocked).error).toContain(`run ${held!.run_id} on host ${held!.host} (pid ${held!.pid})`);
    expect(reportOf(blocked).counts.copied).toBe(0);
    expect((await readLease(dest))?.run_id).toBe(held!.run_id);
    const waitMs = Date.parse((await readLease(dest))!.expires_at) - Date.now();
    if (waitMs > 0) await sleep(waitMs + 200);
    const rerun = await runCli(cliArgs(s3.endpoint, dest, '--lease-ttl-seconds', '5'), s3.env());
    expect(rerun.code, rerun.stderr.slice(-3000)).toBe(0);
    expect(rerun.stderr).toContain('taking over an expired lease');
    expect(rerun.stderr).toMatch(/aborted incomplete multipart uploads left by an earlier run/);
    expect(await openUploads(dest)).toBe(0);
    await expectIdentical(dest);
  });

  it('shards: a live shard lease blocks the whole prefix and its own shard, not another shard of the same split', async () => {
    const dest = nextDest();
    const flags = { source: 's3://lease-src/data/', destination: `s3://lease-dst/${dest}`, 'sync-mode': 'sync' };
    const plant = async (name: string, scope: LeaseScope, runId: string) => {
      const body = newLeaseBody({ runId, scope, ttlSeconds: 120, now: new Date(), host: 'other-host', pid: 4242 });
      await put(client, 'lease-dst', `${dest}_leases/${name}`, JSON.stringify(body), 'application/json');
    };
    await plant('shard-0-of-2.json', { kind: 'shard', index: 0, count: 2, split: 'group' }, 'planted-shard-0');
    // An incomplete upload of an earlier run: only a run holding the lease may abort it.
    const leftover = await client.send(new CreateMultipartUploadCommand({ Bucket: 'lease-dst', Key: `${dest}spot/daily/klines/BTCUSDT/1m/left-over.zip` }));
    await sleep(1100);

    const whole = await runSync(s3, flags);
    expect(whole.exit_code).toBe(6);
    expect(whole.logs).toContain('lease held by another run');
    expect(await openUploads(dest)).toBe(1);
    expect(whole.error).toContain('run planted-shard-0 on host other-host (pid 4242), shard 0/2');
    expect(whole.counts.copied).toBe(0);
    expect(await listKeys(client, 'lease-dst', dest)).toEqual([]);
    const sameShard = await runSync(s3, flags, { shard: { index: 0, count: 2 } });
    expect(sameShard.exit_code).toBe(6);
    const otherSplit = await runSync(s3, flags, { shard: { index: 1, count: 3 } });
    expect(otherSplit.exit_code).toBe(6);
    // The same count split at a depth instead of by group shares keys with every shard of the other split.
    const otherDepth = await runSync(s3, flags, { shard: { index: 1, count: 2, depth: 4 } });
    expect(otherDepth.exit_code).toBe(6);
    expect(await openUploads(dest)).toBe(1);
    const otherShard = await runSync(s3, flags, { shard: { index: 1, count: 2 } });
    expect(otherShard.exit_code, otherShard.logs.slice(-2000)).toBe(0);
    expect(otherShard.counts.copied).toBeGreaterThan(0);
    expect(otherShard.counts.copied).toBeLessThan(archive.length);

    // A live whole-prefix lease blocks a shard.
    await plant('all.json', { kind: 'all' }, 'planted-all');
    const shardUnderAll = await runSync(s3, flags, { shard: { index: 1, count: 2 } });
    expect(shardUnderAll.exit_code).toBe(6);
    expect(shardUnderAll.error).toContain('run planted-all');

    // Released or expired leases block nobody; _leases/ is never copied or deleted, even in sync mode.
    await put(
      client,
      'lease-dst',
      `${dest}_leases/all.json`,
      JSON.stringify({ ...newLeaseBody({ runId: 'gone', scope: { kind: 'all' }, ttlSeconds: 5, now: new Date(Date.now() - 60_000) }) }),
    );
    await put(
      client,
      'lease-dst',
      `${dest}_leases/shard-0-of-2.json`,
      JSON.stringify({
        ...newLeaseBody({ runId: 'gone', scope: { kind: 'shard', index: 0, count: 2, split: 'group' }, ttlSeconds: 5, now: new Date(Date.now() - 60_000) }),
      }),
    );
    await put(client, 'lease-src', 'data/_leases/all.json', '{"not":"a lease to copy"}');
    try {
      const full = await runSync(s3, flags);
      expect(full.exit_code, full.logs.slice(-2000)).toBe(0);
      // Aborted by the first run that held a lease covering it (shard 1/2's, or this one's).
      expect(otherShard.logs + full.logs).toContain('aborted incomplete multipart uploads left by an earlier run');
      expect(leftover.UploadId).toBeDefined();
      expect(await openUploads(dest)).toBe(0);
      expect(full.counts.deleted).toBe(0);
      expect(full.counts.planned_deletes).toBe(0);
      expect((await listKeys(client, 'lease-dst', `${dest}_leases/`, { withLeases: true })).sort()).toEqual([
        'all.json',
        'shard-0-of-2.json',
        'shard-1-of-2.json',
        'shard-1-of-3.json',
      ]);
      expect((await readLease(dest))?.run_id).toBe(full.run_id);
      await expectIdentical(dest);

      // lease: false (servers without conditional writes) ignores leases, and says so.
      await plant('all.json', { kind: 'all' }, 'planted-again');
      const unleased = await runSync(s3, { ...flags, lease: false });
      expect(unleased.exit_code, unleased.logs.slice(-2000)).toBe(0);
      expect(unleased.logs).toContain('running without a destination lease');
      expect((await readLease(dest))?.run_id).toBe('planted-again');
    } finally {
      await client.send(new DeleteObjectCommand({ Bucket: 'lease-src', Key: 'data/_leases/all.json' }));
    }
  });

  it('throttled lease renewals are retried: the run keeps its lease and completes', async () => {
    // SlowDown for every PUT to the lease object while `faulting` (the proxy draws its random number
    // right after recording the request, so the last request seen is the one being decided).
    let faulting = false;
    proxy = await startFaultProxy(s3.endpoint, { slowDown: 1, random: () => (faulting && proxy!.seen.at(-1)!.includes('/_leases/') ? 0 : 1) });
    const dest = nextDest();
    // A request cap makes the run outlast several renewals (every 2 s with a 6 s TTL).
    let finished = false;
    const run = runSync(s3, {
      source: 's3://lease-src/data/',
      destination: `s3://lease-dst/${dest}`,
      'endpoint-url': proxy.endpoint,
      'lease-ttl-seconds': 6,
      'max-requests-per-second': 8,
      'retry-count': 8,
    }).finally(() => (finished = true));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(await readLease(dest))) await sleep(50);
    faulting = true;
    await sleep(3_000);
    faulting = false;
    const throttledRenewals = proxy.injected.slowDown;
    const stillRunning = !finished;
    const report = await run;
    expect(stillRunning, 'the run ended before the renewals were throttled').toBe(true);
    expect(throttledRenewals, 'no lease renewal was throttled').toBeGreaterThan(0);
    expect(report.exit_code, report.logs.slice(-3000)).toBe(0);
    expect(report.counts.copied).toBe(archive.length);
    expect(report.counts.retries).toBeGreaterThanOrEqual(throttledRenewals);
    expect((await readLease(dest))?.run_id).toBe(report.run_id);
    await expectIdentical(dest);
  });

  it('losing the lease mid-run (taken over by another writer) stops the run with exit 6', async () => {
    proxy = await startFaultProxy(s3.endpoint, { delayMs: 80 });
    const dest = nextDest();
    const flags = {
      source: 's3://lease-src/data/',
      destination: `s3://lease-dst/${dest}`,
      'endpoint-url': proxy.endpoint,
      'lease-ttl-seconds': 6,
      'max-concurrent': 2,
      'batch-size': 4,
      // Copies at 8 a second through the SDK engine keep the run going well past the renewal that
      // finds the intruder (s5cmd would take the .CHECKSUM files at its own pace).
      engine: 'sdk',
      'max-requests-per-second': 8,
    };
    const run = runSync(s3, flags);
    const deadline = Date.now() + 30_000;
    let mine: LeaseBody | undefined;
    while (Date.now() < deadline && !(mine = await readLease(dest))) await sleep(50);
    expect(mine).toBeDefined();
    await sleep(500);
    const intruder = newLeaseBody({ runId: 'intruder', scope: { kind: 'all' }, ttlSeconds: 600, now: new Date(), host: 'elsewhere', pid: 1 });
    await put(client, 'lease-dst', `${dest}_leases/all.json`, JSON.stringify(intruder), 'application/json');
    const overwrittenAt = Date.now();
    const report = await run;
    expect(report.exit_code, report.logs.slice(-3000)).toBe(6);
    expect(report.error).toContain('lost the destination');
    expect(report.error).toContain('run intruder on host elsewhere');
    // Renewal every ttl/3 = 2 s finds it, then in-flight work is cut at once.
    expect(Date.now() - overwrittenAt).toBeLessThan(2_000 + 5_000);
    expect(report.counts.copied).toBeLessThan(archive.length);
    // The intruder's lease is left as it wrote it (a lost lease is never released over someone else's).
    expect((await readLease(dest))?.run_id).toBe('intruder');
    expect(await openUploads(dest)).toBe(0);
    // A copy the run cut may already have left for the server (here: held in the proxy's delay),
    // as on real S3; once those have landed, nothing more is written.
    await sleep(1000);
    const copiedAtEnd = (await listKeys(client, 'lease-dst', dest)).length;
    await sleep(1500);
    expect((await listKeys(client, 'lease-dst', dest)).length).toBe(copiedAtEnd);
  });
});
