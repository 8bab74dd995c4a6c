import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, sameSizeReplacement, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { contentHashes, listKeys, put, sha256 } from '../helpers/s3.js';
import { runSync } from '../helpers/job.js';

const MB = 1024 * 1024;
const AWKWARD = [
  'awkward/a b c.csv',
  'awkward/ünïcödé-日本語-😀.csv',
  'awkward/plus+sign.csv',
  'awkward/percent%20sign.csv',
  'awkward/equals=1.csv',
  'awkward/tilde~.csv',
  'awkward/bang!.csv',
  "awkward/quote'd.csv",
  'awkward/paren(1).csv',
  'awkward/d1/d2/d3/d4/d5/d6/d7/d8/d9/deep.csv',
  'awkward/a-b.csv',
  'awkward/a/b.csv',
];

describe.each(['s5cmd', 'sdk', 'stream'] as const)('engine %s against a real S3 server', (engine) => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  const flags = () => ({
    source: 's3://source-bucket/data/',
    destination: 's3://mirror-bucket/bronze/binance/',
    engine,
    'max-concurrent': 8,
    'batch-size': 25,
    'multipart-threshold-mb': 5,
    'part-size-mb': 5,
  });

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['source-bucket', 'mirror-bucket'] });
    archive = [
      ...generateArchive({
        seed: 7,
        markets: ['spot', 'futures/um'],
        symbols: ['BTCUSDT', 'ETHUSDT'],
        dataTypes: ['klines', 'aggTrades'],
        days: 3,
        rowsPerFile: 20,
        anomalies: { nonPaddedDate: true, missingChecksum: 1, large: { count: 1, sizeBytes: 12 * MB + 12345 } },
      }),
    ];
    const client = s3.client();
    await uploadArchive(client, 'source-bucket', archive, { concurrency: 8 });
    for (const k of AWKWARD) await put(client, 'source-bucket', `data/${k}`, `content of ${k}`, 'text/csv', { origin: 'test' });
    await put(client, 'source-bucket', 'data/awkward/empty.bin', new Uint8Array(0));
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('copies everything byte-identical, awkward keys, a zero-byte and a multipart object included', async () => {
    const report = await runSync(s3, flags());
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.engine).toBe(engine);
    const client = s3.client();
    const src = await contentHashes(client, 'source-bucket', 'data/');
    const dst = await contentHashes(client, 'mirror-bucket', 'bronze/binance/');
    client.destroy();
    expect(src.size).toBe(archive.length + AWKWARD.length + 1);
    expect(dst).toEqual(src);
    expect(report.counts.copied).toBe(src.size);
    expect(report.counts.failed).toBe(0);
    // The three non-padded zips have no .CHECKSUM, like the real archive's.
    const zipsWithChecksum = archive.filter((o) => o.kind === 'zip' && o.anomaly !== 'missing-checksum' && o.anomaly !== 'non-padded').length;
    expect(report.counts.verified).toBe(zipsWithChecksum);
    expect(report.counts.missing_checksums).toBe(1 + 3);
    expect(report.counts.checksum_mismatches).toBe(0);
  });

  it('keeps content type and user metadata', async () => {
    const client = s3.client();
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const h = await client.send(new HeadObjectCommand({ Bucket: 'mirror-bucket', Key: 'bronze/binance/awkward/plus+sign.csv' }));
    const z = await client.send(
      new HeadObjectCommand({ Bucket: 'mirror-bucket', Key: `bronze/binance/${archive.find((o) => o.anomaly === 'large')!.key.slice(5)}` }),
    );
    client.destroy();
    expect(h.ContentType).toBe('text/csv');
    expect(h.Metadata?.origin).toBe('test');
    expect(z.ContentType).toBe('application/zip');
  });

  it('a second run copies nothing', async () => {
    const report = await runSync(s3, flags());
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.counts.copied).toBe(0);
    expect(report.counts.planned).toBe(0);
    expect(report.counts.skipped).toBe(report.counts.listed);
  });

  it('a same-size replacement in place is copied again, and only it', async () => {
    const victim = archive.find((o) => o.kind === 'zip' && !o.anomaly)!;
    const { zip, checksum } = sameSizeReplacement(victim, 99);
    expect(zip.body.length).toBe(victim.body.length);
    const client = s3.client();
    await uploadArchive(client, 'source-bucket', [zip, checksum]);
    const report = await runSync(s3, flags());
    const dst = await contentHashes(client, 'mirror-bucket', 'bronze/binance/');
    client.destroy();
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.counts.copied).toBe(2);
    expect(report.counts.verified).toBe(1);
    expect(dst.get(victim.key.slice('data/'.length))).toBe(sha256(zip.body));
  });

  it('sync mode deletes destination extras within the selection, refusing beyond --max-delete', async () => {
    const client = s3.client();
    await put(client, 'mirror-bucket', 'bronze/binance/spot/extra-1.csv', 'x');
    await put(client, 'mirror-bucket', 'bronze/binance/spot/extra-2.csv', 'y');
    await put(client, 'mirror-bucket', 'outside/keep.csv', 'z');
    const refused = await runSync(s3, { ...flags(), 'sync-mode': 'sync', 'max-delete': 1 });
    expect(refused.exit_code).toBe(1);
    expect(refused.counts.deleted).toBe(0);
    expect(refused.failures.some((f) => f.error_class === 'delete-cap' && /--max-delete 1/.test(f.message))).toBe(true);
    expect(await listKeys(client, 'mirror-bucket', 'bronze/binance/spot/extra')).toHaveLength(2);
    const report = await runSync(s3, { ...flags(), 'sync-mode': 'sync', 'max-delete': 10 });
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.counts.deleted).toBe(2);
    expect(await listKeys(client, 'mirror-bucket', 'bronze/binance/spot/extra')).toHaveLength(0);
    expect(await listKeys(client, 'mirror-bucket', 'outside/')).toEqual(['keep.csv']);
    client.destroy();
  });

  it('a zip that does not match its .CHECKSUM is reported with both values and exit code 5', async () => {
    const victim = archive.find((o) => o.kind === 'zip' && !o.anomaly && o.key.includes('aggTrades'))!;
    const corrupted = new Uint8Array(victim.body);
    corrupted[corrupted.length - 30] = (corrupted[corrupted.length - 30] ?? 0) ^ 0xff;
    const client = s3.client();
    await put(client, 'source-bucket', victim.key, corrupted, 'application/zip');
    client.destroy();
    const report = await runSync(s3, flags());
    expect(report.exit_code).toBe(5);
    expect(report.counts.checksum_mismatches).toBe(1);
    expect(report.checksum_mismatches[0]).toMatchObject({
      key: victim.key.slice('data/'.length),
      expected_sha256: victim.sha256,
      actual_sha256: sha256(corrupted),
    });
  });

  it('plan writes nothing', async () => {
    const client = s3.client();
    await put(client, 'source-bucket', 'data/spot/new-file.csv', 'new');
    const before = await contentHashes(client, 'mirror-bucket');
    const actions: string[] = [];
    const report = await runSync(s3, flags(), { command: 'plan', dryRun: true, onAction: (a) => actions.push(`${a.kind} ${a.key}`) });
    const after = await contentHashes(client, 'mirror-bucket');
    client.destroy();
    expect(report.exit_code).toBe(0);
    expect(actions).toContain('copy spot/new-file.csv');
    expect(report.counts.planned).toBe(1);
    expect(report.counts.copied).toBe(0);
    expect(after).toEqual(before);
  });
});
