/**
 * The listing simulator's keys: Binance-shaped keys, each a pure function of its index, generated
 * in S3's (UTF-8 byte) order, so memory does not grow with the key count and a seek is a binary
 * search over the index (O(log N) key constructions).
 *
 * Layout, level by level, every level sorted by its text plus the separator that follows it:
 *   data/<market>/<freq>/<type>/  <SYM>/  [<iv>/]  <SYM>-<iv|type>-<date>.zip[.CHECKSUM]
 * Every folder level ends with '/' and holds no other '/', so no entry of a level is a prefix of
 * another and the concatenation sorts level by level. The leaf names differ only by date (fixed
 * width) and the `.CHECKSUM` suffix ("X.zip" < "X.zip.CHECKSUM"). Which folders exist is the
 * layout's (layouts.ts); daily folders hold `days` dates ending on `lastDate`, monthly folders the
 * months those days touch.
 *
 * Sized by keys (`keys` alone): whole symbols in every folder, the rest spread over the folders.
 * Sized by symbols (`symbolCount`, or a `symbols` list without `keys`): every folder holds its
 * symbols' every date, and `keys`, if given, caps the space (its first keys in order).
 */
import { compareKeys } from '../../src/key-order.js';
import { LAYOUTS, NON_ASCII_SYMBOL, type LayoutName, type TemplateSpec } from './layouts.js';

interface Template {
  prefix: string;
  type: string;
  intervals: readonly string[] | null;
  dates: readonly string[];
  quote: string;
  /** Generated symbol names here (ranks 0..generated-1); ranks above that are `extra`'s. */
  generated: number;
  /** Symbols named as they are, sorting after every generated name. */
  extra: readonly string[];
  /** Keys one symbol holds here: intervals × dates × 2. */
  perSymbol: number;
}

export interface KeySpaceOptions {
  /** Keys in the space, or with `symbolCount` a cap (every bucket of a simulator lists a subset of the same space). */
  keys?: number;
  /** Generated symbols per folder (fewer in the option market); the key count follows from the layout and days. */
  symbolCount?: number;
  /** The folder templates; default 'compact'. */
  layout?: LayoutName;
  /** Daily files per folder; default 1000. */
  days?: number;
  /** The last daily date (YYYY-MM-DD); default 2026-11-30, so runs are reproducible. */
  lastDate?: string;
  /** Explicit symbol names (any text without '/'), in every folder; default generated fixed-width names. */
  symbols?: readonly string[];
  /** With `symbolCount`: add the archive's non-ASCII symbol (币安人生USDT) to the spot and USD-M folders. */
  nonAscii?: boolean;
}

export const DEFAULT_LAST_DATE = '2026-11-30';
const DAY_MS = 86_400_000;

