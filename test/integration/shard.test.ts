import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive } from '../fixtures/binance-archive.js';
import type { ShardSpec } from '../../src/plan/shard.js';
import { runSync } from '../helpers/job.js';
import { put } from '../helpers/s3.js';

describe('fan-out shards against a real S3 server', () => {
  let s3: LocalS3;
  const flags = { source: 's3://shard-src/data/', destination: 's3://shard-dst/m/', 'sync-mode': 'sync' };

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['shard-src', 'shard-dst'] });
    const client = s3.client();
    await uploadArchive(
      client,
      'shard-src',
      generateArchive({
        seed: 5,
        markets: ['spot', 'futures/um'],
        symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT'],
        dataTypes: ['klines', 'trades'],
        intervals: ['1m', '1h'],
        days: 2,
        rowsPerFile: 3,
      }),
      { concurrency: 16 },
    );
    // Loose objects above the shard depth, and destination-only objects (deletes) in several places.
    await put(client, 'shard-src', 'data/README.txt', 'top');
    await put(client, 'shard-src', 'data/spot/notes.txt', 'loose');
    await put(client, 'shard-dst', 'm/spot/daily/klines/XRPUSDT/1m/XRPUSDT-1m-2020-01-01.zip', 'gone from source');
    await put(client, 'shard-dst', 'm/futures/um/daily/trades/BTCUSDT/old.zip', 'stale');
    // Half the archive already mirrored, so the plan mixes copies, skips and deletes.
    await runSync(s3, { ...flags, 'sync-mode': 'copy', market: ['spot'] });
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  async function planned(extra: Record<string, unknown> = {}, shard?: ShardSpec): Promise<string[]> {
    const actions: string[] = [];
    const report = await runSync(s3, { ...flags, ...extra }, { command: 'plan', dryRun: true, onAction: (a) => actions.push(`${a.kind} ${a.key}`), shard });
    expect(report.exit_code, report.logs).toBe(0);
    return actions;
  }

  it.each([undefined, 1, 2, 4])('shards are disjoint and together are exactly the unsharded plan (--shard-depth %s)', async (depth) => {
    const whole = await planned();
    expect(whole.filter((a) => a.startsWith('copy')).length).toBeGreaterThan(10);
    expect(whole.filter((a) => a.startsWith('delete')).length).toBe(2);
    // Four shards: at depth 2 the three groups with copies or deletes all hash to one of three shards.
    const N = 4;
    const parts = [];
    for (let index = 0; index < N; index++) parts.push(await planned({}, { index, count: N, ...(depth === undefined ? {} : { depth }) }));
    const union = parts.flat();
    expect(new Set(union).size).toBe(union.length);
    expect([...union].sort()).toEqual([...whole].sort());
    expect(parts.filter((p) => p.length > 0).length).toBeGreaterThan(1);
  });
});
