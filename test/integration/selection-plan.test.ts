/**
 * The selection as the planner lists it, against versitygw with a generated archive: each
 * selection of the table plans exactly the keys an independent reading of the key names
 * selects; a date window lists about one page per folder instead of the whole archive (counted
 * with the run's request tally); shards cut at the symbol folder cover the plan once.
 */
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import type { RunReport } from '../../src/observe/report.js';
import { archiveKeys, type ArchiveOptions } from '../fixtures/binance-archive.js';
import { runSync } from '../helpers/job.js';
import { put } from '../helpers/s3.js';

/** The folders and date of a key relative to data/, read here without the selection compiler. */
function partsOf(rel: string) {
  const d = rel.split('/');
  const at = d[0] === 'futures' ? 1 : 0;
  const type = d[at + 2] ?? '';
  const kline = /klines$/i.test(type);
  const name = (d[d.length - 1] ?? '').replace(/\.CHECKSUM$/, '');
  return {
    market: at ? `${d[0]}/${d[1]}` : d[0],
    frequency: d[at + 1],
    type,
    kline,
    symbol: d[at + 3],
    interval: kline ? d[at + 4] : undefined,
    date: /-(\d{4}-\d{2}(?:-\d{2})?)\.zip$/.exec(name)?.[1],
  };
}

async function putKeys(s3: LocalS3, bucket: string, keys: readonly string[]): Promise<void> {
  const client = s3.client();
  const limit = pLimit(32);
  await Promise.all(keys.map((key) => limit(() => put(client, bucket, key, 'x'))));
  client.destroy();
}

/** Source ListObjectsV2 requests of the run, from its request tally (priced in the report's cost). */
function sourceLists(report: RunReport): number {
  return report.cost?.direct.items.find((i) => i.item === 'LIST source')?.quantity ?? 0;
}

