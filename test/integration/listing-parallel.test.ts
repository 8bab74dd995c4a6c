import { S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pLimit from 'p-limit';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { compareKeys } from '../../src/key-order.js';
import { checkPageOrder, listPrefix, listPrefixPages, ListingOrderError, type ListOptions } from '../../src/storage/listing.js';
import type { ListedObject } from '../../src/storage/types.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runSync } from '../helpers/job.js';
import { contentHashes, put } from '../helpers/s3.js';

const BUCKET = 'par-src';
const ROOT = 'data/';
const BULK = 'bulk/';

/**
 * Keys that sort awkwardly, break XML or URLs, or sit at folder levels between others (a key and a
 * folder of the same name cannot both exist on versitygw's POSIX backend).
 */
const AWKWARD = [
  'a.txt',
  'a/',
  'a/direct.zip',
  'a/x1/',
  'a/x1/BTCUSDT-1m-2024-01-01.zip',
  'a/x1/BTCUSDT-1m-2024-01-01.zip.CHECKSUM',
  'a/x1/deep/deeper/z.zip',
  'a/x1 2/space key.zip',
  'a/x1+plus/p+q%25r[s]*t&u.zip',
  'a/x1<lt>/a"q\'.zip',
  'a/line\nbreak.zip',
  'a/tab\there.zip',
  'b/caf\u00e9/\u20ac.zip',
  'b/\u{1f600}/smile.zip',
  'b/\uff5e/fullwidth-tilde.zip',
  'b/\ue000/private-use.zip',
  'empty/',
  'c/',
  'c0/x.zip',
];

/** Many keys in nested folders, so a listing spans pages and ranges, with the awkward ones among them. */
function keySet(): string[] {
  const keys = new Set(AWKWARD);
  for (const market of ['a', 'b', 'spot']) {
    for (const sym of ['BTCUSDT', 'ETHUSDT', 'X\u{1f600}Y']) {
      for (let day = 1; day <= 18; day++) {
        const file = `${market}/${sym}/1m/${sym}-1m-2024-01-${String(day).padStart(2, '0')}.zip`;
        keys.add(file);
        keys.add(`${file}.CHECKSUM`);
      }
      keys.add(`${market}/${sym}/direct.txt`);
    }
  }
  return [...keys].sort(compareKeys);
}

/** More than a page of plain keys for a whole run (versitygw refuses to copy folder objects; .CHECKSUM files would be verified). */
function bulkKeys(): string[] {
  const out: string[] = [];
  for (const sym of ['AAA', 'BBB', 'C\u00e9', 'D\u{1f600}']) for (let n = 0; n < 300; n++) out.push(`${BULK}${sym}/${n % 3}/${n}.bin`);
  out.push(`${BULK}top.bin`, `${BULK}AAA/direct.bin`);
  return out;
}

async function collect(pages: AsyncIterable<ListedObject[]>): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

async function serial(s3: LocalS3, opts: Partial<ListOptions>): Promise<ListedObject[]> {
  const client = s3.client();
  const out: ListedObject[] = [];
  for await (const o of listPrefix(client, BUCKET, ROOT, { root: ROOT, ...opts })) out.push(o);
  client.destroy();
  return out;
}

async function parallel(endpointS3: LocalS3, opts: Partial<ListOptions>, endpoint?: string): Promise<ListedObject[]> {
  const client = endpoint ? clientAt(endpointS3, endpoint) : endpointS3.client();
  try {
    return await collect(checkPageOrder(BUCKET, listPrefixPages(client, BUCKET, ROOT, { root: ROOT, limit: pLimit(4), rangeSplitAboveMs: 0, ...opts })));
  } finally {
    client.destroy();
  }
}

function clientAt(s3: LocalS3, endpoint: string): S3Client {
  return new S3Client({ region: s3.region, endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
}

describe('listing a prefix in parallel key ranges (versitygw)', () => {
  let s3: LocalS3;
  let dir: string;
  let keys: string[];
  let proxy: FaultProxy | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-list-par-'));
    s3 = await startLocalS3({ buckets: [BUCKET, 'par-dst'] });
    keys = keySet();
    const client = s3.client();
    const limit = pLimit(16);
    await Promise.all(keys.map((k, n) => limit(() => put(client, BUCKET, ROOT + k, k.endsWith('/') ? '' : `body ${n}`))));
    await Promise.all(bulkKeys().map((k) => limit(() => put(client, BUCKET, k, k))));
    client.destroy();
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serial listing gives every key, decoded, in S3 order', async () => {
    const listed = await serial(s3, { pageSize: 7 });
    expect(listed.map((o) => o.key)).toEqual(keys);
  });

  it('ranges listed at once give exactly the keys, order and fields of the serial listing, for any page size and concurrency', async () => {
    const expected = await serial(s3, {});
    for (const [pageSize, concurrency] of [
      [7, 4],
      [3, 16],
      [50, 2],
      [1000, 4],
    ] as const) {
      const listed = await parallel(s3, { pageSize, rangeConcurrency: concurrency });
      expect(listed, `page size ${pageSize}, ${concurrency} ranges`).toEqual(expected);
    }
  });

  it('SlowDown and InternalError on a fifth of all requests, 30 ms a page: the ranges still give exactly the serial listing', async () => {
    const expected = await serial(s3, {});
    proxy = await startFaultProxy(s3.endpoint, { slowDown: 0.1, internalError: 0.1, allRequests: true, maxConsecutivePerRequest: 1, listDelayMs: 30 });
    try {
      const listed = await parallel(s3, { pageSize: 7, rangeConcurrency: 8 }, proxy.endpoint);
      expect(listed).toEqual(expected);
      expect(proxy.injected.slowDown + proxy.injected.internalError).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
      proxy = undefined;
    }
  });

  it('a server that lists out of order is caught, and the run still ends with the exact copy (planned again from sorted listings)', async () => {
    proxy = await startFaultProxy(s3.endpoint, { reorderListing: true });
    await expect(parallel(s3, { pageSize: 7, rangeConcurrency: 4 }, proxy.endpoint)).rejects.toBeInstanceOf(ListingOrderError);
    await expect(parallel(s3, { pageSize: 1000, rangeConcurrency: 4 }, proxy.endpoint)).rejects.toBeInstanceOf(ListingOrderError);

    const report = await runSync(s3, { source: `s3://${BUCKET}/${BULK}`, destination: 's3://par-dst/lake/', 'endpoint-url': proxy.endpoint, market: [] });
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.degradations.some((d) => d.to === 'sorted listing')).toBe(true);
    const client = s3.client();
    const copied = await contentHashes(client, 'par-dst', 'lake/');
    expect(copied.size).toBe(bulkKeys().length);
    expect(copied).toEqual(await contentHashes(client, BUCKET, BULK));
    client.destroy();
  });
});
