/**
 * The listing simulator answers ListObjectsV2 as a real S3 server does: the same keys put into
 * versitygw and listed through the AWS SDK, request by request, give the same pages.
 */
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsCommandInput,
  type ListObjectsV2CommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListSim, type ListSim } from '../../scripts/list-sim.js';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { compareKeys } from '../../src/key-order.js';

const AWKWARD = ['币安人生USDT', 'A+B', 'X%41Y', '[BR]', 'ST*R', 'A&B', 'SP ACE', 'NEW\nLINE', 'A', 'AB', 'A-B', 'Z\u{1F600}'];

interface Page {
  keys: string[];
  prefixes: string[];
  keyCount: number | undefined;
  truncated: boolean | undefined;
  echo: Record<string, unknown>;
}

/**
 * S3 counts common prefixes in KeyCount; versitygw counts only the keys. The simulator does as S3
 * does, checked on its own pages; KeyCount is left out of the comparison.
 */
function withoutKeyCount(ps: Page[]): Omit<Page, 'keyCount'>[] {
  return ps.map(({ keyCount: _k, ...rest }) => rest);
}

function expectSame(got: Page[], want: Page[]): void {
  for (const p of got) expect(p.keyCount).toBe(p.keys.length + p.prefixes.length);
  expect(withoutKeyCount(got)).toEqual(withoutKeyCount(want));
}

/** Every page of one listing, following the server's own continuation tokens. */
async function pages(client: S3Client, input: ListObjectsV2CommandInput): Promise<Page[]> {
  const out: Page[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ ...input, ContinuationToken: token }));
    out.push({
      keys: (r.Contents ?? []).map((c) => c.Key!),
      prefixes: (r.CommonPrefixes ?? []).map((c) => c.Prefix!),
      keyCount: r.KeyCount,
      truncated: r.IsTruncated,
      // versitygw answers an empty <EncodingType/> when none was asked for.
      echo: { Prefix: r.Prefix ?? '', Delimiter: r.Delimiter, StartAfter: r.StartAfter, EncodingType: r.EncodingType || undefined, MaxKeys: r.MaxKeys },
    });
    token = r.NextContinuationToken;
    if (out.length > 500) throw new Error('more than 500 pages');
  } while (token);
  return out;
}

function decodeS3Url(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

function decodePage(p: Page): Page {
  const d = (s: unknown) => (typeof s === 'string' ? decodeS3Url(s) : s);
  const echo = Object.fromEntries(Object.entries(p.echo).map(([k, v]) => [k, k === 'EncodingType' ? undefined : d(v)]));
  return { ...p, keys: p.keys.map(decodeS3Url), prefixes: p.prefixes.map(decodeS3Url), echo };
}

async function putAll(client: S3Client, bucket: string, keys: string[]): Promise<void> {
  const limit = pLimit(16);
  await Promise.all(keys.map((Key) => limit(() => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: new Uint8Array(0) })))));
}

