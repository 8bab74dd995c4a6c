/**
 * The listing prefixes of a selection: the folder filters expanded over the archive's layout
 * (markets, frequencies, data types, symbol folders, intervals), intersected with explicit
 * prefixes, and kept in S3's key order so that a key's prefix is found by binary search.
 */
import {
  DATA_TYPES,
  FREQUENCIES,
  intervalsOf,
  isFrequency,
  isKlineType,
  isMarket,
  MARKETS,
  symbolFolderOf,
  type Frequency,
  type Market,
} from './binance-layout.js';
import type { SyncConfig } from './schema.js';
import { compareKeys } from '../key-order.js';

export type Selection = SyncConfig['selection'];

/** Sorted, deduplicated, and without any prefix that another one already covers. */
export function reducePrefixes(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort(compareKeys);
  const out: string[] = [];
  for (const p of sorted) {
    // In byte order a covering prefix sorts right before the prefixes it covers.
    const last = out[out.length - 1];
    if (last !== undefined && p.startsWith(last)) continue;
    out.push(p);
  }
  return out;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareKeys);
}

/** The data types a market and frequency is listed for: the explicit ones, else the layout's (the kline family only under --interval). */
function dataTypesOf(sel: Selection, market: Market, frequency: Frequency): readonly string[] {
  if (sel.data_types.length) return sel.data_types;
  const known = DATA_TYPES[market][frequency];
  return sel.intervals.length ? known.filter(isKlineType) : known;
}

/**
 * The selected intervals that files of this market and frequency come in (1s: spot only; 3d, 1w,
 * 1mo: monthly only), so that `--interval 1w` lists no daily folder; all selected ones on a path
 * off the layout.
 */
export function intervalsIn(sel: Selection, market: string | undefined, frequency: string | undefined): readonly string[] {
  if (!isMarket(market) || !isFrequency(frequency)) return sel.intervals;
  const known = intervalsOf(market, frequency);
  return sel.intervals.filter((i) => known.includes(i));
}

/**
 * Relative prefixes as narrow as the folder filters allow. A level is expanded while a deeper
 * filter is set: markets, frequencies and (from the layout table) data types have known values;
 * symbols without a filter cannot be enumerated, so expansion stops there.
 */
function filterPrefixes(sel: Selection): string[] {
  const levels = [sel.markets, sel.frequencies, sel.data_types, sel.symbols, sel.intervals];
  const deeper = (level: number) => levels.slice(level).some((l) => l.length > 0);
  if (!deeper(0)) return [''];
  const markets = sel.markets.length ? sel.markets : MARKETS;
  if (!deeper(1)) return markets.map((m) => `${m}/`);
  const out: string[] = [];
  for (const m of markets) {
    for (const f of sel.frequencies.length ? sel.frequencies : FREQUENCIES) {
      if (!deeper(2)) out.push(`${m}/${f}/`);
      else for (const t of dataTypesOf(sel, m, f)) out.push(...typePrefixes(sel, `${m}/${f}/${t}/`, m, f, t));
    }
  }
  return out;
}

function typePrefixes(sel: Selection, typePath: string, market: Market, frequency: Frequency, type: string): string[] {
  const intervals = sel.intervals.length && isKlineType(type) ? intervalsIn(sel, market, frequency) : undefined;
  if (intervals?.length === 0) return [];
  if (sel.symbols.length === 0) return [typePath];
  const symbols = sortedUnique(sel.symbols.map((s) => symbolFolderOf(market, type, s)));
  return symbols.flatMap((s) => (intervals ? intervals.map((i) => `${typePath}${s}/${i}/`) : [`${typePath}${s}/`]));
}

function intersect(explicit: readonly string[], filtered: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of explicit) {
    for (const f of filtered) {
      if (p.startsWith(f)) out.push(p);
      else if (f.startsWith(p)) out.push(f);
    }
  }
  return out;
}

/** The index of the first of `sorted` (byte order) after `rel`. */
function firstAfter(sorted: readonly string[], rel: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!, rel) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The prefix of `sorted` (byte order, none inside another) that `rel` lies under, if any. */
export function coveringPrefix(sorted: readonly string[], rel: string): string | undefined {
  // The covering prefix is the greatest one not after rel: any prefix between it and rel would lie inside it.
  const p = sorted[firstAfter(sorted, rel) - 1];
  return p !== undefined && rel.startsWith(p) ? p : undefined;
}

/** The prefixes of `sorted` that lie strictly inside the folder `rel`. */
export function prefixesInside(sorted: readonly string[], rel: string): string[] {
  const out: string[] = [];
  for (let i = firstAfter(sorted, rel); i < sorted.length && sorted[i]!.startsWith(rel); i++) out.push(sorted[i]!);
  return out;
}

/** The selection's listing prefixes relative to source_prefix: the explicit ones narrowed by the folder filters, in byte order, none inside another. */
export function selectionPrefixes(sel: Selection): string[] {
  return reducePrefixes(intersect(sel.prefixes.length ? sel.prefixes : [''], filterPrefixes(sel)));
}
