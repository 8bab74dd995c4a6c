import { describe, expect, it } from 'vitest';
import { KeySpace } from '../../../scripts/list-sim/keyspace.js';
import { compareKeys } from '../../../src/key-order.js';

/** The real archive's folders (issue 11's tables, BINANCE.md), written out here independently of layouts.ts. */
const DAILY_IV = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d'];
const MONTHLY_IV = [...DAILY_IV, '3d', '1w', '1mo'];
const FUTURES_DAILY = {
  klines: DAILY_IV,
  indexPriceKlines: DAILY_IV,
  markPriceKlines: DAILY_IV,
  premiumIndexKlines: DAILY_IV,
  aggTrades: null,
  trades: null,
  bookTicker: null,
  bookDepth: null,
  metrics: null,
};
const FUTURES_MONTHLY = {
  klines: MONTHLY_IV,
  indexPriceKlines: MONTHLY_IV,
  markPriceKlines: MONTHLY_IV,
  premiumIndexKlines: MONTHLY_IV,
  aggTrades: null,
  trades: null,
  bookTicker: null,
  fundingRate: null,
};
const EXPECTED: Record<string, Record<string, string[] | null>> = {
  'spot/daily': { klines: ['1s', ...DAILY_IV], aggTrades: null, trades: null },
  'spot/monthly': { klines: ['1s', ...MONTHLY_IV], aggTrades: null, trades: null },
  'futures/um/daily': FUTURES_DAILY,
  'futures/um/monthly': FUTURES_MONTHLY,
  'futures/cm/daily': { ...FUTURES_DAILY, liquidationSnapshot: null },
  'futures/cm/monthly': FUTURES_MONTHLY,
  'option/daily': { BVOLIndex: null, EOHSummary: null },
};

const KEY = /^data\/(spot|futures\/um|futures\/cm|option)\/(daily|monthly)\/([A-Za-z]+)\/([^/]+)\/(?:([0-9a-z]+)\/)?\4-(?:\5|\3)-([0-9-]+)\.zip(\.CHECKSUM)?$/u;

function allKeys(space: KeySpace): string[] {
  return Array.from({ length: space.size }, (_, i) => space.keyAt(i));
}

/** Symbols, intervals and dates seen per market/frequency/type folder. */
function folders(keys: string[]): Map<string, { symbols: Set<string>; intervals: Set<string>; dates: Set<string> }> {
  const out = new Map<string, { symbols: Set<string>; intervals: Set<string>; dates: Set<string> }>();
  for (const k of keys) {
    const m = KEY.exec(k);
    if (!m) expect.fail(`not a Binance key: ${k}`);
    const f = `${m[1]}/${m[2]}/${m[3]}`;
    const e = out.get(f) ?? { symbols: new Set(), intervals: new Set(), dates: new Set() };
    e.symbols.add(m[4]!);
    if (m[5]) e.intervals.add(m[5]);
    e.dates.add(m[6]!);
    out.set(f, e);
  }
  return out;
}