describe('list-sim lists as versitygw does (same keys, same requests through the AWS SDK)', () => {
  let s3: LocalS3;
  let gen: ListSim;
  let odd: ListSim;
  let real: S3Client;
  let simGen: S3Client;
  let simOdd: S3Client;
  let full: ListSim;
  let simFull: S3Client;
  let genKeys: string[];

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['gen', 'odd', 'full'] });
    gen = await startListSim({ keysPerBucket: 300, days: 4, buckets: ['gen'] });
    odd = await startListSim({ keysPerBucket: 720, days: 2, symbols: AWKWARD, buckets: ['odd'] });
    real = s3.client();
    const simClient = (endpoint: string) =>
      new (real.constructor as typeof S3Client)({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
      });
    simGen = simClient(gen.endpoint);
    simOdd = simClient(odd.endpoint);
    // The real archive's layout, one symbol a market plus the non-ASCII one, two days across a month end.
    full = await startListSim({ layout: 'full', symbolCount: 1, days: 2, lastDate: '2024-03-01', nonAscii: true, buckets: ['full'] });
    simFull = simClient(full.endpoint);
    await putAll(real, 'full', full.buckets.get('full')!.keys());
    genKeys = gen.buckets.get('gen')!.keys();
    await putAll(real, 'gen', genKeys);
    await putAll(real, 'odd', odd.buckets.get('odd')!.keys());
  }, 120_000);
  afterAll(async () => {
    for (const c of [real, simGen, simOdd, simFull]) c?.destroy();
    await full?.stop();
    await gen?.stop();
    await odd?.stop();
    await s3?.stop();
  });

  const GEN_CASES: [string, Omit<ListObjectsV2CommandInput, 'Bucket'>][] = [
    ['plain', {}],
    ['max-keys 7, continuing across pages', { MaxKeys: 7 }],
    ['prefix', { Prefix: 'data/spot/daily/' }],
    ['prefix that ends inside a name', { Prefix: 'data/futures/um/daily/klines/AAAUSDT/1m/AAAUSDT-1m-2026-11-2' }],
    ['prefix matching nothing', { Prefix: 'data/nope/' }],
    ['delimiter', { Delimiter: '/' }],
    ['prefix and delimiter', { Prefix: 'data/', Delimiter: '/' }],
    ['prefix, delimiter, max-keys 7', { Prefix: 'data/spot/', Delimiter: '/', MaxKeys: 3 }],
    ['a delimiter other than /', { Prefix: 'data/spot/daily/klines/AAAUSDT/', Delimiter: '-', MaxKeys: 7 }],
    ['start-after a key', { StartAfter: 'data/futures/um/daily/metrics/AAAUSDT/AAAUSDT-metrics-2026-11-28.zip', MaxKeys: 7 }],
    ['start-after between keys, with delimiter', { StartAfter: 'data/futures/cm/daily/klines/AAAUSD_PERP/1h/', Prefix: 'data/futures/', Delimiter: '/' }],
    ['start-after inside a common prefix', { StartAfter: 'data/futures/cm/daily/klines/AAAUSD_PERP/1h/x', Prefix: 'data/futures/cm/daily/', Delimiter: '/' }],
    ['start-after past the end', { StartAfter: 'data/zzz' }],
  ];

  it.each(GEN_CASES)('generated keys: %s', async (_name, input) => {
    const want = await pages(real, { Bucket: 'gen', ...input });
    const got = await pages(simGen, { Bucket: 'gen', ...input });
    expectSame(got, want);
  });

  it('serves every generated key, in the order versitygw lists them', async () => {
    const want = (await pages(real, { Bucket: 'gen' })).flatMap((p) => p.keys);
    expect(want).toEqual(genKeys);
    expect(genKeys).toHaveLength(300);
  });

  const ODD_CASES: [string, Omit<ListObjectsV2CommandInput, 'Bucket'>][] = [
    ['plain', {}],
    ['max-keys 7', { MaxKeys: 7 }],
    ['delimiter', { Prefix: 'data/spot/daily/klines/', Delimiter: '/' }],
    ['awkward prefix', { Prefix: 'data/spot/daily/klines/A' }],
    ['awkward prefix and delimiter, max-keys 7', { Prefix: 'data/spot/daily/klines/A', Delimiter: '/', MaxKeys: 7 }],
    ['awkward start-after', { StartAfter: 'data/spot/daily/klines/A+B/', Prefix: 'data/spot/daily/klines/', Delimiter: '/' }],
    ['awkward delimiter', { Prefix: 'data/spot/daily/trades/', Delimiter: '+' }],
  ];

  // versitygw ignores encoding-type=url (it answers the keys as they are): the simulator's answers,
  // decoded, must be versitygw's, and the encoding itself is S3's (checked below).
  it.each(ODD_CASES)('awkward keys (unicode, + %% [ * &, space, newline), url-encoded then decoded: %s', async (_name, input) => {
    const want = await pages(real, { Bucket: 'odd', ...input });
    const got = await pages(simOdd, { Bucket: 'odd', EncodingType: 'url', ...input });
    for (const p of got) expect(p.echo.EncodingType).toBe('url');
    expectSame(got.map(decodePage), want);
  });

  it('url-encodes as S3 does: UTF-8 percent-encoded, letters, digits and - _ . / * kept, a space as +', async () => {
    const r = await simOdd.send(new ListObjectsV2Command({ Bucket: 'odd', EncodingType: 'url', Prefix: 'data/spot/daily/trades/', Delimiter: '/' }));
    expect((r.CommonPrefixes ?? []).map((c) => c.Prefix)).toEqual(
      ['A', 'A%26B', 'A%2BB', 'A-B', 'AB', 'NEW%0ALINE', 'SP+ACE', 'ST*R', 'X%2541Y', 'Z%F0%9F%98%80', '%5BBR%5D', '%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT']
        .map((s) => `data/spot/daily/trades/${s}/`)
        .sort((a, b) => compareKeys(decodeS3Url(a), decodeS3Url(b))),
    );
    expect(r.Prefix).toBe('data/spot/daily/trades/');
  });

  it.each(ODD_CASES)('awkward keys, XML-escaped: %s', async (_name, input) => {
    const want = await pages(real, { Bucket: 'odd', ...input });
    const got = await pages(simOdd, { Bucket: 'odd', ...input });
    expectSame(got, want);
  });

  const FULL_CASES: [string, Omit<ListObjectsV2CommandInput, 'Bucket'>][] = [
    ['plain', {}],
    ['markets', { Prefix: 'data/', Delimiter: '/' }],
    ['COIN-M daily data types', { Prefix: 'data/futures/cm/daily/', Delimiter: '/' }],
    ['COIN-M index price pairs', { Prefix: 'data/futures/cm/monthly/indexPriceKlines/', Delimiter: '/' }],
    ['spot symbols, the non-ASCII one included', { Prefix: 'data/spot/daily/klines/', Delimiter: '/' }],
    [
      'one kline folder after a date',
      { Prefix: 'data/futures/um/daily/klines/AAAUSDT/1h/', StartAfter: 'data/futures/um/daily/klines/AAAUSDT/1h/AAAUSDT-1h-2024-02-29' },
    ],
    ['option', { Prefix: 'data/option/', MaxKeys: 3 }],
  ];

  it.each(FULL_CASES)('the full layout (real data types and intervals, COIN-M, option, non-ASCII), url-encoded then decoded: %s', async (_name, input) => {
    const want = await pages(real, { Bucket: 'full', ...input });
    const got = await pages(simFull, { Bucket: 'full', EncodingType: 'url', ...input });
    expectSame(got.map(decodePage), want);
    expect(want.flatMap((p) => [...p.keys, ...p.prefixes]).length).toBeGreaterThan(0);
  });

  /** ListObjects (V1) pages, continuing from NextMarker, or from the last key when there is none. */
  async function v1Pages(client: S3Client, input: ListObjectsCommandInput): Promise<Omit<Page, 'keyCount'>[]> {
    const out: Omit<Page, 'keyCount'>[] = [];
    let marker: string | undefined;
    for (;;) {
      const r = await client.send(new ListObjectsCommand({ ...input, Marker: marker }));
      const keys = (r.Contents ?? []).map((c) => c.Key!);
      out.push({ keys, prefixes: (r.CommonPrefixes ?? []).map((c) => c.Prefix!), truncated: r.IsTruncated, echo: { Prefix: r.Prefix ?? '' } });
      if (!r.IsTruncated) return out;
      marker = r.NextMarker ?? keys[keys.length - 1];
      if (out.length > 500) throw new Error('more than 500 pages');
    }
  }

  it.each([
    ['max-keys 7', { MaxKeys: 7 }],
    ['delimiter, max-keys 3, continuing from NextMarker', { Prefix: 'data/spot/', Delimiter: '/', MaxKeys: 3 }],
    ['marker', { Marker: 'data/futures/um/daily/metrics/AAAUSDT/AAAUSDT-metrics-2026-11-28.zip', MaxKeys: 50 }],
  ] as [string, Omit<ListObjectsCommandInput, 'Bucket'>][])('ListObjects (V1): %s', async (_name, input) => {
    const want = await v1Pages(real, { Bucket: 'gen', ...input });
    expect(await v1Pages(simGen, { Bucket: 'gen', ...input })).toEqual(want);
  });

  it('answers HeadBucket, HeadObject from the generated metadata, and S3 errors for what it lacks or does not implement', async () => {
    await simGen.send(new HeadBucketCommand({ Bucket: 'gen' }));
    const key = genKeys[3]!;
    const head = await simGen.send(new HeadObjectCommand({ Bucket: 'gen', Key: key }));
    const listed = await simGen.send(new ListObjectsV2Command({ Bucket: 'gen', StartAfter: genKeys[2], MaxKeys: 1 }));
    expect(head.ContentLength).toBe(listed.Contents![0]!.Size);
    expect(head.ETag).toBe(listed.Contents![0]!.ETag);
    await expect(simGen.send(new HeadObjectCommand({ Bucket: 'gen', Key: `${key}.nope` }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(simGen.send(new HeadBucketCommand({ Bucket: 'nope' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(simGen.send(new GetObjectCommand({ Bucket: 'gen', Key: key }))).rejects.toMatchObject({
      name: 'NotImplemented',
      $metadata: { httpStatusCode: 501 },
    });
    expect(gen.unknown).toEqual([expect.stringMatching(/^GET \/gen\/data\//)]);
    gen.unknown.length = 0;
  });

  it('lists out of order when asked: every page holds the same keys with two of them swapped', async () => {
    const sim = await startListSim({ keysPerBucket: 300, days: 4, buckets: [{ name: 'gen', outOfOrder: true }] });
    const client = new (real.constructor as typeof S3Client)({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
    });
    try {
      const got = await pages(client, { Bucket: 'gen', MaxKeys: 100 });
      expect(got).toHaveLength(3);
      expect(got.flatMap((p) => p.keys)).not.toEqual(genKeys);
      expect(got.flatMap((p) => p.keys).sort(compareKeys)).toEqual(genKeys);
      for (const [n, p] of got.entries()) expect(p.keys[1]).toBe(genKeys[n * 100 + 2]);
    } finally {
      client.destroy();
      await sim.stop();
    }
  });

  it('counts the requests it served, by kind', () => {
    expect(gen.requests.ListObjectsV2).toBeGreaterThan(GEN_CASES.length);
    expect(gen.unknown).toEqual([]);
  });

  it('tallies list requests with and without a delimiter, and the keys and common prefixes they returned', async () => {
    const sim = await startListSim({ keysPerBucket: 300, days: 4, buckets: ['gen'] });
    const client = new (real.constructor as typeof S3Client)({
      endpoint: sim.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
    });
    try {
      const plain = await pages(client, { Bucket: 'gen', MaxKeys: 70 });
      const folders = await pages(client, { Bucket: 'gen', Prefix: 'data/spot/daily/', Delimiter: '/', MaxKeys: 2 });
      expect(sim.listing).toEqual({
        pages: plain.length,
        delimited: folders.length,
        keys: 300 + folders.flatMap((p) => p.keys).length,
        prefixes: folders.flatMap((p) => p.prefixes).length,
      });
      expect(plain.length).toBe(5);
      expect(folders.flatMap((p) => p.prefixes)).toEqual(['data/spot/daily/aggTrades/', 'data/spot/daily/klines/', 'data/spot/daily/trades/']);
    } finally {
      client.destroy();
      await sim.stop();
    }
  });
});
