/**
 * The listing simulator's keys: N Binance-shaped keys, each a pure function of its index, generated
 * in S3's (UTF-8 byte) order, so memory does not grow with N and a seek is a binary search over
 * the index (O(log N) key constructions).
 *
 * Layout, level by level, every level sorted by its text plus the separator that follows it:
 *   data/<market>/<freq>/<type>/  <SYM>/  [<iv>/]  <SYM>-<iv|type>-<date>.zip[.CHECKSUM]
 * Every folder level ends with '/' and holds no other '/', so no entry of a level is a prefix of
 * another and the concatenation sorts level by level. The leaf names differ only by date (fixed
 * width) and the `.CHECKSUM` suffix ("X.zip" < "X.zip.CHECKSUM").
 */
import { compareKeys } from '../../src/storage/keys.js';

interface Template {
  prefix: string;
  type: string;
  intervals: readonly string[] | null;
  dates: readonly string[];
  /** Market-specific symbol suffix (COIN-M contracts are BTCUSD_PERP). */
  quote: string;
  /** Keys one symbol holds here: intervals × dates × 2. */
  perSymbol: number;
}

export interface KeySpaceOptions {
  /** Keys in the space (every bucket of a simulator lists a subset of the same space). */
  keys: number;
  /** Daily files per folder (monthly folders hold ceil(days / 30)); default 1000. */
  days?: number;
  /** Explicit symbol names (any text without '/'); default generated fixed-width names, as many as N needs. */
  symbols?: readonly string[];
}

const KLINE_DAILY = ['1m', '1h', '1d'];
const KLINE_MONTHLY = ['1m', '1h', '1d', '1w', '1mo'];
const TEMPLATES: readonly { market: string; freq: 'daily' | 'monthly'; type: string; intervals?: readonly string[]; quote: string }[] = [
  { market: 'spot', freq: 'daily', type: 'klines', intervals: KLINE_DAILY, quote: 'USDT' },
  { market: 'spot', freq: 'daily', type: 'aggTrades', quote: 'USDT' },
  { market: 'spot', freq: 'daily', type: 'trades', quote: 'USDT' },
  { market: 'spot', freq: 'monthly', type: 'klines', intervals: KLINE_MONTHLY, quote: 'USDT' },
  { market: 'futures/um', freq: 'daily', type: 'klines', intervals: ['1m', '1h'], quote: 'USDT' },
  { market: 'futures/um', freq: 'daily', type: 'bookDepth', quote: 'USDT' },
  { market: 'futures/um', freq: 'daily', type: 'metrics', quote: 'USDT' },
  { market: 'futures/um', freq: 'monthly', type: 'fundingRate', quote: 'USDT' },
  { market: 'futures/cm', freq: 'daily', type: 'klines', intervals: ['1m', '1h'], quote: 'USD_PERP' },
  { market: 'futures/cm', freq: 'daily', type: 'liquidationSnapshot', quote: 'USD_PERP' },
];

const bySep = (a: string, b: string) => compareKeys(`${a}/`, `${b}/`);

