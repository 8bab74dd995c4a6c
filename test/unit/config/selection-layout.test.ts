import { describe, expect, it } from 'vitest';
import { DATA_TYPES, FREQUENCIES, intervalsOf, KLINE_TYPES, MARKETS, pairOf, type Frequency, type Market } from '../../../src/config/binance-layout.js';
import { syncConfigSchema, type SyncConfigInput } from '../../../src/config/schema.js';
import { reducePrefixes } from '../../../src/config/selection-prefixes.js';
import { compileSelection, type CompiledSelection, type FolderStep } from '../../../src/config/selection.js';
import { compareKeys } from '../../../src/key-order.js';

type SelectionInput = NonNullable<SyncConfigInput['selection']>;

const NOW = new Date('2024-01-17T05:00:00Z');

function compile(selection: SelectionInput, sourcePrefix = 'data/'): CompiledSelection {
  return compileSelection(syncConfigSchema.parse({ destination_bucket: 'bkt', source_prefix: sourcePrefix, selection }), { now: NOW });
}

const isKline = (t: string) => (KLINE_TYPES as readonly string[]).includes(t);

function symbolOf(market: Market, type: string): string {
  if (market === 'futures/cm') return type === 'indexPriceKlines' ? 'BTCUSD' : 'BTCUSD_PERP';
  if (market === 'option') return type === 'BVOLIndex' ? 'BTCBVOLUSDT' : 'BTCUSDT';
  return 'BTCUSDT';
}

function keyOf(market: string, freq: string, type: string, sym: string, date: string, iv?: string): string {
  return iv === undefined ? `${market}/${freq}/${type}/${sym}/${sym}-${type}-${date}.zip` : `${market}/${freq}/${type}/${sym}/${iv}/${sym}-${iv}-${date}.zip`;
}

/** One real key shape per market × frequency × data type (kline types with an interval), relative to data/. */
const SHAPES: Array<{ market: Market; freq: Frequency; type: string; key: string }> = MARKETS.flatMap((market) =>
  FREQUENCIES.flatMap((freq) =>
    DATA_TYPES[market][freq].map((type) => {
      const date = freq === 'daily' ? '2024-01-15' : '2024-01';
      const iv = isKline(type) ? (freq === 'daily' ? '1h' : '1mo') : undefined;
      return { market, freq, type, key: keyOf(market, freq, type, symbolOf(market, type), date, iv) };
    }),
  ),
);

/** The odd cases of the real archive. */
const ODD = {
  spot1s: 'spot/daily/klines/BTCUSDT/1s/BTCUSDT-1s-2024-01-15.zip',
  checksum: 'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-15.zip.CHECKSUM',
  cmDelivery: 'futures/cm/daily/klines/BTCUSD_250627/1m/BTCUSD_250627-1m-2024-01-15.zip',
  cmPerpPremium: 'futures/cm/daily/premiumIndexKlines/BTCUSD_PERP/1m/BTCUSD_PERP-1m-2024-01-15.zip',
  cmIndex: 'futures/cm/daily/indexPriceKlines/BTCUSD/1m/BTCUSD-1m-2024-01-15.zip',
  cmLiquidation: 'futures/cm/daily/liquidationSnapshot/BTCUSD_PERP/BTCUSD_PERP-liquidationSnapshot-2024-01-15.zip',
  optionBvol: 'option/daily/BVOLIndex/BTCBVOLUSDT/BTCBVOLUSDT-BVOLIndex-2024-01-15.zip',
  optionEoh: 'option/daily/EOHSummary/BTCUSDT/BTCUSDT-EOHSummary-2024-01-15.zip',
  nonAscii: 'spot/daily/klines/币安人生USDT/1d/币安人生USDT-1d-2024-01-15.zip',
  unpadded: 'spot/monthly/klines/ADABKRW/1d/ADABKRW-1d-2020-8.zip',
  padded: 'spot/monthly/klines/ADABKRW/1d/ADABKRW-1d-2020-12.zip',
  umFunding: 'futures/um/monthly/fundingRate/BTCUSDT/BTCUSDT-fundingRate-2024-01.zip',
};

