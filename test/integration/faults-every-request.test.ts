/**
 * Throttling and 5xx on every request the job makes, not only on copies: the validate checks
 * `sync` runs first, preflight, listings, HEADs, GETs of .CHECKSUM and copies read back, copies,
 * multipart calls, DeleteObjects and aborts. Through the built CLI, so the whole run is covered,
 * from its very first request.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy, type FaultRules, type RequestKind } from '../helpers/fault-proxy.js';
import { contentHashes, listKeys, put } from '../helpers/s3.js';
import type { RunReport } from '../../src/observe/report.js';

const MB = 1024 * 1024;
const EXTRAS = ['spot/daily/klines/OLDUSDT/1m/OLDUSDT-1m-2020-01-01.zip', 'spot/daily/klines/OLDUSDT/1m/OLDUSDT-1m-2020-01-01.zip.CHECKSUM', 'stray.txt'];

describe('faults on every request kind, from the first request of the run', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  let dir: string;
  let proxy: FaultProxy | undefined;
  let destN = 0;
  const nextDest = () => `e${++destN}/`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-faults-all-'));
    s3 = await startLocalS3({ buckets: ['every-src', 'every-dst'] });
    archive = [
      ...generateArchive({
        seed: 21,
        markets: ['spot', 'futures/um'],
        symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
        dataTypes: ['klines', 'aggTrades'],
        days: 4,
        rowsPerFile: 10,
        anomalies: { large: { count: 2, sizeBytes: 12 * MB } },
      }),
    ];
    const client = s3.client();
    await uploadArchive(client, 'every-src', archive, { concurrency: 16 });
    client.destroy();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  afterAll(async () => {
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function seedExtras(dest: string): Promise<void> {
    const client = s3.client();
    for (const k of EXTRAS) await put(client, 'every-dst', dest + k, `extra ${k}`);
    client.destroy();
  }

  async function expectIdentical(dest: string): Promise<void> {
    const client = s3.client();
    const src = await contentHashes(client, 'every-src', 'data/');
    const dst = await contentHashes(client, 'every-dst', dest);
    client.destroy();
    expect(dst).toEqual(src);
  }

  async function sync(endpoint: string, dest: string, name: string, extra: string[] = []): Promise<{ code: number | null; stderr: string; report: RunReport }> {
    const reportFile = join(dir, `${name}.json`);
    const args = [
      'sync',
      '--source',
      's3://every-src/data/',
      '--destination',
      `s3://every-dst/${dest}`,
      '--endpoint-url',
      endpoint,
      '--sync-mode',
      'sync',
      // The three extra destination objects are the whole destination on a first run: above the
      // default 10% delete guard, which this test is not about.
      '--max-delete-percent',
      '100',
      '--multipart-threshold-mb',
      '5',
      '--part-size-mb',
      '5',
      '--max-concurrent',
      '16',
      '--batch-size',
      '20',
      '--engine',
      'sdk',
      '--report',
      reportFile,
      '--log-format',
      'json',
      ...extra,
    ];
    const run = await runCli(args, s3.env(), { timeoutMs: 240_000 });
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport;
    return { code: run.code, stderr: run.stderr, report };
  }

  function expectEveryKindHit(p: FaultProxy, kinds: RequestKind[]): void {
    for (const k of kinds) expect(p.injectedByKind[k], `faults injected into ${k} requests (seen ${p.seenByKind[k]})`).toBeGreaterThan(0);
    // The run's very first request was answered with a fault.
    expect(p.faulted[0]).toBe(p.seen[0]);
  }

  const cut = (r: RunReport) => r.degradations.some((d) => /^concurrency \d+$/.test(d.from) && Number(d.to.split(' ')[1]) < Number(d.from.split(' ')[1]));

  it.each([
    ['20% SlowDown', { slowDown: 0.2, failFirstOfEachKind: 'slowDown' }, 'slowDown'],
    // A 500 is retried at most 3 times by policy; the proxy keeps any one request within that.
    ['10% InternalError', { internalError: 0.1, failFirstOfEachKind: 'internalError', maxConsecutivePerRequest: 3 }, 'internalError'],
  ] as const)(
    '%s on all requests: exit 0, identical, counts right, concurrency cut reported',
    async (_name, rules, fault) => {
      const dest = nextDest();
      await seedExtras(dest);
      proxy = await startFaultProxy(s3.endpoint, { ...(rules as FaultRules), allRequests: true });
      const first = await sync(proxy.endpoint, dest, `${fault}-1`, ['--retry-count', '10']);
      expect(first.code, first.stderr.slice(-3000)).toBe(0);
      const zips = archive.filter((o) => o.key.endsWith('.zip')).length;
      expect(first.report.counts).toMatchObject({ copied: archive.length, deleted: EXTRAS.length, failed: 0, verified: zips, checksum_mismatches: 0 });
      expect(first.report.counts.retries).toBeGreaterThan(0);
      expect(cut(first.report), JSON.stringify(first.report.degradations)).toBe(true);
      await expectIdentical(dest);
      expect((await listKeys(s3.client(), 'every-dst', dest)).length).toBe(archive.length);
      // A verified run makes fewer requests now (a .CHECKSUM whose listed ETag matches the copy is not
      // read), so the bound is a share of the requests seen: a third of the fault rate's expectation.
      const share = 'slowDown' in rules ? rules.slowDown : rules.internalError;
      expect(proxy.injected[fault]).toBeGreaterThanOrEqual(Math.max(5, Math.floor((proxy.seen.length * share) / 3)));
      // validate's write check aborts a multipart upload (DELETE); DeleteObjects and multipart calls are POSTs.
      expectEveryKindHit(proxy, ['list', 'get', 'put', 'post', 'delete']);

      // A second run compares: multipart copies have ETags it cannot compare, so it HEADs them.
      await proxy.stop();
      proxy = await startFaultProxy(s3.endpoint, { ...(rules as FaultRules), allRequests: true });
      const second = await sync(proxy.endpoint, dest, `${fault}-2`, ['--retry-count', '10']);
      expect(second.code, second.stderr.slice(-3000)).toBe(0);
      expect(second.report.counts).toMatchObject({ copied: 0, skipped: archive.length, deleted: 0, failed: 0 });
      expectEveryKindHit(proxy, ['list', 'head']);
      await expectIdentical(dest);
    },
    600_000,
  );

  it('a date window (delimiter discovery, StartAfter listings of both sides) under 20% SlowDown: exactly the window, nothing outside it deleted', async () => {
    const dest = nextDest();
    await seedExtras(dest);
    proxy = await startFaultProxy(s3.endpoint, { slowDown: 0.2, failFirstOfEachKind: 'slowDown', allRequests: true });
    const run = await sync(proxy.endpoint, dest, 'window', ['--retry-count', '10', '--date-from', '2024-01-03']);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const dated = (key: string) => /-(\d{4}-\d{2}(?:-\d{2})?)\.zip(?:\.CHECKSUM)?$/.exec(key)?.[1] ?? '';
    const inWindow = (key: string) => (dated(key).length === 10 ? dated(key) >= '2024-01-03' : dated(key) >= '2024-01');
    const window = archive.filter((o) => inWindow(o.key));
    expect(window.length).toBeGreaterThan(0);
    expect(window.length).toBeLessThan(archive.length);
    expect(run.report.counts).toMatchObject({ copied: window.length, deleted: 0, failed: 0, checksum_mismatches: 0 });
    expect(proxy.injectedByKind.list, `list faults (seen ${proxy.seenByKind.list})`).toBeGreaterThan(0);
    const client = s3.client();
    const dst = await contentHashes(client, 'every-dst', dest);
    client.destroy();
    const want = new Map(window.map((o) => [o.key.slice('data/'.length), o.sha256]));
    // The extras lie outside the window (2020, and a key without a date): kept, not deleted.
    for (const k of EXTRAS) expect(dst.has(k), k).toBe(true);
    for (const k of EXTRAS) dst.delete(k);
    expect(dst).toEqual(want);
  }, 300_000);

  it('sustained throttling of the copies and reads (200 SlowDowns in a row): retries never run out, every zip verified', async () => {
    // The SDK's standard strategy spends 5 of 500 retry tokens per throttled retry and stops
    // retrying when they are gone (after about 100); the run's policy keeps no such quota.
    const dest = nextDest();
    // Spread over many requests (at most 4 in a row on one) so the backoffs stay short.
    // A verified run reads back few objects now (a .CHECKSUM whose listed ETag matches the copy's
    // SHA-256 needs no GET), so the copies take the throttling too.
    proxy = await startFaultProxy(s3.endpoint, { sustained: { fault: 'slowDown', requests: 200, kinds: ['put', 'get'] }, maxConsecutivePerRequest: 4 });
    const run = await sync(proxy.endpoint, dest, 'sustained', ['--retry-count', '20']);
    expect(run.code, JSON.stringify(run.report.failures.slice(0, 3))).toBe(0);
    expect((proxy.injectedByKind.put ?? 0) + (proxy.injectedByKind.get ?? 0)).toBe(200);
    expect(run.report.counts).toMatchObject({ copied: archive.length, failed: 0, verified: archive.filter((o) => o.key.endsWith('.zip')).length });
    expect(run.report.counts.retries).toBeGreaterThanOrEqual(200);
    await expectIdentical(dest);
  }, 300_000);

  it('validate: SlowDown on the first 3 requests of each kind (STS aside) still passes every bucket check', async () => {
    proxy = await startFaultProxy(s3.endpoint, { failFirstOfEachKind: 'slowDown', failFirstTimes: 3 });
    const dest = nextDest();
    const run = await runCli(
      [
        'validate',
        '--source',
        's3://every-src/data/',
        '--destination',
        `s3://every-dst/${dest}`,
        '--endpoint-url',
        proxy.endpoint,
        '--skip',
        'resources',
        '--json',
      ],
      s3.env(),
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expectEveryKindHit(proxy, ['list', 'post', 'delete']);
    expect(proxy.injectedByKind).toMatchObject({ list: 3, post: 3, delete: 3 });
  });
});
