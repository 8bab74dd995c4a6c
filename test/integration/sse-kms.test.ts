import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import type { Action } from '../../src/plan/diff.js';
import { generateArchive, sameSizeReplacement, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { startKmsEtagProxy, type KmsEtagProxy } from '../helpers/kms-etag-proxy.js';
import { runSync } from '../helpers/job.js';
import { contentHashes, put } from '../helpers/s3.js';

const SRC = 'kms-src';
const DST = 'kms-dst';
const MB = 1024 * 1024;
// S3 and versitygw keep LastModified to the second: waiting longer orders two writes.
const pastOneSecond = () => new Promise((r) => setTimeout(r, 1100));

describe('an SSE-KMS destination (opaque ETags, through a proxy in front of versitygw)', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: [SRC, DST] });
    archive = [
      ...generateArchive({
        seed: 21,
        markets: ['spot'],
        symbols: ['BTCUSDT', 'ETHUSDT'],
        dataTypes: ['klines', 'aggTrades'],
        days: 2,
        rowsPerFile: 10,
        anomalies: { large: { count: 1, sizeBytes: 6 * MB } },
      }),
    ];
    const client = s3.client();
    await uploadArchive(client, SRC, archive, { concurrency: 8 });
    client.destroy();
    await pastOneSecond();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  const clientFor = (endpoint: string) =>
    new S3Client({ endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });

  it('the proxy makes the destination ETags opaque, stable across reads, and leaves the source and the exempt prefix alone', async () => {
    const proxy = await startKmsEtagProxy(s3.endpoint, { bucket: DST, exemptPrefix: 'p/_leases/' });
    const direct = s3.client();
    const proxied = clientFor(proxy.endpoint);
    try {
      await put(direct, DST, 'p/a.zip', 'same bytes');
      await put(direct, DST, 'p/_leases/lease.json', '{}');
      await put(direct, SRC, 'probe/a.zip', 'same bytes');
      const etags = async (c: S3Client, bucket: string, prefix: string) =>
        Object.fromEntries(((await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => [o.Key!, o.ETag!]));
      const real = await etags(direct, DST, 'p/');
      const seen = await etags(proxied, DST, 'p/');
      expect(seen['p/a.zip']).toMatch(/^"[0-9a-f]{32}"$/);
      expect(seen['p/a.zip']).not.toBe(real['p/a.zip']);
      expect(seen['p/_leases/lease.json']).toBe(real['p/_leases/lease.json']);
      expect(await etags(proxied, DST, 'p/')).toEqual(seen);
      const head = await proxied.send(new HeadObjectCommand({ Bucket: DST, Key: 'p/a.zip' }));
      expect(head.ETag).toBe(seen['p/a.zip']);
      expect(await etags(proxied, SRC, 'probe/')).toEqual(await etags(direct, SRC, 'probe/'));
    } finally {
      direct.destroy();
      proxied.destroy();
      await proxy.stop();
    }
  });

  // The default engine choice with the source read directly (another endpoint: the stream engine),
  // and the server-side engines with both sides behind the proxy.
  const variants = [
    { name: 'default engine, source read directly', engine: undefined, sourceDirect: true, expectEngine: 'stream' },
    { name: 'engine sdk', engine: 'sdk', sourceDirect: false, expectEngine: 'sdk' },
    { name: 'engine s5cmd', engine: 's5cmd', sourceDirect: false, expectEngine: 's5cmd' },
  ] as const;

  it.each(variants.map((v, i) => ({ ...v, i })))(
    '$name: a second run copies nothing, a same-size replacement is copied once, no HEAD per object',
    async ({ engine, sourceDirect, expectEngine, i }) => {
      const destPrefix = `mirror-${i}/`;
      const proxy: KmsEtagProxy = await startKmsEtagProxy(s3.endpoint, { bucket: DST, exemptPrefix: `${destPrefix}_leases/` });
      try {
        const flags = (extra: Record<string, unknown> = {}) => ({
          source: `s3://${SRC}/data/`,
          destination: `s3://${DST}/${destPrefix}`,
          'endpoint-url': proxy.endpoint,
          ...(sourceDirect ? { 'source-endpoint-url': s3.endpoint } : {}),
          ...(engine ? { engine } : {}),
          'max-concurrent': 8,
          'batch-size': 10,
          // The large zip is copied in parts: a multipart ETag, settled by the recorded source ETag.
          'multipart-threshold-mb': 5,
          'part-size-mb': 5,
          ...extra,
        });
        const run = async (extra: Record<string, unknown> = {}) => {
          proxy.reset();
          const copies: Array<Extract<Action, { kind: 'copy' }>> = [];
          const report = await runSync(s3, flags(extra), { onAction: (a) => a.kind === 'copy' && copies.push(a) });
          expect(report.exit_code, report.logs).toBe(0);
          expect(report.engine).toBe(expectEngine);
          return { report, copies, heads: proxy.count('head'), destHeads: proxy.count('head', DST), destWrites: objectWrites() };
        };
        // Writes of objects (copies, puts), not of the run's own lease under _leases/.
        const objectWrites = () =>
          proxy.seen.filter((r) => r.bucket === DST && (r.kind === 'copy' || r.kind === 'put') && !r.key.startsWith(`${destPrefix}_leases/`)).length;
        const zips = archive.filter((o) => o.kind === 'zip').length;
        const large = archive.filter((o) => o.anomaly === 'large' && o.kind === 'zip').map((o) => o.key.slice('data/'.length));
        expect(large).toHaveLength(1);
        const headKeys = () => proxy.seen.filter((r) => r.kind === 'head' && r.bucket === DST).map((r) => r.key.slice(destPrefix.length));

        const first = await run();
        expect(first.report.counts.copied).toBe(archive.length);
        // At most one HEAD per copied zip, and only to verify it: never one per object to plan.
        expect(first.destHeads).toBeLessThanOrEqual(zips);

        // (a) The proxy really hides the MD5: comparing ETags as MD5s copies everything again
        // (but the multipart copy, which its recorded source ETag settles).
        const strict = await run({ 'destination-etags': 'md5' });
        expect(strict.report.counts.copied).toBe(archive.length - large.length);
        expect(new Set(strict.copies.map((c) => c.reason))).toEqual(new Set(['etag']));
        expect(proxy.rewritten).toBeGreaterThan(0);

        // (b) With the default (opaque) rule a second run copies nothing and asks no HEAD but for
        // the multipart copy's recorded ETag.
        const second = await run();
        expect(second.report.counts.copied).toBe(0);
        expect(second.report.counts.skipped).toBe(archive.length);
        expect(second.heads).toBe(large.length);
        expect(headKeys()).toEqual(large);
        expect(second.destWrites).toBe(0);

        // (c) The source replaces one zip (and its .CHECKSUM) in place, same size, after the copy.
        const victim = archive.filter((o) => o.kind === 'zip' && !o.anomaly)[i]!;
        const { zip, checksum } = sameSizeReplacement(victim, 100 + i);
        expect(zip.body.length).toBe(victim.body.length);
        const direct = s3.client();
        await uploadArchive(direct, SRC, [zip, checksum]);
        await pastOneSecond();
        const third = await run();
        const rel = (k: string) => k.slice('data/'.length);
        expect(third.copies.map((c) => c.key).sort()).toEqual([rel(zip.key), rel(checksum.key)].sort());
        expect(third.copies.every((c) => c.reason === 'etag')).toBe(true);
        expect(third.report.counts.copied).toBe(2);
        expect(third.report.counts.verified).toBe(1);
        expect(third.destHeads).toBeLessThanOrEqual(large.length + 1);

        const fourth = await run();
        expect(fourth.report.counts.copied).toBe(0);
        expect(fourth.heads).toBe(large.length);

        const src = await contentHashes(direct, SRC, 'data/');
        const dst = await contentHashes(direct, DST, destPrefix);
        direct.destroy();
        expect(dst).toEqual(src);
        console.log(
          `sse-kms ${expectEngine}: HEAD requests per run ${[first, strict, second, third, fourth].map((r) => r.heads).join(', ')}; objects ${archive.length}`,
        );
      } finally {
        await proxy.stop();
      }
    },
  );
});
