/**
 * The folder templates of the listing simulator's key space: one per data/<market>/<freq>/<type>/.
 * `full` is the real archive's layout (BINANCE.md): every market's data types per frequency, the
 * kline family with its real intervals, COIN-M contracts with indexPriceKlines under the bare pair,
 * option BVOLIndex/EOHSummary. `compact` is the small layout the planning bench and the listing
 * tests were written against (ten folders, a few intervals).
 */
export type LayoutName = 'full' | 'compact';

export const LAYOUT_NAMES: readonly LayoutName[] = ['full', 'compact'];

export interface TemplateSpec {
  market: string;
  freq: 'daily' | 'monthly';
  type: string;
  /** The interval folders of a kline-family type. */
  intervals?: readonly string[];
  /** Appended to a generated symbol name (COIN-M contracts are BTCUSD_PERP, their index BTCUSD). */
  quote: string;
  /** At most this many symbols here when the space is sized by symbols (the option market has a few). */
  maxSymbols?: number;
  /** Holds the non-ASCII symbol when one is asked for (spot and USD-M). */
  nonAscii?: boolean;
}

/** The symbol the real archive has that is not ASCII (BINANCE.md). */
export const NON_ASCII_SYMBOL = '币安人生USDT';

const DAILY_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d'];
const MONTHLY_ONLY = ['3d', '1w', '1mo'];
const SPOT_DAILY = ['1s', ...DAILY_INTERVALS];
const SPOT_MONTHLY = [...SPOT_DAILY, ...MONTHLY_ONLY];
const FUTURES_DAILY = DAILY_INTERVALS;
const FUTURES_MONTHLY = [...DAILY_INTERVALS, ...MONTHLY_ONLY];
const KLINE_FAMILY = ['klines', 'indexPriceKlines', 'markPriceKlines', 'premiumIndexKlines'];

function futures(market: 'futures/um' | 'futures/cm'): TemplateSpec[] {
  const cm = market === 'futures/cm';
  const contract = cm ? 'USD_PERP' : 'USDT';
  const nonAscii = !cm;
  const daily = ['aggTrades', 'trades', 'bookTicker', 'bookDepth', 'metrics', ...(cm ? ['liquidationSnapshot'] : [])];
  const monthly = ['aggTrades', 'trades', 'bookTicker', 'fundingRate'];
  const kline = (freq: 'daily' | 'monthly', type: string): TemplateSpec => ({
    market,
    freq,
    type,
    intervals: freq === 'daily' ? FUTURES_DAILY : FUTURES_MONTHLY,
    // COIN-M's index price is the pair's, not a contract's.
    quote: cm && type === 'indexPriceKlines' ? 'USD' : contract,
    nonAscii,
  });
  return [
    ...KLINE_FAMILY.map((t) => kline('daily', t)),
    ...daily.map((type): TemplateSpec => ({ market, freq: 'daily', type, quote: contract, nonAscii })),
    ...KLINE_FAMILY.map((t) => kline('monthly', t)),
    ...monthly.map((type): TemplateSpec => ({ market, freq: 'monthly', type, quote: contract, nonAscii })),
  ];
}

const FULL: readonly TemplateSpec[] = [
  { market: 'spot', freq: 'daily', type: 'klines', intervals: SPOT_DAILY, quote: 'USDT', nonAscii: true },
  { market: 'spot', freq: 'daily', type: 'aggTrades', quote: 'USDT', nonAscii: true },
  { market: 'spot', freq: 'daily', type: 'trades', quote: 'USDT', nonAscii: true },
  { market: 'spot', freq: 'monthly', type: 'klines', intervals: SPOT_MONTHLY, quote: 'USDT', nonAscii: true },
  { market: 'spot', freq: 'monthly', type: 'aggTrades', quote: 'USDT', nonAscii: true },
  { market: 'spot', freq: 'monthly', type: 'trades', quote: 'USDT', nonAscii: true },
  ...futures('futures/um'),
  ...futures('futures/cm'),
  { market: 'option', freq: 'daily', type: 'BVOLIndex', quote: 'BVOLUSDT', maxSymbols: 4 },
  { market: 'option', freq: 'daily', type: 'EOHSummary', quote: 'USDT', maxSymbols: 4 },
];

const COMPACT_DAILY = ['1m', '1h', '1d'];
const COMPACT_MONTHLY = ['1m', '1h', '1d', '1w', '1mo'];
const COMPACT: readonly TemplateSpec[] = [
  { market: 'spot', freq: 'daily', type: 'klines', intervals: COMPACT_DAILY, quote: 'USDT' },
  { market: 'spot', freq: 'daily', type: 'aggTrades', quote: 'USDT' },
  { market: 'spot', freq: 'daily', type: 'trades', quote: 'USDT' },
  { market: 'spot', freq: 'monthly', type: 'klines', intervals: COMPACT_MONTHLY, quote: 'USDT' },
  { market: 'futures/um', freq: 'daily', type: 'klines', intervals: ['1m', '1h'], quote: 'USDT' },
  { market: 'futures/um', freq: 'daily', type: 'bookDepth', quote: 'USDT' },
  { market: 'futures/um', freq: 'daily', type: 'metrics', quote: 'USDT' },
  { market: 'futures/um', freq: 'monthly', type: 'fundingRate', quote: 'USDT' },
  { market: 'futures/cm', freq: 'daily', type: 'klines', intervals: ['1m', '1h'], quote: 'USD_PERP' },
  { market: 'futures/cm', freq: 'daily', type: 'liquidationSnapshot', quote: 'USD_PERP' },
];

export const LAYOUTS: Record<LayoutName, readonly TemplateSpec[]> = { full: FULL, compact: COMPACT };
