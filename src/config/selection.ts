import picomatch from 'picomatch';
import { dateEnd, dateStart, FREQUENCIES, MARKETS, parseConfigDate, parseDateParts, type ParsedDate, type SyncConfig } from './schema.js';

export interface CompiledSelection {
  /** Full key prefixes to list in the source bucket: sorted, none inside another. */
  prefixes: string[];
  /** Whether a listed source key is selected. */
  matches(key: string): boolean;
  /** One line for logs and the report. */
  describe(): string;
  /** How the listing treats the folder `rel` (relative to source_prefix, ending in '/'; '' is source_prefix itself). */
  folderStep(rel: string, o?: FolderStepOptions): FolderStep;
  /** The listing group of a relative key: shards and per-prefix concurrency groups are made of groups. */
  groupOf(rel: string): string;
}

/** How the listing treats one folder of the source. */
export type FolderStep =
  /**
   * List every key under the folder. `startAfter`: only keys after this relative key (ListObjectsV2
   * StartAfter); `endBefore`: stop at the first key at or after this relative key.
   */
  | { kind: 'list'; startAfter?: string; endBefore?: string }
  /** Go on into these child folders (names without '/'), known without a request. */
  | { kind: 'children'; names: string[] }
  /** Go on into the child folders one delimiter listing finds, each judged again; objects lying directly in the folder are listed too. */
  | { kind: 'discover' }
  /** Nothing under the folder is selected. */
  | { kind: 'skip' };

export interface FolderStepOptions {
  /** Split at least down to the group level (each group its own listing unit), as a sharded run needs. */
  byGroup?: boolean;
}

const CHECKSUM_SUFFIX = '.CHECKSUM';

/** klines, indexPriceKlines, markPriceKlines, premiumIndexKlines: the types with an interval folder. */
export function isKlineType(dataType: string): boolean {
  return /klines$/i.test(dataType);
}

const FILE_DATE_RE = /-(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:\.[A-Za-z0-9]+)+$/;

/**
 * The date in an archive file name (`...-2024-01-02.zip`, `...-2024-01.zip`, also unpadded
 * `...-2020-8.zip` / `...-2020-8-3.zip`, and their `.CHECKSUM` companions); undefined if none.
 */
export function parseKeyDate(key: string): ParsedDate | undefined {
  const name = stripChecksum(key.slice(key.lastIndexOf('/') + 1));
  const m = FILE_DATE_RE.exec(name);
  return m ? parseDateParts(m[1]!, m[2]!, m[3]) : undefined;
}

function stripChecksum(key: string): string {
  return key.endsWith(CHECKSUM_SUFFIX) ? key.slice(0, -CHECKSUM_SUFFIX.length) : key;
}

export interface BinanceKeyParts {
  market?: string;
  frequency?: string;
  dataType?: string;
  symbol?: string;
  interval?: string;
}

/** Folder components of a key relative to source_prefix, following the archive layout (see BINANCE.md). */
export function parseBinanceKey(rel: string): BinanceKeyParts {
  const dirs = rel.split('/').slice(0, -1);
  const futures = dirs[0] === 'futures';
  const at = futures ? 2 : 1;
  const parts: BinanceKeyParts = {};
  const market = futures ? (dirs[1] === undefined ? undefined : `futures/${dirs[1]}`) : dirs[0];
  if (market !== undefined) parts.market = market;
  if (dirs[at] !== undefined) parts.frequency = dirs[at];
  if (dirs[at + 1] !== undefined) parts.dataType = dirs[at + 1];
  if (dirs[at + 2] !== undefined) parts.symbol = dirs[at + 2];
  if (parts.dataType !== undefined && isKlineType(parts.dataType) && dirs[at + 3] !== undefined) {
    parts.interval = dirs[at + 3];
  }
  return parts;
}

type Selection = SyncConfig['selection'];

/**
 * Relative prefixes as narrow as the folder filters allow. A level is expanded while a deeper
 * filter is set: markets and frequencies have known values, so an empty filter there expands to
 * all of them; data types and symbols cannot be enumerated, so expansion stops at an empty one.
 */
