import { describe, expect, it } from 'vitest';
import { compileSelection, parseBinanceKey, parseKeyDate, syncConfigSchema, type SyncConfigInput } from '../../../src/config/index.js';

type SelectionInput = NonNullable<SyncConfigInput['selection']>;

function compile(selection: SelectionInput, extra: Partial<SyncConfigInput> = {}) {
  return compileSelection(syncConfigSchema.parse({ destination_bucket: 'bkt', ...extra, selection }));
}

describe('selection prefixes', () => {
  it.each<[string, SelectionInput, string[]]>([
    ['no filters', {}, ['data/']],
    [
      'spot daily klines for two symbols at 1m',
      {
        markets: ['spot'],
        frequencies: ['daily'],
        data_types: ['klines'],
        symbols: ['BTCUSDT', 'ETHUSDT'],
        intervals: ['1m'],
      },
      ['data/spot/daily/klines/BTCUSDT/1m/', 'data/spot/daily/klines/ETHUSDT/1m/'],
    ],
    [
      'a non-kline type has no interval folder',
      {
        markets: ['spot'],
        frequencies: ['daily'],
        data_types: ['trades'],
        symbols: ['BTCUSDT'],
        intervals: ['1m'],
      },
      ['data/spot/daily/trades/BTCUSDT/'],
    ],
    [
      'kline and non-kline types together',
      {
        markets: ['futures/um'],
        frequencies: ['monthly'],
        data_types: ['markPriceKlines', 'fundingRate'],
        symbols: ['BTCUSDT'],
        intervals: ['1h', '1d'],
      },
      [
        'data/futures/um/monthly/fundingRate/BTCUSDT/',
        'data/futures/um/monthly/markPriceKlines/BTCUSDT/1d/',
        'data/futures/um/monthly/markPriceKlines/BTCUSDT/1h/',
      ],
    ],
    [
      'option layout',
      {
        markets: ['option'],
        frequencies: ['daily'],
        data_types: ['BVOLIndex', 'EOHSummary'],
        symbols: ['BTCBVOLUSDT'],
      },
      ['data/option/daily/BVOLIndex/BTCBVOLUSDT/', 'data/option/daily/EOHSummary/BTCBVOLUSDT/'],
    ],
    ['markets only', { markets: ['spot', 'futures/um'] }, ['data/futures/um/', 'data/spot/']],
    [
      'frequency only expands to every known market',
      { frequencies: ['monthly'] },
      ['data/futures/cm/monthly/', 'data/futures/um/monthly/', 'data/option/monthly/', 'data/spot/monthly/'],
    ],
    [
      'data type without market or frequency expands both',
      { markets: ['futures/cm'], data_types: ['aggTrades'] },
      ['data/futures/cm/daily/aggTrades/', 'data/futures/cm/monthly/aggTrades/'],
    ],
    [
      "symbols without data types expand to the layout's data types",
      { markets: ['spot'], symbols: ['BTCUSDT'] },
      [
        'data/spot/daily/aggTrades/BTCUSDT/',
        'data/spot/daily/klines/BTCUSDT/',
        'data/spot/daily/trades/BTCUSDT/',
        'data/spot/monthly/aggTrades/BTCUSDT/',
        'data/spot/monthly/klines/BTCUSDT/',
        'data/spot/monthly/trades/BTCUSDT/',
      ],
    ],
    ['intervals without data types expand to the kline family', { markets: ['spot'], frequencies: ['daily'], intervals: ['1s'] }, ['data/spot/daily/klines/']],
    [
      'data types and intervals without symbols stop at the data type',
      { markets: ['spot'], frequencies: ['daily'], data_types: ['klines'], intervals: ['1m'] },
      ['data/spot/daily/klines/'],
    ],
    [
      'explicit prefixes as given',
      { prefixes: ['spot/daily/klines/BTCUSDT/', 'futures/um/monthly/'] },
      ['data/futures/um/monthly/', 'data/spot/daily/klines/BTCUSDT/'],
    ],
    ['explicit prefixes covered by another are dropped', { prefixes: ['spot/daily/', 'spot/', 'spot/monthly/x'] }, ['data/spot/']],
    ['explicit prefix narrowed by filters', { prefixes: ['spot/'], data_types: ['klines'] }, ['data/spot/daily/klines/', 'data/spot/monthly/klines/']],
    ['explicit prefix narrower than the filters', { prefixes: ['spot/daily/klines/BTCUSDT/1m/'], markets: ['spot'] }, ['data/spot/daily/klines/BTCUSDT/1m/']],
    [
      'explicit partial-name prefix intersected with filters',
      {
        prefixes: ['spot/daily/klines/BTC'],
        markets: ['spot'],
        frequencies: ['daily'],
        data_types: ['klines'],
        symbols: ['BTCUSDT', 'ETHUSDT'],
      },
      ['data/spot/daily/klines/BTCUSDT/'],
    ],
    ['explicit prefix outside the filters leaves nothing', { prefixes: ['futures/'], markets: ['spot'] }, []],
  ])('%s', (_name, selection, expected) => {
    expect(compile(selection).prefixes).toEqual(expected);
  });

  it('honours a custom or empty source prefix', () => {
    expect(compile({ markets: ['spot'] }, { source_prefix: 'mirror/data' }).prefixes).toEqual(['mirror/data/spot/']);
    expect(compile({ markets: ['spot'] }, { source_prefix: '' }).prefixes).toEqual(['spot/']);
    expect(compile({}, { source_prefix: '' }).prefixes).toEqual(['']);
  });

  it('never returns overlapping or unsorted prefixes over many combinations', () => {
    const pick = <T>(xs: readonly T[], mask: number) => xs.filter((_, i) => mask & (1 << i));
    const markets = ['spot', 'futures/um', 'futures/cm', 'option'] as const;
    const explicit = ['', 'spot/', 'spot/daily/klines/', 'futures/', 'futures/um/daily/klines/BTC', 'option/daily/'];
    let checked = 0;
    for (let m = 0; m < 16; m += 3) {
      for (let f = 0; f < 4; f++) {
        for (let t = 0; t < 4; t++) {
          for (let s = 0; s < 4; s++) {
            for (let e = 0; e < explicit.length; e++) {
              const c = compile({
                markets: pick(markets, m),
                frequencies: pick(['daily', 'monthly'] as const, f),
                data_types: pick(['klines', 'trades'], t),
                symbols: pick(['BTCUSDT', 'ETHUSDT'], s),
                intervals: t & 1 ? ['1m', '1h'] : [],
                prefixes: explicit[e] ? [explicit[e]!, 'spot/daily/'] : [],
              });
              const p = c.prefixes;
              expect([...p].sort()).toEqual(p);
              for (const a of p) {
                expect(a.startsWith('data/')).toBe(true);
                for (const b of p) if (a !== b) expect(b.startsWith(a), `${b} inside ${a}`).toBe(false);
              }
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('selection matches', () => {
  const kline = (sym: string, iv: string, date: string, freq = 'daily') => `data/spot/${freq}/klines/${sym}/${iv}/${sym}-${iv}-${date}.zip`;

  it('keeps everything under the source prefix when nothing is set', () => {
    const c = compile({});
    expect(c.matches(kline('BTCUSDT', '1m', '2024-01-01'))).toBe(true);
    expect(c.matches('data/whatever/file.txt')).toBe(true);
    expect(c.matches('other/spot/x.zip')).toBe(false);
  });

  it('applies folder filters that the prefixes could not express', () => {
    const c = compile({ markets: ['spot'], symbols: ['BTCUSDT'], intervals: ['1m'] });
    expect(c.matches(kline('BTCUSDT', '1m', '2024-01-01'))).toBe(true);
    expect(c.matches(kline('ETHUSDT', '1m', '2024-01-01'))).toBe(false);
    expect(c.matches(kline('BTCUSDT', '1h', '2024-01-01'))).toBe(false);
    // --interval without --data-type keeps the kline family only.
    expect(c.matches('data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip')).toBe(false);
    expect(c.matches('data/spot/daily/trades/ETHUSDT/ETHUSDT-trades-2024-01-01.zip')).toBe(false);
    expect(c.matches('data/futures/um/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip')).toBe(false);
    expect(c.matches('data/spot/daily/BTCUSDT')).toBe(false);
  });

  it('parses futures markets as two folders', () => {
    const c = compile({ markets: ['futures/cm'], data_types: ['fundingRate'] });
    const cm = 'data/futures/cm/monthly/fundingRate/BTCUSD_PERP/BTCUSD_PERP-fundingRate-2024-01.zip';
    expect(c.matches(cm)).toBe(true);
    expect(c.matches('data/futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-01.zip')).toBe(false);
    expect(parseBinanceKey('futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.zip')).toEqual({
      market: 'futures/um',
      frequency: 'daily',
      dataType: 'klines',
      symbol: 'BTCUSDT',
      interval: '1m',
    });
    expect(parseBinanceKey('option/daily/BVOLIndex/BTCBVOLUSDT/BTCBVOLUSDT-BVOLIndex-2024-01-01.zip')).toEqual({
      market: 'option',
      frequency: 'daily',
      dataType: 'BVOLIndex',
      symbol: 'BTCBVOLUSDT',
    });
  });

  it('keys outside explicit prefixes do not match', () => {
    const c = compile({ prefixes: ['spot/daily/klines/BTCUSDT/'] });
    expect(c.matches(kline('BTCUSDT', '1m', '2024-01-01'))).toBe(true);
    expect(c.matches(kline('ETHUSDT', '1m', '2024-01-01'))).toBe(false);
  });

  it('applies include and exclude globs relative to source_prefix', () => {
    const c = compile({ include: ['spot/**/*USDT-1m-*.zip', 'spot/**/BNB*'], exclude: ['**/*-2024-01-02.zip'] });
    expect(c.matches(kline('BTCUSDT', '1m', '2024-01-01'))).toBe(true);
    expect(c.matches(kline('BTCUSDT', '1h', '2024-01-01'))).toBe(false);
    expect(c.matches(kline('BNBBTC', '1h', '2024-01-01'))).toBe(true);
    expect(c.matches(kline('BTCUSDT', '1m', '2024-01-02'))).toBe(false);
    const braces = compile({ include: ['**/{BTC,ETH}USDT-1m-*.zip'] });
    expect(braces.matches(kline('ETHUSDT', '1m', '2024-01-01'))).toBe(true);
    expect(braces.matches(kline('BNBUSDT', '1m', '2024-01-01'))).toBe(false);
  });

  it('a .CHECKSUM companion matches exactly when its zip does', () => {
    const selections: SelectionInput[] = [
      { include: ['**/BTCUSDT-*.zip'] },
      { exclude: ['**/*-2024-01-02.zip'] },
      { date_from: '2024-01-02' },
      { date_to: '2024-01-01', symbols: ['BTCUSDT'] },
      { prefixes: ['spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.zip'] },
    ];
    const zips = [kline('BTCUSDT', '1m', '2024-01-01'), kline('BTCUSDT', '1m', '2024-01-02'), kline('ETHUSDT', '1m', '2024-01-01')];
    let agreed = 0;
    for (const sel of selections) {
      const c = compile(sel);
      const seen = new Set<boolean>();
      for (const zip of zips) {
        seen.add(c.matches(zip));
        expect(c.matches(`${zip}.CHECKSUM`), `${JSON.stringify(sel)} ${zip}`).toBe(c.matches(zip));
        agreed++;
      }
      expect(seen.size, JSON.stringify(sel)).toBe(2);
    }
    expect(agreed).toBe(15);
  });
});

describe('selection date range', () => {
  const f = (date: string) => `data/spot/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-${date}.zip`;

  it('parses padded and unpadded file dates', () => {
    expect(parseKeyDate(f('2024-01-02'))).toEqual({ year: 2024, month: 1, day: 2 });
    expect(parseKeyDate(f('2024-01'))).toEqual({ year: 2024, month: 1, day: undefined });
    expect(parseKeyDate(f('2020-8'))).toEqual({ year: 2020, month: 8, day: undefined });
    expect(parseKeyDate(f('2020-8-3'))).toEqual({ year: 2020, month: 8, day: 3 });
    expect(parseKeyDate(`${f('2020-8-3')}.CHECKSUM`)).toEqual({ year: 2020, month: 8, day: 3 });
    expect(parseKeyDate('data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-31.zip')).toEqual({
      year: 2024,
      month: 1,
      day: 31,
    });
    expect(parseKeyDate('data/spot/README.txt')).toBeUndefined();
    expect(parseKeyDate(f('2024-13-01'))).toBeUndefined();
    expect(parseKeyDate(f('2024-02-30'))).toBeUndefined();
  });

  it('keeps daily files inside the range, bounds included', () => {
    const c = compile({ date_from: '2024-01-10', date_to: '2024-01-20' });
    expect(c.matches(f('2024-01-09'))).toBe(false);
    expect(c.matches(f('2024-01-10'))).toBe(true);
    expect(c.matches(f('2024-01-20'))).toBe(true);
    expect(c.matches(f('2024-01-21'))).toBe(false);
    expect(c.matches(f('2023-12-15'))).toBe(false);
  });

  it('month bounds cover the whole month', () => {
    const c = compile({ date_from: '2024-01', date_to: '2024-02' });
    expect(c.matches(f('2023-12-31'))).toBe(false);
    expect(c.matches(f('2024-01-01'))).toBe(true);
    expect(c.matches(f('2024-02-29'))).toBe(true);
    expect(c.matches(f('2024-03-01'))).toBe(false);
  });

  it('keeps a monthly file when its month overlaps the range', () => {
    const c = compile({ date_from: '2024-01-15', date_to: '2024-03-05' });
    expect(c.matches(f('2023-12'))).toBe(false);
    expect(c.matches(f('2024-01'))).toBe(true);
    expect(c.matches(f('2024-03'))).toBe(true);
    expect(c.matches(f('2024-04'))).toBe(false);
  });

  it('compares unpadded dates numerically, not as text', () => {
    const c = compile({ date_from: '2020-08-15', date_to: '2020-10' });
    expect(c.matches(f('2020-8-3'))).toBe(false);
    expect(c.matches(f('2020-8-20'))).toBe(true);
    expect(c.matches(f('2020-9'))).toBe(true);
    expect(c.matches(f('2020-10-31'))).toBe(true);
    expect(c.matches(f('2020-11-1'))).toBe(false);
    const upTo = compile({ date_to: '2020-09' });
    expect(upTo.matches(f('2020-8'))).toBe(true);
    expect(upTo.matches(f('2020-10'))).toBe(false);
    expect(upTo.matches(`${f('2020-10')}.CHECKSUM`)).toBe(false);
    expect(upTo.matches(`${f('2020-8-31')}.CHECKSUM`)).toBe(true);
  });

  it('open-ended ranges', () => {
    const from = compile({ date_from: '2024-06' });
    expect(from.matches(f('2024-05-31'))).toBe(false);
    expect(from.matches(f('2030-01-01'))).toBe(true);
    const to = compile({ date_to: '2019-12-31' });
    expect(to.matches(f('2017-08-17'))).toBe(true);
    expect(to.matches(f('2020-01-01'))).toBe(false);
  });

  it('keeps undated keys without a range and drops them with one', () => {
    expect(compile({}).matches('data/spot/daily/aggTrades/BTCUSDT/notes.txt')).toBe(true);
    expect(compile({ date_from: '2020-01' }).matches('data/spot/daily/aggTrades/BTCUSDT/notes.txt')).toBe(false);
  });
});

describe('selection describe', () => {
  it('names the source, prefixes, filters and dates', () => {
    const d = compile({
      markets: ['spot'],
      frequencies: ['daily'],
      data_types: ['klines'],
      symbols: ['BTCUSDT'],
      intervals: ['1m'],
      exclude: ['**/*.csv'],
      date_from: '2024-01',
    }).describe();
    expect(d).toContain('s3://data.binance.vision/data/');
    expect(d).toContain('1 prefix [data/spot/daily/klines/BTCUSDT/1m/]');
    expect(d).toContain('symbols BTCUSDT');
    expect(d).toContain('exclude **/*.csv');
    expect(d).toContain('dates 2024-01..*');
    expect(compile({ prefixes: ['futures/'], markets: ['spot'] }).describe()).toContain('no prefix left');
  });
});