function dailyDates(n: number): string[] {
  const out: string[] = [];
  const start = Date.UTC(2019, 0, 1);
  for (let i = 0; i < n; i++) out.push(new Date(start + i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

function monthlyDates(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${2017 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  return out;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class KeySpace {
  readonly size: number;
  readonly symbolCount: number;
  /** Generated keys hold only [A-Za-z0-9_./-]: nothing to escape or URL-encode. */
  readonly plainKeys: boolean;
  private readonly templates: Template[];
  /** First index of each template's block. */
  private readonly offsets: number[];
  private readonly symbols: readonly string[] | null;
  private readonly symbolWidth: number;

  constructor(opts: KeySpaceOptions) {
    if (!Number.isSafeInteger(opts.keys) || opts.keys < 0) throw new Error(`keys must be a whole number >= 0, got ${opts.keys}`);
    const days = opts.days ?? 1000;
    if (!(days >= 1)) throw new Error(`days must be >= 1, got ${days}`);
    const daily = dailyDates(days);
    const monthly = monthlyDates(Math.max(1, Math.ceil(days / 30)));
    this.templates = TEMPLATES.map((t) => {
      const intervals = t.intervals ? [...t.intervals].sort(bySep) : null;
      const dates = t.freq === 'daily' ? daily : monthly;
      const prefix = `data/${t.market}/${t.freq}/${t.type}/`;
      return { prefix, type: t.type, intervals, dates, quote: t.quote, perSymbol: (intervals?.length ?? 1) * dates.length * 2 };
    }).sort((a, b) => compareKeys(a.prefix, b.prefix));
    const perSymbol = this.templates.reduce((s, t) => s + t.perSymbol, 0);
    this.plainKeys = !opts.symbols;
    if (opts.symbols) {
      if (opts.symbols.some((s) => s.includes('/') || s === '')) throw new Error('symbols must be non-empty and hold no /');
      this.symbols = [...opts.symbols].sort(bySep);
      this.symbolCount = this.symbols.length;
      if (opts.keys > this.symbolCount * perSymbol) throw new Error(`${opts.keys} keys need more than ${this.symbolCount} symbols at ${days} days`);
    } else {
      this.symbols = null;
      this.symbolCount = 0;
    }
    // Whole symbols in every template, then the remainder spread over the templates (each one's
    // last symbol partly filled), so a small space still holds every kind of folder.
    const whole = Math.floor(opts.keys / perSymbol);
    const rest = opts.keys - whole * perSymbol;
    // Parts are even (a zip with its .CHECKSUM) but for an odd total's last key.
    const parts = this.templates.map((t) => 2 * Math.floor((rest * t.perSymbol) / perSymbol / 2));
    for (let t = 0, left = rest - parts.reduce((a, b) => a + b, 0); left > 0; t = (t + 1) % parts.length) {
      const add = Math.min(left, 2, this.templates[t]!.perSymbol - parts[t]!);
      parts[t]! += add;
      left -= add;
    }
    if (!this.symbols) this.symbolCount = whole + (rest > 0 ? 1 : 0);
    this.symbolWidth = Math.max(3, Math.ceil(Math.log(Math.max(1, this.symbolCount)) / Math.log(26) + 1e-9));
    this.size = opts.keys;
    this.offsets = [];
    let off = 0;
    this.templates.forEach((t, i) => {
      this.offsets.push(off);
      off += t.perSymbol * whole + parts[i]!;
    });
  }

  /** The symbol name at rank s (generated names: fixed-width letters, so their order is their rank's). */
  symbol(s: number, quote: string): string {
    if (this.symbols) return this.symbols[s]!;
    let name = '';
    for (let i = 0, n = s; i < this.symbolWidth; i++, n = Math.floor(n / 26)) name = LETTERS[n % 26]! + name;
    return name + quote;
  }

  private templateOf(i: number): number {
    let t = this.offsets.length - 1;
    while (this.offsets[t]! > i) t--;
    return t;
  }

  /** The key at index i (0 <= i < size). */
  keyAt(i: number): string {
    const t = this.templateOf(i);
    const tpl = this.templates[t]!;
    const r = i - this.offsets[t]!;
    const s = Math.floor(r / tpl.perSymbol);
    const r2 = r - s * tpl.perSymbol;
    const perInterval = tpl.dates.length * 2;
    const iv = Math.floor(r2 / perInterval);
    const r3 = r2 - iv * perInterval;
    const sym = this.symbol(s, tpl.quote);
    const date = tpl.dates[r3 >> 1]!;
    const tail = r3 & 1 ? '.zip.CHECKSUM' : '.zip';
    if (tpl.intervals) {
      const ivName = tpl.intervals[iv]!;
      return tpl.prefix + sym + '/' + ivName + '/' + sym + '-' + ivName + '-' + date + tail;
    }
    return tpl.prefix + sym + '/' + sym + '-' + tpl.type + '-' + date + tail;
  }

  /** The first index whose key is > `marker` (size when none). */
  firstAfter(marker: string): number {
    return this.search((k) => compareKeys(k, marker) > 0);
  }

  /** The first index whose key is >= `key` (size when none). */
  firstAtOrAfter(key: string): number {
    return this.search((k) => compareKeys(k, key) >= 0);
  }

  /** The first index past every key that starts with `prefix` and is >= it (size when none). */
  firstPastPrefix(prefix: string): number {
    return this.search((k) => compareKeys(k, prefix) > 0 && !k.startsWith(prefix));
  }

  /** The index of `key`, or -1. */
  indexOf(key: string): number {
    const i = this.firstAtOrAfter(key);
    return i < this.size && this.keyAt(i) === key ? i : -1;
  }

  /** Binary search for the first index where `pred` (monotonic: false… then true…) holds. */
  private search(pred: (key: string) => boolean): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (pred(this.keyAt(mid))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