describe('list-sim key space, full layout', () => {
  // Three days across a leap day and a month end: two months of monthly files.
  const space = new KeySpace({ layout: 'full', symbolCount: 5, days: 3, lastDate: '2024-03-01', nonAscii: true });
  const keys = allKeys(space);

  it('lists in strictly increasing S3 (UTF-8 byte) order, every zip with its .CHECKSUM', () => {
    for (let i = 1; i < keys.length; i++) {
      if (compareKeys(keys[i - 1]!, keys[i]!) >= 0) expect.fail(`out of order at ${i}: ${keys[i - 1]} >= ${keys[i]}`);
    }
    const zips = keys.filter((k) => k.endsWith('.zip'));
    expect(zips.length * 2).toBe(keys.length);
    expect(keys.filter((k) => k.endsWith('.zip.CHECKSUM')).map((k) => k.slice(0, -'.CHECKSUM'.length))).toEqual(zips);
    expect(space.plainKeys).toBe(false);
  });

  it("holds each market's real data types per frequency, the kline family with the real intervals", () => {
    const seen = folders(keys);
    const want = Object.entries(EXPECTED).flatMap(([mf, types]) => Object.keys(types).map((t) => `${mf}/${t}`));
    expect([...seen.keys()].sort()).toEqual(want.sort());
    for (const [mf, types] of Object.entries(EXPECTED)) {
      for (const [t, ivs] of Object.entries(types)) expect([...seen.get(`${mf}/${t}`)!.intervals].sort(), `${mf}/${t}`).toEqual([...(ivs ?? [])].sort());
    }
  });

  it('dates: daily folders hold the days ending on the last date, monthly folders the months they touch', () => {
    for (const [f, e] of folders(keys)) {
      expect([...e.dates], f).toEqual(f.includes('/daily/') ? ['2024-02-28', '2024-02-29', '2024-03-01'] : ['2024-02', '2024-03']);
    }
  });

  it('symbols: COIN-M contracts with indexPriceKlines under the bare pair, option BVOL symbols, the non-ASCII symbol in spot and USD-M', () => {
    for (const [f, e] of folders(keys)) {
      const syms = [...e.symbols];
      if (f.startsWith('futures/cm/') && f.endsWith('/indexPriceKlines')) for (const s of syms) expect(s).toMatch(/^[A-Z]+USD$/);
      else if (f.startsWith('futures/cm/')) for (const s of syms) expect(s).toMatch(/^[A-Z]+USD_PERP$/);
      else if (f === 'option/daily/BVOLIndex') for (const s of syms) expect(s).toMatch(/^[A-Z]+BVOLUSDT$/);
      else if (!f.startsWith('option/')) for (const s of syms) expect(s).toMatch(/^([A-Z]+|币安人生)USDT$/);
      expect(syms.includes('币安人生USDT'), f).toBe(f.startsWith('spot/') || f.startsWith('futures/um/'));
      expect(syms.length, f).toBe(f.startsWith('option/') ? 4 : f.startsWith('futures/cm/') ? 5 : 6);
    }
  });

  it('the key count follows from symbols × layout × days; keys caps it at the first keys in order', () => {
    // Per symbol, 2 keys (zip and .CHECKSUM) per date and interval: D days, M months.
    const perSymbol = (d: number, m: number) => ({
      spot: 2 * (d * (13 + 2) + m * (16 + 2)),
      um: 2 * (d * (4 * 12 + 5) + m * (4 * 15 + 4)),
      cm: 2 * (d * (4 * 12 + 6) + m * (4 * 15 + 4)),
      option: 2 * d * 2,
    });
    const count = (s: number, d: number, m: number, nonAscii: boolean) => {
      const p = perSymbol(d, m);
      const extra = nonAscii ? 1 : 0;
      return (s + extra) * p.spot + (s + extra) * p.um + s * p.cm + Math.min(s, 4) * p.option;
    };
    expect(space.size).toBe(count(5, 3, 2, true));
    // 365 days to 2026-11-30 start on 2025-12-01: twelve months.
    const big = new KeySpace({ layout: 'full', symbolCount: 2000, days: 365, lastDate: '2026-11-30' });
    expect(big.size).toBe(count(2000, 365, 12, false));
    const capped = new KeySpace({ layout: 'full', symbolCount: 5, days: 3, lastDate: '2024-03-01', nonAscii: true, keys: 1234 });
    expect(allKeys(capped)).toEqual(keys.slice(0, 1234));
  });

  it('seeks by binary search exactly where a linear scan lands, non-ASCII keys included', () => {
    const scan = (pred: (k: string) => boolean) => {
      const i = keys.findIndex(pred);
      return i < 0 ? keys.length : i;
    };
    const probes = [
      '',
      'data/futures/cm/daily/indexPriceKlines/',
      'data/futures/cm/daily/indexPriceKlines/AAAUSD/1h/AAAUSD-1h-2024-02-29.zip',
      'data/spot/daily/klines/币安人生USDT/',
      'data/spot/daily/klines/币安人生USDT/1s/币安人生USDT-1s-2024-02-29.zip.CHECKSUM',
      'data/spot/daily/klines/\u{1F600}',
      'data/option/daily/BVOLIndex/AAABVOLUSDT/AAABVOLUSDT-BVOLIndex-2024-03-01.zip',
      ...keys.filter((_, i) => i % 97 === 0),
      ...keys.filter((_, i) => i % 89 === 0).map((k) => k.slice(0, k.lastIndexOf('/') + 1)),
    ];
    for (const p of probes) {
      expect(space.firstAfter(p), `after ${p}`).toBe(scan((k) => compareKeys(k, p) > 0));
      expect(space.firstPastPrefix(p), `past ${p}`).toBe(scan((k) => compareKeys(k, p) > 0 && !k.startsWith(p)));
    }
    keys.forEach((k, i) => i % 13 === 0 && expect(space.indexOf(k)).toBe(i));
  });

  it('holds thousands of symbols without holding their keys: 2,000 symbols × 365 days, sampled keys ascend and seek back', () => {
    const big = new KeySpace({ layout: 'full', symbolCount: 2000, days: 365, nonAscii: true });
    expect(big.size).toBeGreaterThan(1e8);
    expect(big.dailyDates.at(-1)).toBe('2026-11-30');
    let prev = '';
    for (let i = 0; i < big.size; i += 1_000_003) {
      const k = big.keyAt(i);
      expect(compareKeys(prev, k)).toBeLessThan(0);
      expect(big.indexOf(k)).toBe(i);
      prev = k;
    }
    expect(big.keyAt(big.firstAtOrAfter('data/spot/daily/trades/币安人生USDT/'))).toBe(
      'data/spot/daily/trades/币安人生USDT/币安人生USDT-trades-2025-12-01.zip',
    );
  });
});
