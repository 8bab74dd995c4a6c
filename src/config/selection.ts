import picomatch from 'picomatch';
import { UsageError } from '../exit-codes.js';
import { DATA_TYPES, FREQUENCIES, isFrequency, isMarket, MARKETS, symbolFolderOf } from './binance-layout.js';
import {
  dateEnd,
  dateStart,
  emptyDateWindow,
  formatDate,
  isRelativeDate,
  parseConfigDate,
  parseDateParts,
  type ParsedDate,
  type SyncConfig,
} from './schema.js';

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

export interface CompileOptions {
  /** The moment relative dates (`-3d`) count back from; default now. */
  now?: Date;
}

const CHECKSUM_SUFFIX = '.CHECKSUM';

/** klines, indexPriceKlines, markPriceKlines, premiumIndexKlines: the types with an interval folder. */
export function isKlineType(dataType: string): boolean {
  return /klines$/i.test(dataType);
}

const FILE_DATE_RE = /-(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:\.[A-Za-z0-9]+)+$/;
/** What follows `<SYM>-<tag>-` in a file name of a Binance leaf folder. */
const LEAF_DATE_RE = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:\.[A-Za-z0-9]+)+$/;

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

/** Folders before the frequency: two under futures/ (futures/um), else one. */
function marketDepth(dirs: readonly string[]): number {
  return dirs[0] === 'futures' ? 2 : 1;
}

function partsOf(dirs: readonly string[]): BinanceKeyParts {
  const at = marketDepth(dirs);
  const parts: BinanceKeyParts = {};
  if (dirs.length >= at) parts.market = dirs.slice(0, at).join('/');
  if (dirs[at] !== undefined) parts.frequency = dirs[at];
  if (dirs[at + 1] !== undefined) parts.dataType = dirs[at + 1];
  if (dirs[at + 2] !== undefined) parts.symbol = dirs[at + 2];
  if (parts.dataType !== undefined && isKlineType(parts.dataType) && dirs[at + 3] !== undefined) {
    parts.interval = dirs[at + 3];
  }
  return parts;
}

/** Folder components of a key relative to source_prefix, following the archive layout (see BINANCE.md). */
export function parseBinanceKey(rel: string): BinanceKeyParts {
  return partsOf(rel.split('/').slice(0, -1));
}

/**
 * How many folders deep the files of a Binance folder path lie (`<type>/<SYM>/` or, for the kline
 * family, `<type>/<SYM>/<iv>/`); undefined until the data type is known or when the market or
 * frequency is not one of the archive's (then the path is not the archive's layout).
 */
function leafDepth(dirs: readonly string[]): number | undefined {
  const at = marketDepth(dirs);
  const type = dirs[at + 1];
  if (type === undefined || !isMarket(dirs.slice(0, at).join('/')) || !isFrequency(dirs[at])) return undefined;
  return at + (isKlineType(type) ? 4 : 3);
}

/** `<SYM>-<iv or type>-`: how every file name in a Binance leaf folder starts. */
function leafStem(dirs: readonly string[]): string {
  const at = marketDepth(dirs);
  const type = dirs[at + 1]!;
  return `${dirs[at + 2]!}-${isKlineType(type) ? dirs[at + 3]! : type}-`;
}

/**
 * The date of a key for the date window. In a Binance leaf folder only a file named
 * `<SYM>-<iv or type>-<date>` lying directly in it has one: the listing bounds of that folder
 * (folderStep) rely on exactly that shape. Elsewhere, the date at the end of the name.
 */
function windowDate(rel: string): ParsedDate | undefined {
  const dirs = rel.split('/');
  const name = dirs.pop()!;
  const depth = leafDepth(dirs);
  if (depth === undefined || dirs.length < depth) return parseKeyDate(rel);
  const stem = leafStem(dirs);
  if (dirs.length > depth || !name.startsWith(stem)) return undefined;
  const m = LEAF_DATE_RE.exec(name.slice(stem.length));
  return m ? parseDateParts(m[1]!, m[2]!, m[3]) : undefined;
}

/** Code unit → a number whose order is code point order (UTF-16 puts U+E000..U+FFFF after the surrogates). */
function codePointRank(c: number): number {
  if (c < 0xd800) return c;
  return c < 0xe000 ? c + 0x2000 : c - 0x800;
}

