import picomatch from 'picomatch';
import { UsageError } from '../exit-codes.js';
import { isRelativeDate } from './relative-date.js';
import { isFrequency, isKlineType, isMarket, namedByPair, pairOf } from './binance-layout.js';
import { dateEnd, dateStart, emptyDateWindow, formatDate, parseConfigDate, parseDateParts, type ParsedDate, type SyncConfig } from './schema.js';
import { coveringPrefix, intervalsIn, prefixesInside, selectionPrefixes, sortedUnique, type Selection } from './selection-prefixes.js';
import { prefixOf } from '../key-order.js';

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

const FILE_DATE_RE = /-(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:\.[A-Za-z0-9]+)+$/;
/** What follows `<SYM>-<tag>-` in a file name of a Binance leaf folder. */
const LEAF_DATE_RE = /^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:\.[A-Za-z0-9]+)+$/;

/**
 * The date in an archive file name (`...-2024-01-02.zip`, `...-2024-01.zip`, also unpadded
 * `...-2020-8.zip` / `...-2020-8-3.zip`, and their `.CHECKSUM` companions); undefined if none.
 */
export function parseKeyDate(key: string): ParsedDate | undefined {
  return fileNameDate(stripChecksum(key.slice(key.lastIndexOf('/') + 1)));
}