describe('the layout table', () => {
  it('has one key shape per market, frequency and data type', () => {
    expect(SHAPES.map((s) => `${s.market}/${s.freq}/${s.type}`)).toHaveLength(3 + 3 + 9 + 8 + 10 + 8 + 2);
    expect(DATA_TYPES.option.monthly).toEqual([]);
    expect(DATA_TYPES['futures/um'].monthly).toContain('fundingRate');
    expect(DATA_TYPES['futures/um'].monthly).not.toContain('bookDepth');
    expect(DATA_TYPES['futures/cm'].daily).toContain('liquidationSnapshot');
    expect(DATA_TYPES['futures/um'].daily).not.toContain('liquidationSnapshot');
  });

  it('knows the intervals of each market and frequency', () => {
    expect(intervalsOf('spot', 'daily')).toEqual(['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d']);
    expect(intervalsOf('futures/um', 'daily')).not.toContain('1s');
    expect(intervalsOf('futures/cm', 'monthly').slice(-3)).toEqual(['3d', '1w', '1mo']);
    expect(intervalsOf('spot', 'monthly')).toHaveLength(16);
  });

  it('names a COIN-M contract by its pair', () => {
    expect(pairOf('BTCUSD_PERP')).toBe('BTCUSD');
    expect(pairOf('BTCUSD_250627')).toBe('BTCUSD');
    expect(pairOf('BTCUSD')).toBe('BTCUSD');
    expect(pairOf('BTCUSDT')).toBe('BTCUSDT');
  });
});

/** Every key shape and odd case, in several symbols and dates (padded, unpadded), with .CHECKSUM companions, plus keys off the layout. */
function keyspace(): string[] {
  const keys: string[] = Object.values(ODD);
  for (const s of SHAPES) {
    const syms = [symbolOf(s.market, s.type), s.market === 'futures/cm' ? 'ETHUSD_PERP' : 'ETHUSDT', '币安人生USDT'];
    if (s.market === 'futures/cm' && s.type !== 'indexPriceKlines') syms.push('BTCUSD_250627');
    const dates =
      s.freq === 'daily'
        ? ['2020-8-3', '2020-12-31', '2024-01-13', '2024-01-14', '2024-01-16', '2024-1-5']
        : ['2020-8', '2020-12', '2023-12', '2024-01', '2024-1'];
    const ivs = isKline(s.type) ? intervalsOf(s.market, s.freq).filter((iv) => ['1s', '1m', '1h', '1mo'].includes(iv)) : [undefined];
    for (const sym of syms) for (const d of dates) for (const iv of ivs) keys.push(keyOf(s.market, s.freq, s.type, sym, d, iv));
  }
  keys.push(
    'index.html',
    'spot/index.html',
    'spot/daily/notes-2024-01-14.txt',
    'spot/daily/klines/BTCUSDT/stray-2024-01-14.zip',
    'spot/daily/klines/BTCUSDT/BTCUSDT-1m-2024-01-14.zip',
    'spot/daily/klines/BTCUSDT/1m/sub/BTCUSDT-1m-2024-01-14.zip',
    'spot/daily/klines/BTCUSDT/1m/ETHUSDT-1m-2024-01-14.zip',
    'spot/daily/newType/BTCUSDT/BTCUSDT-newType-2024-01-14.zip',
    'spot/weekly/klines/BTCUSDT/1w/BTCUSDT-1w-2024-01-14.zip',
    'foo/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-14.zip',
    'futures/xm/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-14.zip',
    'futures/README-2024-01-14.txt',
  );
  return [...keys, ...keys.filter((k) => k.endsWith('.zip')).map((k) => `${k}.CHECKSUM`)];
}

const KEYS = keyspace();

/**
 * Walks folderStep from `start` toward `key` the way a listing would, and says why the key would
 * not be listed: skipped, missing from the children, cut by startAfter/endBefore, or (byGroup)
 * listed in a unit larger than its group.
 */
function missedBy(c: CompiledSelection, start: string, key: string, byGroup: boolean): string | undefined {
  let folder = start;
  for (let i = 0; i < 12; i++) {
    const step: FolderStep = c.folderStep(folder, { byGroup });
    const slash = key.indexOf('/', folder.length);
    if (step.kind === 'skip') return `skipped at ${folder}`;
    if (step.kind === 'list') {
      if (step.startAfter !== undefined && compareKeys(key, step.startAfter) <= 0) return `before startAfter ${step.startAfter}`;
      if (step.endBefore !== undefined && compareKeys(key, step.endBefore) >= 0) return `at/after endBefore ${step.endBefore}`;
      if (byGroup && !folder.startsWith(c.groupOf(key))) return `unit ${folder} wider than group ${c.groupOf(key)}`;
      return undefined;
    }
    // An object lying directly in the folder: a discovery lists it, named children leave it out.
    if (slash < 0) return step.kind === 'discover' ? undefined : `left out by children at ${folder}`;
    if (step.kind === 'children' && !step.names.includes(key.slice(folder.length, slash))) return `not among children ${step.names.join(',')} at ${folder}`;
    folder = key.slice(0, slash + 1);
  }
  return 'no end';
}

