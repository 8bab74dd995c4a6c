import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, realisticArchive, uploadArchive, NON_ASCII_SYMBOL, type ArchiveObject } from '../fixtures/binance-archive.js';
import { contentHashes, listKeys } from '../helpers/s3.js';
import { runSync } from '../helpers/job.js';

// The realistic archive (all four markets, COIN-M contracts, option BVOL symbols, a non-ASCII spot
// symbol, unpadded names without .CHECKSUM, .CHECKSUM files without their newline, keys outside
// data/) mirrored by each engine: every key under data/ arrives under the same UTF-8 name with the
// same bytes, nothing outside data/ is copied, and every .CHECKSUM there is verifies its zip.
describe('the realistic archive through every engine', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  // Fewer intervals than the preset's sixteen keep the upload small; the odd cases are all there.
  const opts = realisticArchive({ seed: 23, days: 2, startDate: '2024-01-31', intervals: ['1s', '1m', '1d', '1mo'] });

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['source-bucket', 'mirror-bucket'] });
    archive = [...generateArchive(opts)];
    const client = s3.client();
    await uploadArchive(client, 'source-bucket', archive, { concurrency: 8 });
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('holds the odd cases this test is about', () => {
    const anomalies = archive.map((o) => `${o.kind} ${o.anomaly ?? '-'}`);
    expect(anomalies.filter((a) => a === 'checksum checksum-without-newline')).toHaveLength(2);
    expect(anomalies.filter((a) => a === 'zip non-padded')).toHaveLength(3);
    expect(archive.filter((o) => o.key.includes(NON_ASCII_SYMBOL)).length).toBeGreaterThan(10);
    expect(archive.filter((o) => !o.key.startsWith('data/')).map((o) => o.key.replace(/\/.*$/, '/…'))).toEqual([
      'index.html',
      'data-staging/…',
      'data-staging/…',
    ]);
  });

  it.each(['s5cmd', 'sdk', 'stream'] as const)('engine %s copies every key under data/ byte for byte and verifies every .CHECKSUM', async (engine) => {
    const report = await runSync(s3, {
      source: 's3://source-bucket/data/',
      destination: `s3://mirror-bucket/${engine}/`,
      engine,
      'max-concurrent': 16,
      'batch-size': 100,
    });
    expect(report.exit_code, report.logs).toBe(0);
    expect(report.engine).toBe(engine);

    const client = s3.client();
    const dst = await contentHashes(client, 'mirror-bucket', `${engine}/`);
    const everything = await listKeys(client, 'mirror-bucket');
    client.destroy();
    // Compared with what was generated, not with a listing: a key mangled on the way in or out
    // (its UTF-8 re-encoded, percent-escaped, normalised) is missing here and extra there.
    const underData = archive.filter((o) => o.key.startsWith('data/'));
    const expected = new Map(underData.map((o) => [o.key.slice('data/'.length), o.sha256]));
    expect([...dst.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(dst).toEqual(expected);
    const nonAscii = `spot/daily/klines/${NON_ASCII_SYMBOL}/1m/${NON_ASCII_SYMBOL}-1m-2024-01-31.zip`;
    expect(dst.get(nonAscii), nonAscii).toBe(expected.get(nonAscii));
    expect(dst.get(`${nonAscii}.CHECKSUM`)).toBe(expected.get(`${nonAscii}.CHECKSUM`));
    expect(everything.filter((k) => k.endsWith('index.html') || k.includes('data-staging'))).toEqual([]);

    const zips = underData.filter((o) => o.kind === 'zip');
    const withChecksum = zips.filter((o) => o.anomaly !== 'non-padded');
    expect(report.counts).toMatchObject({
      copied: underData.length,
      failed: 0,
      verified: withChecksum.length,
      missing_checksums: zips.length - withChecksum.length,
      checksum_mismatches: 0,
    });
  });
});
