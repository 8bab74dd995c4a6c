import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runSync } from '../helpers/job.js';
import { contentHashes } from '../helpers/s3.js';

const LIST_DELAY_MS = 300;

// Real S3 answers a ListObjectsV2 page in tens to hundreds of milliseconds. Listing the selection's
// prefixes one page after another would make the plan as slow as the sum of those waits.
describe('a listing with page latency (a proxy delays every ListObjectsV2 request)', () => {
  let s3: LocalS3;
  let proxy: FaultProxy;
  let dir: string;
  let archive: ArchiveObject[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3ds-list-latency-'));
    s3 = await startLocalS3({ buckets: ['lat-src', 'lat-dst'] });
    archive = [...generateArchive({ seed: 21, markets: ['spot', 'futures/um'], symbols: ['BTCUSDT', 'ETHUSDT'], dataTypes: ['klines', 'aggTrades'], days: 3 })];
    const client = s3.client();
    await uploadArchive(client, 'lat-src', archive, { concurrency: 16 });
    client.destroy();
    proxy = await startFaultProxy(s3.endpoint, { listDelayMs: LIST_DELAY_MS });
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies exactly, re-runs copying nothing, and lists the prefixes of both sides at once, not one page after another', async () => {
    const flags = {
      source: 's3://lat-src/data/',
      destination: 's3://lat-dst/lake/',
      'endpoint-url': proxy.endpoint,
      market: ['spot', 'futures/um'],
      'data-type': ['klines', 'aggTrades'],
    };
    const first = await runSync(s3, flags);
    expect(first.exit_code, first.logs).toBe(0);
    expect(first.counts.copied).toBe(archive.length);
    const client = s3.client();
    expect(await contentHashes(client, 'lat-dst', 'lake/')).toEqual(await contentHashes(client, 'lat-src', 'data/'));
    client.destroy();

    const listsBefore = proxy.seenByKind.list;
    const second = await runSync(s3, flags);
    const lists = proxy.seenByKind.list - listsBefore;
    expect(second.exit_code, second.logs).toBe(0);
    expect(second.counts.copied).toBe(0);
    expect(second.counts.skipped).toBe(archive.length);
    // 8 prefixes (2 markets × daily/monthly × 2 data types) on each side, at least a page each.
    expect(lists).toBeGreaterThanOrEqual(16);
    const oneAfterAnother = (lists * LIST_DELAY_MS) / 1000;
    expect(second.duration_seconds).toBeLessThan(oneAfterAnother / 2);
  });
});