/** Every key matches() selects is listed, from the prefix it lies under and from the source prefix itself; the misses. */
function listingMisses(c: CompiledSelection, base: string, keys: readonly string[], byGroup: boolean): { selected: number; misses: string[] } {
  let selected = 0;
  const misses: string[] = [];
  const prefixes = c.prefixes.map((p) => p.slice(base.length));
  for (const full of keys) {
    if (!c.matches(full)) continue;
    selected++;
    const key = full.slice(base.length);
    const start = prefixes.find((p) => key.startsWith(p));
    const why = start === undefined ? 'under no prefix' : (missedBy(c, start, key, byGroup) ?? missedBy(c, '', key, byGroup));
    if (why !== undefined) misses.push(`${c.describe()}: ${key}: ${why}`);
  }
  return { selected, misses };
}

/** The n-th of all combinations of the choices (mixed radix). */
function combination<T extends Record<string, readonly unknown[]>>(choices: T, n: number): { [K in keyof T]: T[K][number] } {
  const out: Record<string, unknown> = {};
  let rest = n;
  for (const [name, values] of Object.entries(choices)) {
    out[name] = values[rest % values.length];
    rest = Math.floor(rest / values.length);
  }
  return out as { [K in keyof T]: T[K][number] };
}

describe('matches() and folderStep agree', () => {
  const choices = {
    markets: [[], ['spot'], ['futures/cm'], ['futures/um', 'option']],
    frequencies: [[], ['daily'], ['monthly']],
    data_types: [[], ['klines'], ['trades', 'indexPriceKlines'], ['BVOLIndex']],
    symbols: [[], ['btcusdt'], ['BTCUSD_PERP'], ['币安人生usdt', 'ETHUSDT']],
    intervals: [[], ['1m'], ['1h', '1mo'], ['1s']],
    dates: [
      {},
      { date_from: '2024-01-14' },
      { date_from: '-3d', date_to: '-1d' },
      { date_to: '2020-09' },
      { date_from: '2020-08-15', date_to: '2020-12' },
      { date_from: '2024-01' },
    ],
    prefixes: [[], ['spot/daily/klines/BTC'], ['futures/']],
    byGroup: [false, true],
  } as const;
  const total = Object.values(choices).reduce((n, v) => n * v.length, 1);

  it.each([
    ['data/', KEYS.map((k) => `data/${k}`).concat('index.html')],
    ['', KEYS.map((k) => `data/${k}`).concat('index.html')],
    ['', KEYS],
  ])('every selected key lies in a listed unit, after startAfter and before endBefore (source prefix %j)', (base, keys) => {
    let selected = 0;
    let selections = 0;
    // A stride prime to the number of combinations visits a spread-out sample of them.
    for (let n = 0; n < total; n += 61) {
      const { dates, byGroup, ...lists } = combination(choices, n);
      const selection = { ...lists, ...dates } as unknown as SelectionInput;
      const run = listingMisses(compile(selection, base), base, keys, byGroup);
      expect(run.misses.slice(0, 3)).toEqual([]);
      selected += run.selected;
      selections++;
    }
    expect(selections).toBeGreaterThan(300);
    expect(selected).toBeGreaterThan(base === 'data/' || keys === KEYS ? 5000 : 100);
  });
});

/** The keys of KEYS (under data/) a selection picks, in byte order. */
function selectedKeys(c: CompiledSelection, among: readonly string[] = KEYS): string[] {
  return among.filter((k) => c.matches(`data/${k}`)).sort(compareKeys);
}