function fileNameDate(name: string): ParsedDate | undefined {
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
  if (dirs.length >= at) parts.market = at === 2 ? `${dirs[0]}/${dirs[1]}` : dirs[0]!;
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
  if (type === undefined || !isMarket(at === 2 ? `${dirs[0]}/${dirs[1]}` : dirs[0]) || !isFrequency(dirs[at])) return undefined;
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
function windowDate(dirs: readonly string[], name: string): ParsedDate | undefined {
  const depth = leafDepth(dirs);
  if (depth === undefined || dirs.length < depth) return fileNameDate(name);
  const stem = leafStem(dirs);
  if (dirs.length > depth || !name.startsWith(stem)) return undefined;
  const m = LEAF_DATE_RE.exec(name.slice(stem.length));
  return m ? parseDateParts(m[1]!, m[2]!, m[3]) : undefined;
}

// Shared by every call, so frozen: a caller cannot change the answer for the next folder.
const LIST: FolderStep = Object.freeze({ kind: 'list' });
const DISCOVER: FolderStep = Object.freeze({ kind: 'discover' });
const SKIP: FolderStep = Object.freeze({ kind: 'skip' });

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
  private readonly intervalsByFolder = new Map<string, readonly string[]>();
  /** The selected symbol folders: as given, and (COIN-M indexPriceKlines) the pairs. */
  private readonly symbols: ReadonlySet<string>;
  private readonly pairs: ReadonlySet<string>;

  constructor(private readonly sel: Selection) {
    this.any = [sel.markets, sel.frequencies, sel.data_types, sel.symbols, sel.intervals].some((l) => l.length > 0);
    this.klinesOnly = sel.intervals.length > 0 && sel.data_types.length === 0;
    this.symbols = new Set(sel.symbols);
    this.pairs = new Set(sel.symbols.map(pairOf));
  }

  /** intervalsIn(), looked up once per market and frequency. */
  intervalsIn(market: string | undefined, frequency: string | undefined): readonly string[] {
    if (!isMarket(market) || !isFrequency(frequency)) return this.sel.intervals;
    const key = `${market}/${frequency}`;
    let found = this.intervalsByFolder.get(key);
    if (!found) this.intervalsByFolder.set(key, (found = intervalsIn(this.sel, market, frequency)));
    return found;
  }

  /** The symbol folders selected under a market's data type (a COIN-M contract's pair under indexPriceKlines). */
  symbolFolders(market: string | undefined, dataType: string | undefined): string[] {
    return sortedUnique(namedByPair(market, dataType) ? this.pairs : this.symbols);
  }

  private symbolAllowed(k: BinanceKeyParts, isKey: boolean): boolean {
    if (this.symbols.size === 0) return true;
    if (k.symbol === undefined) return !isKey;
    return (namedByPair(k.market, k.dataType) ? this.pairs : this.symbols).has(k.symbol);
  }

  /** `isKey`: the path is a whole key, so a level it lacks fails that level's filter; a folder may still gain it. */
  allows(k: BinanceKeyParts, isKey: boolean): boolean {
    const { sel } = this;
    if (!passes(k.market, sel.markets, !isKey) || !passes(k.frequency, sel.frequencies, !isKey)) return false;
    if (!passes(k.dataType, sel.data_types, !isKey)) return false;
    if (this.klinesOnly && (k.dataType === undefined ? isKey : !isKlineType(k.dataType))) return false;
    if (!this.symbolAllowed(k, isKey)) return false;
    if (sel.intervals.length === 0 || (k.dataType !== undefined && !isKlineType(k.dataType))) return true;
    const intervals = this.intervalsIn(k.market, k.frequency);
    return intervals.length > 0 && passes(k.interval, intervals, !isKey);
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
   * and every key lying directly in the folder. Without --data-type (only dates or byGroup left),
   * the data types are discovered, not taken from the layout table: matches() keeps every data
   * type then, one a newer archive adds included, and the discovery is one request per market
   * and frequency.
   */
  nextLevel(dirs: readonly string[], at: number, k: BinanceKeyParts): FolderStep {
    const { sel } = this;
    const d = dirs.length;
    let names: readonly string[] = [];
    if (d < at) names = sel.markets.filter((m) => d === 0 || m.startsWith(`${dirs[0]}/`)).map((m) => m.split('/')[d]!);
    else if (d === at) names = sel.frequencies;
    else if (d === at + 1) names = sel.data_types;
    else if (d === at + 2) names = sel.symbols.length ? this.symbolFolders(k.market, k.dataType) : [];
    else if (d === at + 3) names = this.intervalsIn(k.market, k.frequency);
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
  return prefixOf(rel, rel.startsWith('futures/') ? 5 : 4);
}

/** A symbol list expands to a few dozen prefixes per symbol: a log line names the first ones. */
const DESCRIBED_PREFIXES = 12;

function listed(values: readonly string[], max: number): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown}, ... ${values.length - max} more` : shown;
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
  private readonly hasDateRange: boolean;

  constructor(
    private readonly config: SyncConfig,
    now: Date,
  ) {
    const sel = config.selection;
    this.rel = selectionPrefixes(sel);
    // The same source prefix before each keeps them sorted and none inside another.
    this.prefixes = this.rel.map((p) => config.source_prefix + p);
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
    this.hasDateRange = this.from !== undefined || this.to !== undefined;
  }

  matches(key: string): boolean {
    const base = this.config.source_prefix;
    if (!key.startsWith(base)) return false;
    // A .CHECKSUM companion is judged by its zip's key so that the pair always travels together.
    const rel = stripChecksum(key.slice(base.length));
    if (!this.underPrefix(rel)) return false;
    if (this.include && !this.include(rel)) return false;
    if (this.exclude?.(rel)) return false;
    if (!this.filters.any && !this.hasDateRange) return true;
    const dirs = rel.split('/');
    const name = dirs.pop()!;
    if (this.filters.any && !this.filters.allows(partsOf(dirs), true)) return false;
    if (!this.hasDateRange) return true;
    // A monthly file covers its whole month, so it is kept when that month overlaps the range.
    const d = windowDate(dirs, name);
    return d !== undefined && dateStart(d) <= this.toDay && dateEnd(d) >= this.fromDay;
  }

  private underPrefix(rel: string): boolean {
    // One prefix (a whole source prefix, a market) is the common case: no search.
    return this.rel.length === 1 ? rel.startsWith(this.rel[0]!) : coveringPrefix(this.rel, rel) !== undefined;
  }

  folderStep(rel: string, o: FolderStepOptions = {}): FolderStep {
    if (!this.underPrefix(rel)) return this.towardPrefixes(rel);
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
    // A monthly leaf folder holds two keys a month, under one page for forty years: one listing of the
    // whole folder (filtered by month) costs fewer requests than a bounded request per leaf folder.
    const narrowsByDate = this.hasDateRange && mayBeBinance && k.frequency !== 'monthly';
    const deeper = (o.byGroup === true && dirs.length < at + 3) || narrowsByDate || this.filters.narrowsBelow(dirs.length, at, k.dataType);
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
        : `${prefixes.length} ${prefixes.length === 1 ? 'prefix' : 'prefixes'} [${listed(prefixes, DESCRIBED_PREFIXES)}]`,
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