/** Compares strings in UTF-8 byte order, S3's key order. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

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

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareKeys);
}

type Selection = SyncConfig['selection'];

/** The data types a market and frequency is listed for: the explicit ones, else the layout's (the kline family only under --interval). */
function dataTypesOf(sel: Selection, market: (typeof MARKETS)[number], frequency: (typeof FREQUENCIES)[number]): readonly string[] {
  if (sel.data_types.length) return sel.data_types;
  const known = DATA_TYPES[market][frequency];
  return sel.intervals.length ? known.filter(isKlineType) : known;
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
      else for (const t of dataTypesOf(sel, m, f)) out.push(...typePrefixes(sel, m, `${m}/${f}/${t}/`, t));
    }
  }
  return out;
}

function typePrefixes(sel: Selection, market: string, typePath: string, type: string): string[] {
  if (sel.symbols.length === 0) return [typePath];
  return sortedUnique(sel.symbols.map((s) => symbolFolderOf(market, type, s))).flatMap((s) =>
    sel.intervals.length && isKlineType(type) ? sel.intervals.map((i) => `${typePath}${s}/${i}/`) : [`${typePath}${s}/`],
  );
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

/** The prefix of `sorted` (byte order, none inside another) that `rel` lies under, if any. */
function coveringPrefix(sorted: readonly string[], rel: string): string | undefined {
  // The covering prefix is the greatest one not after rel: any prefix between it and rel would lie inside it.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!, rel) <= 0) lo = mid + 1;
    else hi = mid;
  }
  const p = sorted[lo - 1];
  return p !== undefined && rel.startsWith(p) ? p : undefined;
}

/** The prefixes of `sorted` that lie strictly inside the folder `rel`. */
function prefixesInside(sorted: readonly string[], rel: string): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!, rel) <= 0) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && sorted[i]!.startsWith(rel); i++) out.push(sorted[i]!);
  return out;
}

const LIST: FolderStep = { kind: 'list' };
const DISCOVER: FolderStep = { kind: 'discover' };
const SKIP: FolderStep = { kind: 'skip' };

/** Whether `value` passes a folder filter; `missing`: the verdict when the path has no such folder. */
function passes(value: string | undefined, allowed: readonly string[], missing: boolean): boolean {
  if (allowed.length === 0) return true;
  return value === undefined ? missing : allowed.includes(value);
}

/** The folder filters (market … interval) applied to a key, or to a folder whose deeper parts are not known yet. */
class FolderFilters {
  readonly any: boolean;
  /** --interval without --data-type keeps only the kline family. */
  private readonly klinesOnly: boolean;

  constructor(private readonly sel: Selection) {
    this.any = [sel.markets, sel.frequencies, sel.data_types, sel.symbols, sel.intervals].some((l) => l.length > 0);
    this.klinesOnly = sel.intervals.length > 0 && sel.data_types.length === 0;
  }

  /** The symbol folders selected under a market's data type (a COIN-M contract's pair under indexPriceKlines). */
  symbolFolders(market: string | undefined, dataType: string | undefined): string[] {
    return sortedUnique(this.sel.symbols.map((s) => symbolFolderOf(market, dataType, s)));
  }

  /** `isKey`: the path is a whole key, so a level it lacks fails that level's filter; a folder may still gain it. */
  allows(k: BinanceKeyParts, isKey: boolean): boolean {
    const { sel } = this;
    if (!passes(k.market, sel.markets, !isKey) || !passes(k.frequency, sel.frequencies, !isKey)) return false;
    if (!passes(k.dataType, sel.data_types, !isKey)) return false;
    if (this.klinesOnly && (k.dataType === undefined ? isKey : !isKlineType(k.dataType))) return false;
    if (sel.symbols.length && !passes(k.symbol, this.symbolFolders(k.market, k.dataType), !isKey)) return false;
    if (sel.intervals.length === 0 || (k.dataType !== undefined && !isKlineType(k.dataType))) return true;
    return passes(k.interval, sel.intervals, !isKey);
  }

  /** Whether a filter could still tell apart the keys under a folder `depth` folders deep (`at`: market depth). */
  narrowsBelow(depth: number, at: number, dataType: string | undefined): boolean {
    const { sel } = this;
    return (
      (sel.markets.length > 0 && depth < at) ||
      (sel.frequencies.length > 0 && depth < at + 1) ||
      ((sel.data_types.length > 0 || this.klinesOnly) && depth < at + 2) ||
      (sel.symbols.length > 0 && depth < at + 3) ||
      (sel.intervals.length > 0 && depth < at + 4 && (dataType === undefined || isKlineType(dataType)))
    );
  }