describe('each key shape on its own', () => {
  const symbolFlag = (m: Market) => (m === 'futures/cm' ? 'bTcUsD_perp' : m === 'option' ? undefined : 'btcusdt');

  it.each(SHAPES.map((s) => [s.key, s] as const))('%s: one prefix, one key, bounded by a one-day window', (key, s) => {
    const iv = isKline(s.type) ? key.split('/').at(-2)! : undefined;
    const sym = key.split('/')[s.market.startsWith('futures/') ? 4 : 3]!;
    const flag = symbolFlag(s.market) ?? sym;
    const c = compile({
      markets: [s.market],
      frequencies: [s.freq],
      data_types: [s.type],
      symbols: [flag],
      ...(iv ? { intervals: [iv] } : {}),
      date_from: '2024-01-15',
      date_to: '2024-01-15',
    });
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    expect(c.prefixes).toEqual([`data/${folder}`]);
    expect(
      selectedKeys(
        c,
        SHAPES.map((x) => x.key),
      ),
    ).toEqual([key]);
    expect(c.matches(`data/${key}.CHECKSUM`)).toBe(true);
    const step = c.folderStep(folder);
    const stem = `${folder}${sym}-${iv ?? s.type}-`;
    expect(step).toEqual({ kind: 'list', startAfter: `${stem}${s.freq === 'daily' ? '2024-01-15' : '2024-01'}`, endBefore: `${stem}2025` });
    expect(c.groupOf(key)).toBe(
      folder
        .split('/')
        .slice(0, s.market.startsWith('futures/') ? 5 : 4)
        .join('/') + '/',
    );
    // The day before is out, for daily files; a monthly file's whole month overlaps the day.
    const before = key.replace(s.freq === 'daily' ? '2024-01-15' : '2024-01', s.freq === 'daily' ? '2024-01-14' : '2023-12');
    expect(c.matches(`data/${before}`)).toBe(false);
  });
});

