/**
 * The layout of Binance's public archive (data.binance.vision) as data: which markets, frequencies,
 * data types and kline intervals exist, and how COIN-M contracts name their index-price folders.
 * The selection compiler and the test archive generator both read it (facts: BINANCE.md).
 */

export const MARKETS = ['spot', 'futures/um', 'futures/cm', 'option'] as const;
export type Market = (typeof MARKETS)[number];

export const FREQUENCIES = ['daily', 'monthly'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** The data types with an interval folder: `<type>/<SYM>/<iv>/<SYM>-<iv>-<date>.zip`. */
export const KLINE_TYPES = ['klines', 'indexPriceKlines', 'markPriceKlines', 'premiumIndexKlines'] as const;

/**
 * Whether a data type has an interval folder: the kline family by its name's ending, so that a
 * kline type the archive adds later is parsed right too.
 */
export function isKlineType(dataType: string): boolean {
  return /klines$/i.test(dataType);
}

const FUTURES_COMMON = ['klines', 'aggTrades', 'trades', 'bookTicker', 'indexPriceKlines', 'markPriceKlines', 'premiumIndexKlines'] as const;

/** The data types of each market and frequency. */
export const DATA_TYPES: Readonly<Record<Market, Readonly<Record<Frequency, readonly string[]>>>> = {
  spot: { daily: ['klines', 'aggTrades', 'trades'], monthly: ['klines', 'aggTrades', 'trades'] },
  'futures/um': {
    daily: [...FUTURES_COMMON, 'bookDepth', 'metrics'],
    monthly: [...FUTURES_COMMON, 'fundingRate'],
  },
  'futures/cm': {
    daily: [...FUTURES_COMMON, 'bookDepth', 'metrics', 'liquidationSnapshot'],
    monthly: [...FUTURES_COMMON, 'fundingRate'],
  },
  option: { daily: ['BVOLIndex', 'EOHSummary'], monthly: [] },
};

/** Kline intervals of daily files in every market; spot adds `1s` (SPOT_ONLY_INTERVALS). */
export const DAILY_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d'] as const;
export const SPOT_ONLY_INTERVALS = ['1s'] as const;
/** Intervals that only monthly files have, in every market (`1mo`, not `1M`). */
export const MONTHLY_ONLY_INTERVALS = ['3d', '1w', '1mo'] as const;

/** The kline intervals files of this market and frequency come in. */
export function intervalsOf(market: Market, frequency: Frequency): readonly string[] {
  const base = market === 'spot' ? [...SPOT_ONLY_INTERVALS, ...DAILY_INTERVALS] : [...DAILY_INTERVALS];
  return frequency === 'monthly' ? [...base, ...MONTHLY_ONLY_INTERVALS] : base;
}

/** Whether `value` names a market of the archive. */
export function isMarket(value: string | undefined): value is Market {
  return (MARKETS as readonly (string | undefined)[]).includes(value);
}

/** Whether `value` names a frequency of the archive. */
export function isFrequency(value: string | undefined): value is Frequency {
  return (FREQUENCIES as readonly (string | undefined)[]).includes(value);
}

/** COIN-M contracts: a perpetual `BTCUSD_PERP` or a delivery `BTCUSD_250627` (YYMMDD). */
const COIN_M_CONTRACT = /^(.+)_(?:PERP|\d{6})$/;

/** The pair of a COIN-M contract (BTCUSD_PERP, BTCUSD_250627 → BTCUSD); any other symbol as it is. */
export function pairOf(symbol: string): string {
  return COIN_M_CONTRACT.exec(symbol)?.[1] ?? symbol;
}

/** Whether this market's data type names its folders by pair, not by contract: COIN-M indexPriceKlines (BTCUSD, not BTCUSD_PERP). */
export function namedByPair(market: string | undefined, dataType: string | undefined): boolean {
  return market === 'futures/cm' && dataType === 'indexPriceKlines';
}

/** The symbol folder that holds `symbol`'s files of this market and data type. */
export function symbolFolderOf(market: string | undefined, dataType: string | undefined, symbol: string): string {
  return namedByPair(market, dataType) ? pairOf(symbol) : symbol;
}
