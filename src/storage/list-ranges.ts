/**
 * Parallel listing of one prefix, handed on in S3 order. ListObjectsV2 pages come one after
 * another, so a big prefix is split into key ranges (lo, hi] at boundaries found by delimiter
 * listing (folders one or more levels down), the ranges are listed at once (StartAfter = lo, until
 * a key passes hi), and their pages are handed on range after range. Any boundaries give an exact
 * partition: discovery only decides how well the work spreads.
 *
 * A prefix whose first page is its whole listing costs that one request. Discovery costs about one
 * delimiter request per folder it opens, never one per key.
 */
import { compareKeys } from '../key-order.js';
import type { ListPage, PageObject } from './list-page-parser.js';
import type { ListPageQuery } from './list-request.js';

/** One ListObjectsV2 request of a side (bucket fixed), run under the side's request limit. */
export type PageFetch = (q: Omit<ListPageQuery, 'bucket'>) => Promise<ListPage>;

export interface RangeListOptions {
  /** Ranges listed at once (each holds at most `bufferPages` pages not yet handed on). */
  concurrency: number;
  bufferPages?: number;
  /** Split only when the first page took at least this long (default SPLIT_ABOVE_MS). */
  splitAboveMs?: number;
  /** Discovery stops opening folders once it has this many boundaries. */
  maxRanges?: number;
  /** Folder levels below the prefix discovery may open. */
  maxDepth?: number;
  /** Called when the server's answers break S3 order across ranges. */
  onDisorder: (previous: string, next: string) => Error;
}

/** A key range (lo, hi] of a prefix: undefined bounds are the prefix's start and end. */
export interface KeyRange {
  lo?: string;
  hi?: string;
}

/** The ranges between sorted, distinct boundaries: (-, b0], (b0, b1], ..., (bn, -). */
export function rangesBetween(boundaries: readonly string[]): KeyRange[] {
  const out: KeyRange[] = [];
  let lo: string | undefined;
  for (const b of boundaries) {
    out.push({ lo, hi: b });
    lo = b;
  }
  out.push({ lo, hi: undefined });
  return out;
}

/** Sorted, distinct, strictly after `after`. */
export function boundariesAfter(found: readonly string[], after: string): string[] {
  const sorted = [...new Set(found)].filter((b) => compareKeys(b, after) > 0).sort(compareKeys);
  return sorted;
}

/**
 * The folders with no discovered folder inside them, sorted. A parent folder sorts just before its
 * first child, so as a boundary it cuts off a range of almost nothing and would skew rangeCount.
 */
export function leafFolders(found: readonly string[]): string[] {
  const sorted = [...new Set(found)].sort(compareKeys);
  return sorted.filter((f, i) => !sorted[i + 1]?.startsWith(f));
}

/** At most `n` of `items`, evenly spaced (the last level discovery opens may hold many more folders than it needs). */
export function evenly<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor(((i + 1) * items.length) / (n + 1))]!);
}

/** Pages of objects under `prefix`, in S3 order, the ranges listed concurrently. */
export async function* listRanges(fetch: PageFetch, prefix: string, o: RangeListOptions): AsyncGenerator<PageObject[]> {
  const asked = performance.now();
  const probe = await fetch({ prefix });
  if (!probe.isTruncated) {
    yield probe.objects;
    return;
  }
  if (performance.now() - asked < (o.splitAboveMs ?? SPLIT_ABOVE_MS)) {
    // A page that arrives faster than it is parsed and merged: the listing is bound by this
    // machine's CPU, and ranges would only add requests. One range, read ahead.
    yield* mergeRanges(fetch, prefix, [{}], probe, o);
    return;
  }
  const last = probe.objects.at(-1)?.key ?? prefix;
  const maxRanges = o.maxRanges ?? DISCOVERY_MAX_BOUNDARIES;
  const split = (found: readonly string[]) => {
    const leaves = leafFolders(found);
    const after = boundariesAfter(leaves, last);
    const count = rangeCount(
      { boundaries: after.length, boundariesInProbe: leaves.length - after.length, probeKeys: probe.objects.length },
      maxRanges,
      Math.max(1, probe.objects.length),
    );
    return { after, count, measured: leaves.length - after.length >= 2 };
  };
  // A level that already holds twice the boundaries the ranges need is deep enough: the next level
  // would cost a request per folder for boundaries evenly() throws away.
  const enough = (found: readonly string[]) => {
    const { after, count, measured } = split(found);
    return measured && count * 2 <= after.length;
  };
  const { after, count } = split(await discoverBoundaries(fetch, prefix, maxRanges, o.maxDepth ?? 8, enough));
  yield* mergeRanges(fetch, prefix, rangesBetween(evenly(after, count)), probe, o);
}