describe('the selections of issue 11', () => {
  it('--symbol btcusdt selects BTCUSDT in every market, one prefix per known data type, never a whole market', () => {
    const c = compile({ symbols: ['btcusdt'] });
    expect(c.matches(`data/${ODD.spot1s}`)).toBe(true);
    expect(c.matches(`data/${ODD.checksum}`)).toBe(true);
    expect(c.matches(`data/${ODD.umFunding}`)).toBe(true);
    expect(c.matches(`data/${ODD.optionEoh}`)).toBe(true);
    expect(c.matches('data/spot/daily/klines/ETHUSDT/1m/ETHUSDT-1m-2024-01-14.zip')).toBe(false);
    // A data type the layout does not know is not listed, so not selected either.
    expect(c.matches('data/spot/daily/newType/BTCUSDT/BTCUSDT-newType-2024-01-14.zip')).toBe(false);
    const expected = MARKETS.flatMap((m) => FREQUENCIES.flatMap((f) => DATA_TYPES[m][f].map((t) => `data/${m}/${f}/${t}/BTCUSDT/`)));
    expect(c.prefixes).toEqual([...expected].sort(compareKeys));
    expect(c.prefixes).toHaveLength(43);
    expect(c.prefixes).toContain('data/spot/daily/klines/BTCUSDT/');
    expect(c.prefixes).toContain('data/spot/daily/aggTrades/BTCUSDT/');
    expect(c.folderStep('spot/daily/klines/BTCUSDT/')).toEqual({ kind: 'list' });
    expect(c.describe()).toContain('43 prefixes [data/futures/cm/daily/aggTrades/BTCUSDT/, ');
    expect(c.describe()).toContain(', ... 31 more]');
  });

  it('upper-cases ASCII letters only: 币安人生usdt selects 币安人生USDT', () => {
    const c = compile({ markets: ['spot'], frequencies: ['daily'], data_types: ['klines'], symbols: ['币安人生usdt'] });
    expect(c.prefixes).toEqual(['data/spot/daily/klines/币安人生USDT/']);
    expect(c.matches(`data/${ODD.nonAscii}`)).toBe(true);
    expect(c.describe()).toContain('symbols 币安人生USDT');
  });

  it('--market futures/cm --symbol BTCUSD_PERP also selects indexPriceKlines under the pair BTCUSD', () => {
    const c = compile({ markets: ['futures/cm'], symbols: ['BTCUSD_PERP'] });
    expect(c.prefixes).toContain('data/futures/cm/daily/indexPriceKlines/BTCUSD/');
    expect(c.prefixes).toContain('data/futures/cm/monthly/indexPriceKlines/BTCUSD/');
    expect(c.prefixes).not.toContain('data/futures/cm/daily/indexPriceKlines/BTCUSD_PERP/');
    expect(c.prefixes).toContain('data/futures/cm/daily/premiumIndexKlines/BTCUSD_PERP/');
    expect(c.prefixes).toContain('data/futures/cm/daily/liquidationSnapshot/BTCUSD_PERP/');
    expect(c.prefixes).toHaveLength(DATA_TYPES['futures/cm'].daily.length + DATA_TYPES['futures/cm'].monthly.length);
    for (const k of [ODD.cmIndex, ODD.cmPerpPremium, ODD.cmLiquidation]) expect(c.matches(`data/${k}`), k).toBe(true);
    expect(c.matches(`data/${ODD.cmDelivery}`)).toBe(false);
    expect(c.matches('data/futures/um/daily/indexPriceKlines/BTCUSD/1m/BTCUSD-1m-2024-01-14.zip')).toBe(false);
    // A delivery contract maps to the same pair.
    const delivery = compile({ markets: ['futures/cm'], data_types: ['indexPriceKlines', 'klines'], symbols: ['BTCUSD_250627'] });
    expect(delivery.prefixes).toEqual([
      'data/futures/cm/daily/indexPriceKlines/BTCUSD/',
      'data/futures/cm/daily/klines/BTCUSD_250627/',
      'data/futures/cm/monthly/indexPriceKlines/BTCUSD/',
      'data/futures/cm/monthly/klines/BTCUSD_250627/',
    ]);
    expect(delivery.matches(`data/${ODD.cmDelivery}`)).toBe(true);
  });

  it('--interval without --data-type selects the kline family only', () => {
    const c = compile({ markets: ['futures/um'], intervals: ['1h'] });
    expect(c.prefixes).toEqual(
      ['daily', 'monthly'].flatMap((f) => ['indexPriceKlines', 'klines', 'markPriceKlines', 'premiumIndexKlines'].map((t) => `data/futures/um/${f}/${t}/`)),
    );
    const um = SHAPES.filter((s) => s.market === 'futures/um');
    for (const s of um) expect(c.matches(`data/${s.key}`), s.key).toBe(isKline(s.type) && s.freq === 'daily');
    expect(c.matches('data/futures/um/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2024-01.zip')).toBe(true);
    expect(c.folderStep('futures/um/daily/klines/')).toEqual({ kind: 'discover' });
    expect(c.folderStep('futures/um/daily/klines/BTCUSDT/')).toEqual({ kind: 'children', names: ['1h'] });
    expect(c.folderStep('futures/um/daily/klines/BTCUSDT/1h/')).toEqual({ kind: 'list' });
    expect(c.folderStep('futures/um/daily/trades/')).toEqual({ kind: 'skip' });
    expect(c.folderStep('futures/um/daily/', { byGroup: true })).toEqual({
      kind: 'children',
      names: ['indexPriceKlines', 'klines', 'markPriceKlines', 'premiumIndexKlines'],
    });
    expect(c.folderStep('futures/cm/')).toEqual({ kind: 'skip' });
    expect(c.folderStep('')).toEqual({ kind: 'children', names: ['futures'] });
    expect(c.folderStep('futures/')).toEqual({ kind: 'children', names: ['um'] });
    expect(c.folderStep('futures/um/')).toEqual({ kind: 'children', names: ['daily', 'monthly'] });
  });

  it('--interval looks only where the layout has that interval (1s: spot; 3d, 1w, 1mo: monthly)', () => {
    const weekly = compile({ intervals: ['1w'] });
    expect(weekly.prefixes.every((p) => p.includes('/monthly/'))).toBe(true);
    expect(weekly.prefixes).toHaveLength(1 + 4 + 4);
    expect(weekly.matches('data/spot/monthly/klines/BTCUSDT/1w/BTCUSDT-1w-2024-01.zip')).toBe(true);
    expect(weekly.matches('data/spot/daily/klines/BTCUSDT/1w/BTCUSDT-1w-2024-01-14.zip')).toBe(false);
    const second = compile({ intervals: ['1s', '1m'], symbols: ['BTCUSDT'], markets: ['spot', 'futures/um'], frequencies: ['daily'] });
    expect(second.prefixes).toContain('data/spot/daily/klines/BTCUSDT/1s/');
    expect(second.prefixes).toContain('data/futures/um/daily/klines/BTCUSDT/1m/');
    expect(second.prefixes).not.toContain('data/futures/um/daily/klines/BTCUSDT/1s/');
    const typed = compile({ markets: ['futures/um'], data_types: ['klines', 'trades'], intervals: ['1s'] });
    expect(typed.prefixes).toEqual(['data/futures/um/daily/trades/', 'data/futures/um/monthly/trades/']);
    expect(typed.folderStep('futures/um/daily/klines/')).toEqual({ kind: 'skip' });
  });

  it('with data types given, --interval filters only the kline types', () => {
    const c = compile({ markets: ['spot'], frequencies: ['daily'], data_types: ['klines', 'trades'], intervals: ['1s'] });
    expect(c.prefixes).toEqual(['data/spot/daily/klines/', 'data/spot/daily/trades/']);
    expect(c.matches(`data/${ODD.spot1s}`)).toBe(true);
    expect(c.matches('data/spot/daily/trades/ETHUSDT/ETHUSDT-trades-2024-01-14.zip')).toBe(true);
    expect(c.matches('data/spot/daily/klines/ETHUSDT/1m/ETHUSDT-1m-2024-01-14.zip')).toBe(false);
    expect(c.folderStep('spot/daily/klines/')).toEqual({ kind: 'discover' });
    expect(c.folderStep('spot/daily/klines/ETHUSDT/')).toEqual({ kind: 'children', names: ['1s'] });
    expect(c.folderStep('spot/daily/trades/')).toEqual({ kind: 'list' });
  });

  it('option: BVOLIndex and EOHSummary, daily only', () => {
    const c = compile({ markets: ['option'], symbols: ['BTCBVOLUSDT'] });
    expect(c.prefixes).toEqual(['data/option/daily/BVOLIndex/BTCBVOLUSDT/', 'data/option/daily/EOHSummary/BTCBVOLUSDT/']);
    expect(c.matches(`data/${ODD.optionBvol}`)).toBe(true);
    expect(c.matches(`data/${ODD.optionEoh}`)).toBe(false);
  });

  it('a whole market is listed whole when nothing narrows it', () => {
    const c = compile({ markets: ['spot'] });
    expect(c.prefixes).toEqual(['data/spot/']);
    expect(c.folderStep('spot/')).toEqual({ kind: 'list' });
    expect(compile({}).folderStep('')).toEqual({ kind: 'list' });
  });
});