function filterPrefixes(sel: Selection): string[] {
  const levels = [sel.markets, sel.frequencies, sel.data_types, sel.symbols, sel.intervals];
  const deeper = (level: number) => levels.slice(level).some((l) => l.length > 0);
  if (!deeper(0)) return [''];
  const cross = <T extends { path: string }>(acc: T[], values: readonly string[]) => acc.flatMap((a) => values.map((v) => ({ ...a, path: `${a.path}${v}/` })));

  let acc: Array<{ path: string; dataType?: string }> = (sel.markets.length ? sel.markets : MARKETS).map((m) => ({
    path: `${m}/`,
  }));
  if (!deeper(1)) return acc.map((a) => a.path);
  acc = cross(acc, sel.frequencies.length ? sel.frequencies : FREQUENCIES);
  if (!deeper(2) || sel.data_types.length === 0) return acc.map((a) => a.path);
  acc = acc.flatMap((a) => sel.data_types.map((t) => ({ path: `${a.path}${t}/`, dataType: t })));
  if (!deeper(3) || sel.symbols.length === 0) return acc.map((a) => a.path);
  acc = cross(acc, sel.symbols);
  if (sel.intervals.length === 0) return acc.map((a) => a.path);
  return acc.flatMap((a) => (a.dataType !== undefined && isKlineType(a.dataType) ? sel.intervals.map((i) => `${a.path}${i}/`) : [a.path]));
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Sorted, deduplicated, and without any prefix that another one already covers. */
export function reducePrefixes(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort(byteOrder);
  const out: string[] = [];
  for (const p of sorted) {
    // In byte order a covering prefix sorts right before the prefixes it covers.
    const last = out[out.length - 1];
    if (last !== undefined && p.startsWith(last)) continue;
    out.push(p);
  }
  return out;
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

function oneOf(value: string | undefined, allowed: readonly string[]): boolean {
  return allowed.length === 0 || (value !== undefined && allowed.includes(value));
}

export function compileSelection(config: SyncConfig): CompiledSelection {
  const sel = config.selection;
  const base = config.source_prefix;
  const relPrefixes = reducePrefixes(intersect(sel.prefixes.length ? sel.prefixes : [''], filterPrefixes(sel)));
  const prefixes = reducePrefixes(relPrefixes.map((p) => base + p));

  const glob = { dot: true };
  const include = sel.include.length ? picomatch(sel.include, glob) : undefined;
  const exclude = sel.exclude.length ? picomatch(sel.exclude, glob) : undefined;
  const hasFolderFilter = [sel.markets, sel.frequencies, sel.data_types, sel.symbols, sel.intervals].some((l) => l.length > 0);
  const from = sel.date_from === undefined ? undefined : parseConfigDate(sel.date_from);
  const to = sel.date_to === undefined ? undefined : parseConfigDate(sel.date_to);
  const fromDay = from ? dateStart(from) : -Infinity;
  const toDay = to ? dateEnd(to) : Infinity;
  const hasDateRange = from !== undefined || to !== undefined;

  const folderFiltersMatch = (rel: string): boolean => {
    const k = parseBinanceKey(rel);
    if (!oneOf(k.market, sel.markets) || !oneOf(k.frequency, sel.frequencies)) return false;
    if (!oneOf(k.dataType, sel.data_types) || !oneOf(k.symbol, sel.symbols)) return false;
    if (sel.intervals.length === 0) return true;
    if (k.dataType === undefined) return false;
    return !isKlineType(k.dataType) || oneOf(k.interval, sel.intervals);
  };

  // A monthly file covers its whole month, so it is kept when that month overlaps the range.
  const dateMatches = (rel: string): boolean => {
    const d = parseKeyDate(rel);
    if (!d) return false;
    return dateStart(d) <= toDay && dateEnd(d) >= fromDay;
  };

  const matches = (key: string): boolean => {
    if (!key.startsWith(base)) return false;
    // A .CHECKSUM companion is judged by its zip's key so that the pair always travels together.
    const rel = stripChecksum(key.slice(base.length));
    if (!relPrefixes.some((p) => rel.startsWith(p))) return false;
    if (include && !include(rel)) return false;
    if (exclude?.(rel)) return false;
    if (hasFolderFilter && !folderFiltersMatch(rel)) return false;
    if (hasDateRange && !dateMatches(rel)) return false;
    return true;
  };

  const describe = (): string => {
    const parts = [
      `s3://${config.source_bucket}/${base}`,
      prefixes.length === 0
        ? 'no prefix left: the prefixes and filters exclude each other'
        : `${prefixes.length} ${prefixes.length === 1 ? 'prefix' : 'prefixes'} [${prefixes.join(', ')}]`,
    ];
    const lists: Array<[string, readonly string[]]> = [
      ['markets', sel.markets],
      ['frequencies', sel.frequencies],
      ['data types', sel.data_types],
      ['symbols', sel.symbols],
      ['intervals', sel.intervals],
      ['include', sel.include],
      ['exclude', sel.exclude],
    ];
    for (const [name, values] of lists) if (values.length) parts.push(`${name} ${values.join(',')}`);
    if (hasDateRange) parts.push(`dates ${sel.date_from ?? '*'}..${sel.date_to ?? '*'}`);
    return parts.join('; ');
  };

  // Every selected prefix is listed whole; the group of a key is its first four folders.
  const folderStep = (): FolderStep => ({ kind: 'list' });
  const groupOf = (rel: string): string => {
    let end = -1;
    for (let i = 0; i < 4; i++) {
      const next = rel.indexOf('/', end + 1);
      if (next < 0) break;
      end = next;
    }
    return rel.slice(0, end + 1);
  };

  return { prefixes, matches, describe, folderStep, groupOf };
}