/**
 * A first page slower than this is worth splitting for: S3 in the same region answers a 1,000-key
 * page in tens of milliseconds, while parsing and merging one takes a few (a local server answers
 * in less, and planning is then bound by the CPU).
 */
export const SPLIT_ABOVE_MS = 20;
/** Boundaries discovery collects at most (about one delimiter request per folder it opens). */
export const DISCOVERY_MAX_BOUNDARIES = 4096;
/** Pages a range is cut to hold, about: fewer than a started range buffers, so most ranges are listed whole before their turn. */
export const PAGES_PER_RANGE = 2;
/** Pages a started range holds ahead of the consumer (measured at 50 ms a page, 1M keys a side: 2 → 52 s, 4 → 24 s). */
export const RANGE_BUFFER_PAGES = 4;

/**
 * How many of the discovered boundaries to use. Too few ranges leave the range being handed on to
 * list alone, one page per round trip, while the ranges behind it wait with full buffers; too many
 * cost a request per range for a few keys each. The probe page (the prefix's first page) says how
 * many keys lie between boundaries, so the ranges are cut to hold about PAGES_PER_RANGE pages.
 */
export function rangeCount(i: { boundaries: number; boundariesInProbe: number; probeKeys: number }, maxRanges: number, pageSize = 1000): number {
  const cap = Math.min(maxRanges, i.boundaries);
  // The probe's last folder is only partly read: with fewer than two boundaries in it nothing is known.
  if (i.boundariesInProbe <= 1) return cap;
  const keysPerGap = i.probeKeys / (i.boundariesInProbe - 1);
  return Math.max(1, Math.min(cap, Math.ceil((i.boundaries * keysPerGap) / (PAGES_PER_RANGE * pageSize))));
}

/**
 * Folder prefixes below `prefix`, level by level (breadth first), until there are `maxRanges` of
 * them, `maxDepth` levels, or `enough` says so. A folder is read by delimiter pages only while they are mostly folders,
 * so a folder of many objects costs one request here.
 */
export async function discoverBoundaries(
  fetch: PageFetch,
  prefix: string,
  maxRanges: number,
  maxDepth: number,
  enough: (found: readonly string[]) => boolean = () => false,
): Promise<string[]> {
  const found: string[] = [];
  let level = [prefix];
  for (let depth = 0; depth < maxDepth && level.length > 0 && found.length < maxRanges; depth++) {
    const next = (await Promise.all(level.map((folder) => foldersIn(fetch, folder)))).flat();
    found.push(...next);
    level = next;
    if (enough(found)) break;
  }
  return found;
}

async function foldersIn(fetch: PageFetch, folder: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await fetch({ prefix: folder, delimiter: '/', continuationToken: token, scope: { noObjects: true } });
    out.push(...page.prefixes);
    token = page.isTruncated ? page.nextContinuationToken : undefined;
    // Go on only while the pages are mostly folders (KeyCount counts objects and folders).
    if (!token || page.keyCount === undefined || page.prefixes.length * 2 <= page.keyCount) return out;
  }
}

/** What a range's listing saw: its first key and the first key past its end (both as the server sent them). */
interface RangeEdges {
  first?: string;
  past?: string;
}