describe('date windows narrow each leaf folder', () => {
  it('a daily folder starts after <SYM>-<iv>-<from day> and ends before <SYM>-<iv>-<to year + 1>', () => {
    const c = compile({ markets: ['spot'], data_types: ['klines'], symbols: ['BTCUSDT'], intervals: ['1m'], date_from: '2024-01-14', date_to: '2024-01-16' });
    expect(c.prefixes).toEqual(['data/spot/daily/klines/BTCUSDT/1m/', 'data/spot/monthly/klines/BTCUSDT/1m/']);
    expect(c.folderStep('spot/daily/klines/BTCUSDT/1m/')).toEqual({
      kind: 'list',
      startAfter: 'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-14',
      endBefore: 'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025',
    });
    // A monthly file is in when its month overlaps the window: the bound is the month.
    expect(c.folderStep('spot/monthly/klines/BTCUSDT/1m/')).toEqual({
      kind: 'list',
      startAfter: 'spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01',
      endBefore: 'spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2025',
    });
    expect(c.matches('data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01.zip')).toBe(true);
    expect(c.matches('data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2023-12.zip')).toBe(false);
  });

  it('non-kline folders use the data type in the name; COIN-M indexPriceKlines the pair', () => {
    const c = compile({ markets: ['futures/cm'], frequencies: ['daily'], symbols: ['BTCUSD_PERP'], date_from: '2024-01' });
    expect(c.folderStep('futures/cm/daily/liquidationSnapshot/BTCUSD_PERP/')).toEqual({
      kind: 'list',
      startAfter: 'futures/cm/daily/liquidationSnapshot/BTCUSD_PERP/BTCUSD_PERP-liquidationSnapshot-2024-01-01',
    });
    expect(c.folderStep('futures/cm/daily/indexPriceKlines/BTCUSD/')).toEqual({ kind: 'discover' });
    expect(c.folderStep('futures/cm/daily/indexPriceKlines/BTCUSD/1m/')).toEqual({
      kind: 'list',
      startAfter: 'futures/cm/daily/indexPriceKlines/BTCUSD/1m/BTCUSD-1m-2024-01-01',
    });
    expect(c.matches(`data/${ODD.cmIndex}`)).toBe(true);
  });

  it('unpadded old names (ADABKRW-1d-2020-8.zip sorts after ...-2020-12.zip) stay inside the bounds', () => {
    const c = compile({ date_from: '2020-08-15', date_to: '2020-09' });
    const step = c.folderStep('spot/monthly/klines/ADABKRW/1d/');
    expect(step).toEqual({
      kind: 'list',
      startAfter: 'spot/monthly/klines/ADABKRW/1d/ADABKRW-1d-2020-08',
      endBefore: 'spot/monthly/klines/ADABKRW/1d/ADABKRW-1d-2021',
    });
    expect(compareKeys(ODD.unpadded, ODD.padded)).toBeGreaterThan(0);
    expect(c.matches(`data/${ODD.unpadded}`)).toBe(true);
    expect(c.matches(`data/${ODD.padded}`)).toBe(false);
    if (step.kind !== 'list') throw new Error('expected a list');
    expect(compareKeys(ODD.unpadded, step.startAfter!)).toBeGreaterThan(0);
    expect(compareKeys(ODD.unpadded, step.endBefore!)).toBeLessThan(0);
  });

  it('only dates: discovers every daily level down to the leaf folders; monthly folders and folders off the layout are listed whole', () => {
    const c = compile({ date_from: '2024-01-14' });
    expect(c.prefixes).toEqual(['data/']);
    for (const f of ['', 'spot/', 'futures/', 'futures/um/', 'futures/um/daily/', 'futures/um/daily/klines/', 'futures/um/daily/klines/BTCUSDT/']) {
      expect(c.folderStep(f), f).toEqual({ kind: 'discover' });
    }
    expect(c.folderStep('futures/um/daily/trades/BTCUSDT/')).toEqual({
      kind: 'list',
      startAfter: 'futures/um/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-14',
    });
    expect(c.folderStep('option/daily/BVOLIndex/BTCBVOLUSDT/')).toEqual({
      kind: 'list',
      startAfter: 'option/daily/BVOLIndex/BTCBVOLUSDT/BTCBVOLUSDT-BVOLIndex-2024-01-14',
    });
    expect(c.folderStep('foo/')).toEqual({ kind: 'list' });
    expect(c.folderStep('spot/weekly/')).toEqual({ kind: 'list' });
    // Monthly leaf folders are small: the dates filter a listing of the whole frequency folder, or of a group's.
    expect(c.folderStep('spot/monthly/')).toEqual({ kind: 'list' });
    expect(c.folderStep('futures/cm/monthly/')).toEqual({ kind: 'list' });
    expect(c.folderStep('spot/monthly/', { byGroup: true })).toEqual({ kind: 'discover' });
    expect(c.folderStep('spot/monthly/klines/BTCUSDT/', { byGroup: true })).toEqual({ kind: 'list' });
    // In a leaf folder only <SYM>-<tag>-<date> names are dated: the bounds rely on it.
    expect(c.matches('data/spot/daily/klines/BTCUSDT/1m/ETHUSDT-1m-2024-01-15.zip')).toBe(false);
    expect(c.matches('data/spot/daily/klines/BTCUSDT/1m/sub/BTCUSDT-1m-2024-01-15.zip')).toBe(false);
    expect(c.matches('data/foo/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-15.zip')).toBe(true);
  });

  it('keys outside data/ and index.html', () => {
    for (const base of ['data/', '']) {
      const c = compile({ date_from: '2024-01-14' }, base);
      expect(c.matches('index.html')).toBe(false);
      expect(compile({}, base).matches('index.html')).toBe(base === '');
      expect(compile({ markets: ['spot'] }, base).matches('index.html')).toBe(false);
    }
    const root = compile({ markets: ['spot'] }, '');
    expect(root.prefixes).toEqual(['spot/']);
    expect(root.folderStep('')).toEqual({ kind: 'children', names: ['spot'] });
    expect(root.folderStep('data/')).toEqual({ kind: 'skip' });
  });
});