  /**
   * The child folders of a folder `depth` deep when its level has a filter (children), else
   * discover. Children are only named where matches() refuses every other name at that level
   * and every key lying directly in the folder.
   */
  nextLevel(dirs: readonly string[], at: number, k: BinanceKeyParts): FolderStep {
    const { sel } = this;
    const d = dirs.length;
    let names: readonly string[] = [];
    if (d < at) names = sel.markets.filter((m) => d === 0 || m.startsWith(`${dirs[0]}/`)).map((m) => m.split('/')[d]!);
    else if (d === at) names = sel.frequencies;
    else if (d === at + 1) names = sel.data_types;
    else if (d === at + 2) names = sel.symbols.length ? this.symbolFolders(k.market, k.dataType) : [];
    else if (d === at + 3) names = sel.intervals;
    return names.length ? { kind: 'children', names: sortedUnique(names) } : DISCOVER;
  }
}

/** A configured date bound resolved against `now`, with how the config spelled it. */
interface DateBound {
  raw: string;
  date: ParsedDate;
}

function resolveBound(raw: string | undefined, now: Date): DateBound | undefined {
  if (raw === undefined) return undefined;
  const date = parseConfigDate(raw, now);
  if (!date) throw new UsageError(`selection: '${raw}' is not a date (YYYY-MM-DD, YYYY-MM or -Nd)`);
  return { raw, date };
}

function spellBound(b: DateBound | undefined): string {
  if (!b) return '*';
  return isRelativeDate(b.raw) ? `${formatDate(b.date)} (${b.raw})` : b.raw;
}

/**
 * Listing bounds of a Binance leaf folder `rel` (`dirs` its folders) for the date window. Its files
 * are `<SYM>-<tag>-<date>` + extension (windowDate() selects no other name there), with <date>
 * `Y-M[-D]`: Y four digits, M and D one or two (old names are not zero-padded).
 *
 * startAfter = `<stem><from>`, <from> zero-padded (YYYY-MM-DD in a daily folder, YYYY-MM in a
 * monthly one). A selected file's date is on or after <from> (a monthly file: its month is), and its
 * text is after the bound, compared part by part: a later year is a greater 4-digit text; in the
 * same year, a later month M > Mb gives a greater text whether M is padded (equal length) or not
 * (then M ≤ 9, so Mb is 0x: '0' sorts first); the same month spelled 'M' unpadded beats 'Mb' = '0M';
 * spelled alike, the day is compared the same way; with every part alike, the name goes on ('-DD',
 * '.zip') where the bound ends, or has '.' where the bound has '-' ('.' sorts after '-').
 *
 * endBefore = `<stem><to.year + 1>`: a selected file's year is at most to.year, a 4-digit text
 * smaller than to.year + 1 at the same place, whatever follows. A tighter bound (the month after
 * date_to) would cut unpadded names: `2020-8` sorts after `2020-10`.
 */
function leafBounds(rel: string, dirs: readonly string[], from: ParsedDate | undefined, to: ParsedDate | undefined): FolderStep {
  const stem = rel + leafStem(dirs);
  const step: { kind: 'list'; startAfter?: string; endBefore?: string } = { kind: 'list' };
  if (from) {
    const monthly = dirs[marketDepth(dirs)] === 'monthly';
    step.startAfter = stem + formatDate(monthly ? { ...from, day: undefined } : { ...from, day: from.day ?? 1 });
  }
  if (to && to.year < 9999) step.endBefore = stem + String(to.year + 1);
  return step;
}

/** The symbol folder of a path: four folders deep, five under futures/; a shallower path's own folder. */
export function groupOfPath(rel: string): string {
  const depth = rel.startsWith('futures/') ? 5 : 4;
  let end = -1;
  for (let i = 0; i < depth; i++) {
    const next = rel.indexOf('/', end + 1);
    if (next < 0) break;
    end = next;
  }
  return rel.slice(0, end + 1);
}

class Compiled implements CompiledSelection {
  readonly prefixes: string[];
  /** The prefixes relative to source_prefix, in byte order. */
  private readonly rel: string[];
  private readonly filters: FolderFilters;
  private readonly include: picomatch.Matcher | undefined;
  private readonly exclude: picomatch.Matcher | undefined;
  private readonly from: DateBound | undefined;
  private readonly to: DateBound | undefined;
  private readonly fromDay: number;
  private readonly toDay: number;