/** The ranges' pages in order, at most `concurrency` ranges started ahead of the one being handed on. */
async function* mergeRanges(fetch: PageFetch, prefix: string, ranges: KeyRange[], probe: ListPage, o: RangeListOptions): AsyncGenerator<PageObject[]> {
  const started: Array<{ pages: AsyncIterator<PageObject[]>; edges: RangeEdges } | undefined> = [];
  const start = (n: number) => {
    if (n >= ranges.length || started[n]) return;
    const edges: RangeEdges = {};
    const pages = buffer(rangePages(fetch, prefix, ranges[n]!, edges, o.onDisorder, n === 0 ? probe : undefined), o.bufferPages ?? RANGE_BUFFER_PAGES);
    started[n] = { pages, edges };
  };
  let previous: RangeEdges | undefined;
  try {
    for (let n = 0; n < ranges.length; n++) {
      for (let k = n; k < n + Math.max(1, o.concurrency); k++) start(k);
      const { pages, edges } = started[n]!;
      for (let r = await pages.next(); !r.done; r = await pages.next()) yield r.value;
      // Range n must start exactly where range n-1 saw the listing pass its end.
      if (previous && previous.past !== edges.first) throw o.onDisorder(previous.past ?? '(end of listing)', edges.first ?? '(end of listing)');
      previous = edges;
      started[n] = undefined;
    }
  } finally {
    await Promise.all(started.map((s) => s?.pages.return?.()));
  }
}

/** One range's objects, page by page: from StartAfter = lo (or the probe's continuation) until a key passes hi. */
async function* rangePages(
  fetch: PageFetch,
  prefix: string,
  range: KeyRange,
  edges: RangeEdges,
  onDisorder: RangeListOptions['onDisorder'],
  head?: ListPage,
): AsyncGenerator<PageObject[]> {
  let page = head ?? (await fetch({ prefix, startAfter: range.lo, scope: { until: range.hi } }));
  for (;;) {
    const objects = page.objects;
    if (edges.first === undefined && objects.length > 0) edges.first = objects[0]!.key;
    const cut = range.hi === undefined ? -1 : firstPast(objects, range.hi, onDisorder);
    if (cut >= 0) {
      edges.past = objects[cut]!.key;
      if (cut > 0) yield objects.slice(0, cut);
      return;
    }
    if (objects.length > 0) yield objects;
    if (!page.isTruncated) return;
    if (!page.nextContinuationToken) throw new Error(`listing of '${prefix}' is truncated but has no NextContinuationToken`);
    page = await fetch({ prefix, continuationToken: page.nextContinuationToken, scope: { until: range.hi } });
  }
}

/** Index of the first object after `hi`, or -1. The objects after it are not handed on, so their order is checked here. */
function firstPast(objects: readonly PageObject[], hi: string, onDisorder: RangeListOptions['onDisorder']): number {
  const lastKey = objects.at(-1)?.key;
  if (lastKey === undefined || compareKeys(lastKey, hi) <= 0) return -1;
  let cut = 0;
  while (compareKeys(objects[cut]!.key, hi) <= 0) cut++;
  for (let i = cut + 1; i < objects.length; i++) {
    if (compareKeys(objects[i - 1]!.key, objects[i]!.key) >= 0) throw onDisorder(objects[i - 1]!.key, objects[i]!.key);
  }
  return cut;
}

/** Reads `source` ahead into at most `capacity` items. */
function buffer<T>(source: AsyncGenerator<T>, capacity: number): AsyncIterator<T> {
  const items: T[] = [];
  let done = false;
  let error: unknown;
  let wake: (() => void) | undefined;
  let space: (() => void) | undefined;
  let stopped = false;
  void (async () => {
    try {
      for (;;) {
        while (items.length >= capacity && !stopped) await new Promise<void>((r) => (space = r));
        if (stopped) break;
        const next = await source.next();
        if (next.done) break;
        items.push(next.value);
        wake?.();
      }
    } catch (e) {
      error = e ?? new Error('listing failed');
    }
    done = true;
    wake?.();
  })();
  return {
    async next(): Promise<IteratorResult<T>> {
      for (;;) {
        if (items.length > 0) {
          const value = items.shift() as T;
          space?.();
          return { done: false, value };
        }
        if (error !== undefined) throw error;
        if (done) return { done: true, value: undefined };
        await new Promise<void>((r) => (wake = r));
      }
    },
    async return(): Promise<IteratorResult<T>> {
      stopped = true;
      space?.();
      return { done: true, value: undefined };
    },
  };
}