describe('relative dates', () => {
  it('--market spot --data-type trades --symbol btcusdt --date-from -3d picks exactly the window', () => {
    const c = compile({ markets: ['spot'], data_types: ['trades'], symbols: ['btcusdt'], date_from: '-3d' });
    const zips = [
      'spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-14.zip',
      'spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-16.zip',
      'spot/monthly/trades/BTCUSDT/BTCUSDT-trades-2024-01.zip',
      'spot/monthly/trades/BTCUSDT/BTCUSDT-trades-2024-1.zip',
    ];
    expect(selectedKeys(c)).toEqual(zips.flatMap((z) => [z, `${z}.CHECKSUM`]).sort(compareKeys));
  });

  it('-Nd counts back from now (UTC); describe() shows both', () => {
    const c = compile({ markets: ['spot'], data_types: ['trades'], date_from: '-3d', date_to: '-0d' });
    expect(c.folderStep('spot/daily/trades/BTCUSDT/')).toEqual({
      kind: 'list',
      startAfter: 'spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-14',
      endBefore: 'spot/daily/trades/BTCUSDT/BTCUSDT-trades-2025',
    });
    expect(c.describe()).toContain('dates 2024-01-14 (-3d)..2024-01-17 (-0d)');
    expect(c.matches('data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-13.zip')).toBe(false);
    expect(c.matches('data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-14.zip')).toBe(true);
    expect(c.matches('data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01.zip')).toBe(true);
    const yearEnd = compileSelection(syncConfigSchema.parse({ destination_bucket: 'bkt', selection: { date_from: '-1d' } }), {
      now: new Date('2025-01-01T00:00:00Z'),
    });
    expect(yearEnd.describe()).toContain('dates 2024-12-31 (-1d)..*');
  });

  it('refuses a window that is empty once resolved (exit 2)', () => {
    const config = syncConfigSchema.parse({ destination_bucket: 'bkt', selection: { date_from: '2024-01-16', date_to: '-2d' } });
    expect(() => compileSelection(config, { now: new Date('2024-01-19T00:00:00Z') })).not.toThrow();
    let err: unknown;
    try {
      compileSelection(config, { now: NOW });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ exitCode: 2 });
    expect(String((err as Error).message)).toContain('-2d, that is 2024-01-15');
  });
});