  constructor(
    private readonly config: SyncConfig,
    now: Date,
  ) {
    const sel = config.selection;
    this.rel = reducePrefixes(intersect(sel.prefixes.length ? sel.prefixes : [''], filterPrefixes(sel)));
    this.prefixes = reducePrefixes(this.rel.map((p) => config.source_prefix + p));
    this.filters = new FolderFilters(sel);
    const glob = { dot: true };
    this.include = sel.include.length ? picomatch(sel.include, glob) : undefined;
    this.exclude = sel.exclude.length ? picomatch(sel.exclude, glob) : undefined;
    const empty = emptyDateWindow(sel.date_from, sel.date_to, now);
    if (empty) throw new UsageError(`invalid configuration: selection.date_from: got ${JSON.stringify(sel.date_from)}, an empty date window; accepts ${empty}`);
    this.from = resolveBound(sel.date_from, now);
    this.to = resolveBound(sel.date_to, now);
    this.fromDay = this.from ? dateStart(this.from.date) : -Infinity;
    this.toDay = this.to ? dateEnd(this.to.date) : Infinity;
  }

  private get hasDateRange(): boolean {
    return this.from !== undefined || this.to !== undefined;
  }

  matches(key: string): boolean {
    const base = this.config.source_prefix;
    if (!key.startsWith(base)) return false;
    // A .CHECKSUM companion is judged by its zip's key so that the pair always travels together.
    const rel = stripChecksum(key.slice(base.length));
    if (coveringPrefix(this.rel, rel) === undefined) return false;
    if (this.include && !this.include(rel)) return false;
    if (this.exclude?.(rel)) return false;
    if (this.filters.any && !this.filters.allows(parseBinanceKey(rel), true)) return false;
    if (!this.hasDateRange) return true;
    // A monthly file covers its whole month, so it is kept when that month overlaps the range.
    const d = windowDate(rel);
    return d !== undefined && dateStart(d) <= this.toDay && dateEnd(d) >= this.fromDay;
  }

  folderStep(rel: string, o: FolderStepOptions = {}): FolderStep {
    if (coveringPrefix(this.rel, rel) === undefined) return this.towardPrefixes(rel);
    const dirs = rel.split('/');
    const partial = dirs.pop() !== '';
    const k = partsOf(dirs);
    if (!this.filters.allows(k, false)) return SKIP;
    const at = marketDepth(dirs);
    const leaf = leafDepth(dirs);
    if (leaf !== undefined && dirs.length >= leaf) {
      const bounded = !partial && dirs.length === leaf && this.hasDateRange;
      return bounded ? leafBounds(rel, dirs, this.from?.date, this.to?.date) : LIST;
    }
    // Dates narrow only Binance leaf folders: below a market or frequency the layout does not know, nothing to bound.
    const mayBeBinance = (dirs.length < at || isMarket(k.market)) && (dirs.length < at + 1 || isFrequency(k.frequency));
    const deeper =
      (o.byGroup === true && dirs.length < at + 3) || (this.hasDateRange && mayBeBinance) || this.filters.narrowsBelow(dirs.length, at, k.dataType);
    if (!deeper) return LIST;
    return partial ? DISCOVER : this.filters.nextLevel(dirs, at, k);
  }

  /** A folder outside every prefix: the way on toward the prefixes inside it, or skip. */
  private towardPrefixes(rel: string): FolderStep {
    const inside = rel === '' || rel.endsWith('/') ? prefixesInside(this.rel, rel) : [];
    if (inside.length === 0) return SKIP;
    const names = inside.map((p) => p.slice(rel.length, p.indexOf('/', rel.length)));
    // A prefix that ends inside a name (spot/daily/klines/BTC) needs the names a listing finds.
    return inside.some((p) => p.indexOf('/', rel.length) < 0) ? DISCOVER : { kind: 'children', names: sortedUnique(names) };
  }

  groupOf(rel: string): string {
    return groupOfPath(rel);
  }

  describe(): string {
    const sel = this.config.selection;
    const { prefixes } = this;
    const parts = [
      `s3://${this.config.source_bucket}/${this.config.source_prefix}`,
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
    if (this.hasDateRange) parts.push(`dates ${spellBound(this.from)}..${spellBound(this.to)}`);
    return parts.join('; ');
  }
}

/** Compiles the configured selection; relative dates count back from `o.now` (default now). An empty date window exits 2. */
export function compileSelection(config: SyncConfig, o: CompileOptions = {}): CompiledSelection {
  const c = new Compiled(config, o.now ?? new Date());
  // Plain functions, so that callers may pass them on without their object.
  return {
    prefixes: c.prefixes,
    matches: (key) => c.matches(key),
    describe: () => c.describe(),
    folderStep: (rel, step) => c.folderStep(rel, step),
    groupOf: (rel) => c.groupOf(rel),
  };
}