describe('planning a selection against a real S3 server', () => {
  let s3: LocalS3;
  const ARCHIVE: ArchiveOptions = {
    seed: 11,
    markets: ['spot', 'futures/um', 'futures/cm', 'option'],
    dataTypes: ['klines', 'aggTrades', 'indexPriceKlines', 'fundingRate', 'BVOLIndex', 'EOHSummary'],
    intervals: ['1m', '1h', '1d'],
    days: 3,
    startDate: '2024-01-30',
  };
  const archive = [...archiveKeys(ARCHIVE)].map((k) => k.key.slice('data/'.length));
  // Full-history folders of one market: a full listing takes several pages per folder.
  const LONG: ArchiveOptions = {
    seed: 12,
    markets: ['spot'],
    symbols: ['BTCUSDT', 'ETHUSDT'],
    dataTypes: ['klines', 'trades'],
    intervals: ['1m'],
    frequencies: ['daily'],
    days: 2000,
    startDate: '2018-01-01',
  };
  const long = [...archiveKeys(LONG)].map((k) => k.key.slice('data/'.length));

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['sel-src', 'sel-dst', 'long-src'] });
    await putKeys(s3, 'sel-src', [...archive.map((k) => `data/${k}`), 'index.html', 'data/index.html']);
    await putKeys(
      s3,
      'long-src',
      long.map((k) => `data/${k}`),
    );
  }, 600_000);
  afterAll(async () => {
    await s3?.stop();
  });

  async function planned(bucket: string, selection: Record<string, unknown>, shard?: { index: number; count: number }) {
    const keys: string[] = [];
    const flags = { source: `s3://${bucket}/data/`, destination: 's3://sel-dst/m/', ...selection };
    const report = await runSync(s3, flags, { command: 'plan', dryRun: true, onAction: (a) => keys.push(`${a.kind} ${a.key}`), shard });
    expect(report.exit_code, report.logs.slice(-3000)).toBe(0);
    return { keys, report };
  }
  const copies = (keys: readonly string[]) => keys.map((k) => k.replace(/^copy /, ''));

  const table: Array<[string, Record<string, unknown>, (p: ReturnType<typeof partsOf>) => boolean]> = [
    ['--symbol btcusdt (upper-cased)', { symbol: ['btcusdt'] }, (p) => p.symbol === 'BTCUSDT'],
    [
      '--market futures/cm --symbol BTCUSD_PERP (its pair under indexPriceKlines)',
      { market: ['futures/cm'], symbol: ['BTCUSD_PERP'] },
      // indexPriceKlines sits under the bare pair, the other types under the contract.
      (p) => p.market === 'futures/cm' && p.symbol === (p.type === 'indexPriceKlines' ? 'BTCUSD' : 'BTCUSD_PERP'),
    ],
    [
      '--market futures/um --interval 1h (kline types only)',
      { market: ['futures/um'], interval: ['1h'] },
      (p) => p.market === 'futures/um' && p.interval === '1h',
    ],
    [
      '--market spot --data-type klines --interval 1m, one day (the month of it too)',
      { market: ['spot'], 'data-type': ['klines'], interval: ['1m'], 'date-from': '2024-01-31', 'date-to': '2024-01-31' },
      (p) => p.market === 'spot' && p.type === 'klines' && p.interval === '1m' && (p.date === '2024-01-31' || p.date === '2024-01'),
    ],
    ['--date-from 2024-02-01 (every market)', { 'date-from': '2024-02-01' }, (p) => p.date !== undefined && p.date >= '2024-02'],
    ['--market option --symbol BTCBVOLUSDT', { market: ['option'], symbol: ['BTCBVOLUSDT'] }, (p) => p.market === 'option' && p.symbol === 'BTCBVOLUSDT'],
  ];

  it.each(table)('plans exactly the selected keys: %s', async (_name, selection, selected) => {
    const expected = archive.filter((k) => selected(partsOf(k))).sort();
    expect(expected.length).toBeGreaterThan(0);
    const { keys } = await planned('sel-src', selection);
    expect(keys.every((k) => k.startsWith('copy '))).toBe(true);
    expect(copies(keys).sort()).toEqual(expected);
  });

  it('warns of the data types a symbol filter selects nothing in, and says so in the report', async () => {
    const option = await planned('sel-src', { market: ['option'], symbol: ['BTCBVOLUSDT'] });
    expect(option.report.types_without_keys).toContain('option/daily/EOHSummary');
    expect(option.report.types_without_keys).not.toContain('option/daily/BVOLIndex');
    expect(option.report.logs).toContain('the symbol filter selects no keys in');
    const btc = await planned('sel-src', { symbol: ['BTCUSDT'] });
    expect(btc.report.types_without_keys).toContain('futures/cm/daily/klines');
    expect(btc.report.types_without_keys).not.toContain('spot/daily/klines');
    const all = await planned('sel-src', { market: ['spot'] });
    expect(all.report.types_without_keys).toBeUndefined();
  });

  it('shards cut at the symbol folder: disjoint, together the whole plan, a symbol folder in one shard', async () => {
    const whole = (await planned('sel-src', {})).keys;
    const N = 3;
    const parts: string[][] = [];
    for (let index = 0; index < N; index++) parts.push((await planned('sel-src', {}, { index, count: N })).keys);
    const union = parts.flat();
    expect(new Set(union).size).toBe(union.length);
    expect([...union].sort()).toEqual([...whole].sort());
    const shardOfFolder = new Map<string, Set<number>>();
    parts.forEach((keys, index) => {
      for (const k of copies(keys)) {
        const p = partsOf(k);
        if (p.symbol === undefined || p.date === undefined) continue;
        const folder = `${p.market}/${p.frequency}/${p.type}/${p.symbol}/`;
        shardOfFolder.set(folder, (shardOfFolder.get(folder) ?? new Set()).add(index));
      }
    });
    expect([...shardOfFolder.values()].every((s) => s.size === 1)).toBe(true);
    // Under futures/ the unit is the symbol, not the data-type folder: a type's symbols spread over shards.
    const byType = new Map<string, Set<number>>();
    for (const [folder, shards] of shardOfFolder) {
      if (!folder.startsWith('futures/')) continue;
      const type = folder.split('/').slice(0, 4).join('/');
      for (const s of shards) byType.set(type, (byType.get(type) ?? new Set()).add(s));
    }
    expect([...byType.values()].some((s) => s.size > 1)).toBe(true);
  });

  describe('a date window over full-history folders', () => {
    const leafFolders = new Set(long.map((k) => k.slice(0, k.lastIndexOf('/') + 1)));
    // Every folder from the root down to the leaves (at most one delimiter listing each).
    const allFolders = new Set([...leafFolders].flatMap((f) => f.split('/').map((_, n, d) => d.slice(0, n).join('/'))));

    it.each([
      ['one day', '2022-06-01', '2022-06-01'],
      ['one week', '2022-06-01', '2022-06-07'],
    ])('%s plans exactly its keys and lists about one page per folder, far fewer than a full run', async (_name, from, to) => {
      const folders = { market: ['spot'], frequency: ['daily'], 'data-type': ['klines', 'trades'], interval: ['1m'] };
      const full = await planned('long-src', folders);
      expect(copies(full.keys).sort()).toEqual([...long].sort());
      const windowed = await planned('long-src', { ...folders, 'date-from': from, 'date-to': to });
      const expected = long.filter((k) => {
        const d = partsOf(k).date!;
        return d >= from && d <= to;
      });
      expect(copies(windowed.keys).sort()).toEqual(expected.sort());
      // Each leaf folder one page, each folder above at most one delimiter listing, plus the preflight's list probe.
      expect(sourceLists(windowed.report)).toBeLessThanOrEqual(leafFolders.size + allFolders.size + 1);
      expect(sourceLists(full.report)).toBeGreaterThan(long.length / 1000);
      expect(sourceLists(windowed.report) * 2).toBeLessThan(sourceLists(full.report));
    });
  });
});
