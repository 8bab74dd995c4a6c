import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runSync } from '../helpers/job.js';
import { contentHashes, put, sha256 } from '../helpers/s3.js';

const MB = 1024 * 1024;
const SHA_ROUTE = 'zip with a .CHECKSUM: CopyObject returns its SHA-256';

/** The default (verified, engine chosen) run: only zips with a .CHECKSUM go to CopyObject with a SHA-256, the rest to s5cmd. */
describe('per-object routing of a verified run against a real S3 server', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  const flags = (destination: string) => ({
    source: 's3://source-bucket/data/',
    destination: `s3://mirror-bucket/${destination}/`,
    'max-concurrent': 8,
    'batch-size': 25,
    'multipart-threshold-mb': 5,
    'part-size-mb': 5,
  });

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['source-bucket', 'mirror-bucket'] });
    archive = [
      ...generateArchive({
        seed: 21,
        markets: ['spot', 'futures/um'],
        symbols: ['BTCUSDT', 'ETHUSDT'],
        dataTypes: ['klines', 'aggTrades'],
        days: 3,
        rowsPerFile: 20,
        anomalies: { missingChecksum: 2, large: { count: 1, sizeBytes: 7 * MB + 333 } },
      }),
    ];
    const client = s3.client();
    await uploadArchive(client, 'source-bucket', archive, { concurrency: 8 });
    await put(client, 'source-bucket', 'data/spot/README.txt', 'not a zip', 'text/plain');
    await put(client, 'source-bucket', 'data/spot/notes.zip-index', 'a non-zip with a zip-like name');
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('copies zips with a .CHECKSUM by CopyObject with SHA-256 (verified from it), everything else by s5cmd, all byte-identical', async () => {
    const report = await runSync(s3, flags('mixed'));
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.engine).toBe('sdk');

    const client = s3.client();
    const src = await contentHashes(client, 'source-bucket', 'data/');
    const dst = await contentHashes(client, 'mirror-bucket', 'mixed/');
    expect(dst).toEqual(src);

    const zipsWithChecksum = archive.filter((o) => o.kind === 'zip' && o.anomaly !== 'missing-checksum');
    const rest = src.size - zipsWithChecksum.length;
    expect(report.routes).toEqual({ sdk: { [SHA_ROUTE]: zipsWithChecksum.length }, s5cmd: { 'needs no SHA-256': rest } });
    expect(report.engines.sdk?.objects).toBe(zipsWithChecksum.length);
    expect(report.engines.s5cmd?.objects).toBe(rest);
    expect(report.counts).toMatchObject({ copied: src.size, failed: 0, verified: zipsWithChecksum.length, missing_checksums: 2, checksum_mismatches: 0 });
    // Each small zip is verified from its copy's SHA-256 and the listed ETag of its .CHECKSUM: no
    // source GET; only the multipart-copied large zip has its .CHECKSUM read (then is hashed back).
    const sourceGets = report.cost?.direct.items.find((i) => i.item === 'GET source')?.quantity ?? 0;
    expect(sourceGets).toBe(1);

    // The small zips' copies carry the SHA-256 the server computed; a .CHECKSUM copied by s5cmd does not.
    const zip = zipsWithChecksum.find((o) => o.anomaly !== 'large')!;
    const rel = zip.key.slice('data/'.length);
    const head = (key: string) => client.send(new HeadObjectCommand({ Bucket: 'mirror-bucket', Key: `mixed/${key}`, ChecksumMode: 'ENABLED' }));
    expect(Buffer.from((await head(rel)).ChecksumSHA256 ?? '', 'base64').toString('hex')).toBe(zip.sha256);
    expect((await head(`${rel}.CHECKSUM`)).ChecksumSHA256).toBeUndefined();
    client.destroy();
  });

  it('a forced engine takes everything it can', async () => {
    const report = await runSync(s3, { ...flags('forced'), engine: 'sdk' });
    expect(report.exit_code, report.logs).toBe(0);
    expect(Object.keys(report.routes)).toEqual(['sdk']);
    expect(report.routes.sdk).toEqual({ 'run engine': report.counts.copied });
  });

  it('a zip that does not match its .CHECKSUM still fails verification (exit 5)', async () => {
    const victim = archive.find((o) => o.kind === 'zip' && !o.anomaly && o.key.includes('klines'))!;
    const corrupted = new Uint8Array(victim.body);
    corrupted[corrupted.length - 30] = (corrupted[corrupted.length - 30] ?? 0) ^ 0xff;
    const client = s3.client();
    await put(client, 'source-bucket', victim.key, corrupted, 'application/zip');
    client.destroy();
    const report = await runSync(s3, flags('corrupt'));
    expect(report.exit_code).toBe(5);
    expect(report.routes.sdk?.[SHA_ROUTE]).toBeGreaterThan(0);
    expect(report.counts.checksum_mismatches).toBe(1);
    expect(report.checksum_mismatches[0]).toMatchObject({
      key: victim.key.slice('data/'.length),
      expected_sha256: victim.sha256,
      actual_sha256: sha256(corrupted),
    });
  });
});