describe('key order', () => {
  it("sorts prefixes in S3's UTF-8 byte order, and finds a key's prefix in it", () => {
    // UTF-16 puts the surrogate pair of 😀 (U+1F600) before ！ (U+FF01); UTF-8 puts it after.
    expect(reducePrefixes(['x/😀/', 'x/！/', 'x/币/', 'x/！/a/'])).toEqual(['x/币/', 'x/！/', 'x/😀/']);
    const c = compile({ markets: ['spot'], frequencies: ['daily'], data_types: ['trades'], symbols: ['😀usdt', '！usdt', '币usdt', 'ausdt'] });
    expect(c.prefixes).toEqual([...c.prefixes].sort(compareKeys));
    for (const sym of ['😀USDT', '！USDT', '币USDT', 'AUSDT']) {
      expect(c.matches(`data/spot/daily/trades/${sym}/${sym}-trades-2024-01-14.zip`), sym).toBe(true);
      expect(c.matches(`data/spot/daily/trades/${sym}X/${sym}X-trades-2024-01-14.zip`), sym).toBe(false);
    }
  });
});

describe('groupOf: the symbol folder', () => {
  it.each([
    ['spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-14.zip', 'spot/daily/klines/BTCUSDT/'],
    ['futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-14.zip', 'futures/um/daily/klines/BTCUSDT/'],
    ['futures/cm/monthly/fundingRate/BTCUSD_PERP/BTCUSD_PERP-fundingRate-2024-01.zip', 'futures/cm/monthly/fundingRate/BTCUSD_PERP/'],
    ['option/daily/BVOLIndex/BTCBVOLUSDT/BTCBVOLUSDT-BVOLIndex-2024-01-14.zip', 'option/daily/BVOLIndex/BTCBVOLUSDT/'],
    ['spot/daily/klines/币安人生USDT/1d/币安人生USDT-1d-2024-01-15.zip', 'spot/daily/klines/币安人生USDT/'],
    ['futures/um/daily/klines/BTCUSDT/1m/', 'futures/um/daily/klines/BTCUSDT/'],
    ['futures/um/daily/klines/BTCUSDT/', 'futures/um/daily/klines/BTCUSDT/'],
    ['futures/um/daily/klines/', 'futures/um/daily/klines/'],
    ['spot/daily/notes.txt', 'spot/daily/'],
    ['futures/README.txt', 'futures/'],
    ['index.html', ''],
  ])('%s → %s', (rel, group) => {
    expect(compile({}).groupOf(rel)).toBe(group);
  });
});