/** `days` dates (YYYY-MM-DD) ending on `last`, and the months (YYYY-MM) they touch, both ascending. */
export function windowDates(days: number, last: string): { daily: string[]; monthly: string[] } {
  const end = Date.parse(`${last}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(last) || Number.isNaN(end)) throw new Error(`lastDate must be YYYY-MM-DD, got ${last}`);
  const daily: string[] = [];
  for (let i = days - 1; i >= 0; i--) daily.push(new Date(end - i * DAY_MS).toISOString().slice(0, 10));
  const monthly = [...new Set(daily.map((d) => d.slice(0, 7)))];
  return { daily, monthly };
}

const bySep = (a: string, b: string) => compareKeys(`${a}/`, `${b}/`);

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface Sizing {
  /** Per template: symbols generated and extra names. */
  symbols: (spec: TemplateSpec) => { generated: number; extra: readonly string[] };
  /** Per template, given its keys per symbol: the keys of its block. */
  blocks: (perSymbol: number[]) => number[];
  symbolCount: number;
}

/** Whole symbols in every template, then the remainder spread over the templates (each one's last symbol partly filled). */
function byKeys(keys: number, names: readonly string[] | undefined, days: number): Sizing {
  const sizing: Sizing = {
    symbolCount: names?.length ?? 0,
    symbols: () => (names ? { generated: 0, extra: names } : { generated: Number.MAX_SAFE_INTEGER, extra: [] }),
    blocks: (perSymbol) => {
      const all = perSymbol.reduce((a, b) => a + b, 0);
      if (names && keys > names.length * all) throw new Error(`${keys} keys need more than ${names.length} symbols at ${days} days`);
      const whole = Math.floor(keys / all);
      const rest = keys - whole * all;
      // Parts are even (a zip with its .CHECKSUM) but for an odd total's last key.
      const parts = perSymbol.map((p) => 2 * Math.floor((rest * p) / all / 2));
      for (let t = 0, left = rest - parts.reduce((a, b) => a + b, 0); left > 0; t = (t + 1) % parts.length) {
        const add = Math.min(left, 2, perSymbol[t]! - parts[t]!);
        parts[t]! += add;
        left -= add;
      }
      if (!names) sizing.symbolCount = whole + (rest > 0 ? 1 : 0);
      return perSymbol.map((p, t) => p * whole + parts[t]!);
    },
  };
  return sizing;
}

function bySymbols(count: number, names: readonly string[] | undefined, nonAscii: boolean): Sizing {
  return {
    symbolCount: names?.length ?? count,
    symbols: (spec) => {
      if (names) return { generated: 0, extra: names.slice(0, spec.maxSymbols ?? names.length) };
      return { generated: Math.min(count, spec.maxSymbols ?? count), extra: nonAscii && spec.nonAscii ? [NON_ASCII_SYMBOL] : [] };
    },
    blocks: (perSymbol) => perSymbol.map((p) => p),
  };
}

export class KeySpace {
  readonly size: number;
  /** Symbols of the largest folder (generated and named). */
  readonly symbolCount: number;
  /** Generated keys hold only [A-Za-z0-9_./-]: nothing to escape or URL-encode. */
  readonly plainKeys: boolean;
  readonly dailyDates: readonly string[];
  readonly monthlyDates: readonly string[];
  private readonly templates: Template[];
  /** First index of each template's block. */
  private readonly offsets: number[];
  private readonly symbolWidth: number;
  private lastTemplate = 0;

  constructor(opts: KeySpaceOptions) {
    const days = opts.days ?? 1000;
    if (!(days >= 1) || !Number.isSafeInteger(days)) throw new Error(`days must be a whole number >= 1, got ${days}`);
    if (opts.keys !== undefined && (!Number.isSafeInteger(opts.keys) || opts.keys < 0)) throw new Error(`keys must be a whole number >= 0, got ${opts.keys}`);
    if (opts.symbolCount !== undefined && (!Number.isSafeInteger(opts.symbolCount) || opts.symbolCount < 1)) {
      throw new Error(`symbolCount must be a whole number >= 1, got ${opts.symbolCount}`);
    }
    if (opts.symbols?.some((s) => s.includes('/') || s === '')) throw new Error('symbols must be non-empty and hold no /');
    const names = opts.symbols ? [...opts.symbols].sort(bySep) : undefined;
    const bySymbolCount = opts.symbolCount !== undefined || (names !== undefined && opts.keys === undefined);
    if (!bySymbolCount && opts.keys === undefined) throw new Error('a key space needs keys, symbolCount or symbols');
    const sizing = bySymbolCount ? bySymbols(opts.symbolCount ?? 0, names, opts.nonAscii ?? false) : byKeys(opts.keys!, names, days);
    const { daily, monthly } = windowDates(days, opts.lastDate ?? DEFAULT_LAST_DATE);
    this.dailyDates = daily;
    this.monthlyDates = monthly;
    const specs = [...LAYOUTS[opts.layout ?? 'compact']].sort((a, b) => compareKeys(prefixOf(a), prefixOf(b)));
    this.templates = specs.map((t) => {
      const intervals = t.intervals ? [...t.intervals].sort(bySep) : null;
      const dates = t.freq === 'daily' ? daily : monthly;
      const { generated, extra } = sizing.symbols(t);
      return { prefix: prefixOf(t), type: t.type, intervals, dates, quote: t.quote, generated, extra, perSymbol: (intervals?.length ?? 1) * dates.length * 2 };
    });
    const blocks = sizing.blocks(this.templates.map((t) => t.perSymbol * (bySymbolCount ? t.generated + t.extra.length : 1)));
    this.symbolCount = sizing.symbolCount + (bySymbolCount && opts.nonAscii && !names ? 1 : 0);
    const generatedMax = bySymbolCount ? Math.max(1, ...this.templates.map((t) => t.generated)) : Math.max(1, sizing.symbolCount);
    this.symbolWidth = Math.max(3, Math.ceil(Math.log(generatedMax) / Math.log(26) + 1e-9));
    this.offsets = [];
    let off = 0;
    for (const b of blocks) {
      this.offsets.push(off);
      off += b;
    }
    this.size = bySymbolCount && opts.keys !== undefined ? Math.min(opts.keys, off) : off;
    if (!Number.isSafeInteger(this.size)) throw new Error(`the space holds more than 2^53 keys`);
    this.plainKeys = this.templates.every((t) => t.extra.every((s) => /^[A-Za-z0-9_.-]+$/.test(s)));
    for (const t of this.templates) {
      if (t.generated > 0 && t.extra.length > 0 && bySep(this.symbol(t.generated - 1, t), t.extra[0]!) >= 0) {
        throw new Error(`symbol ${t.extra[0]} must sort after the generated names`);
      }
    }
  }

  /** The symbol name at rank s of a template (generated names: fixed-width letters, so their order is their rank's). */
  private symbol(s: number, t: Template): string {
    if (s >= t.generated) return t.extra[s - t.generated]!;
    let name = '';
    for (let i = 0, n = s; i < this.symbolWidth; i++, n = Math.floor(n / 26)) name = LETTERS[n % 26]! + name;
    return name + t.quote;
  }

  /** The last template whose block starts at or before i (empty blocks start where the next one does). */
  private templateOf(i: number): number {
    // A listing asks for keys in order: most calls land in the template of the call before.
    const c = this.lastTemplate;
    if (this.offsets[c]! <= i && (c + 1 === this.offsets.length || this.offsets[c + 1]! > i)) return c;
    let lo = 0;
    let hi = this.offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    this.lastTemplate = lo;
    return lo;
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
    const sym = this.symbol(s, tpl);
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

function prefixOf(t: TemplateSpec): string {
  return `data/${t.market}/${t.freq}/${t.type}/`;
}
