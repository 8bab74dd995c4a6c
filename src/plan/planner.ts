import type { S3Client } from '@aws-sdk/client-s3';
import pLimit, { type LimitFunction } from 'p-limit';
import type { FolderStep } from '../config/selection.js';
import { externalSort } from '../storage/external-sort.js';
import { buffered, checkPageOrder, listPrefix, listPrefixPages } from '../storage/listing.js';
import type { ListedObject, Location } from '../storage/types.js';
import type { DestinationEtags } from './compare.js';
import { copyAll, diffListings, type Action } from './diff.js';
import { shardSplit, unitsOfShard, type ShardSpec } from './shard.js';
import { listingUnits, type ListUnit, type UnitSide } from './units.js';

export interface PlanSide {
  client: S3Client;
  location: Location;
}

export interface PlanInput {
  source: PlanSide;
  dest: PlanSide;
  /** Relative prefixes to mirror (sorted, none inside another): the selection's. */
  prefixes: string[];
  /** The selection's listing steps and groups (see CompiledSelection). */
  selection: {
    folderStep: (rel: string, o?: { byGroup?: boolean }) => FolderStep;
    groupOf: (rel: string) => string;
  };
  incremental: boolean;
  deleteExtras: boolean;
  destinationEtags: DestinationEtags;
  selected: (relativeKey: string) => boolean;
  /** Sort listings on disk instead of trusting the server's order. */
  sortListings: boolean;
  /** Plan only the units of this shard's groups. */
  shard?: ShardSpec;
  /** Units listed ahead of the one being diffed, so listing latency overlaps. */
  prefetch?: number;
  /** ListObjectsV2 requests in flight per side, and key ranges of a unit listed at once (0: one page after another). */
  listConcurrency?: number;
  onListed?: (o: ListedObject) => void;
  /** The units planned, once found. */
  onUnits?: (units: readonly ListUnit[]) => void;
  signal?: AbortSignal;
}

/**
 * Streams the actions that bring the destination up to date, one unit of the key space at a time:
 * both sides of a unit are listed (checked for S3 key order as they pass, or sorted on disk when
 * `sortListings`) and merge-joined. The units are those of the selection's folder steps (see
 * units.ts); in a sharded run only those of the shard's groups.
 */
export async function* planActions(i: PlanInput): AsyncGenerator<Action> {
  const concurrency = Math.max(0, i.listConcurrency ?? 0);
  const limits = { source: pLimit(Math.max(1, concurrency)), dest: pLimit(Math.max(1, concurrency)) };
  const units = await unitsToPlan(i, limits);
  i.onUnits?.(units);
  // Units of a date window are a page or so each: as many are listed ahead as requests may be in flight.
  const windowed = units.some((u) => u.startAfter !== undefined || u.endBefore !== undefined);
  const depth = Math.max(0, i.prefetch ?? 2, windowed ? concurrency : 0);
  const started: Array<{ src: AsyncIterable<ListedObject[]>; dst?: AsyncIterable<ListedObject[]> } | undefined> = [];
  const start = (n: number) => {
    const u = units[n];
    if (!u || started[n]) return;
    // A side whose delimiter listing showed nothing under the unit is not asked again.
    const list = (side: PlanSide, limit: LimitFunction, index: number) =>
      u.absentOn?.includes(index) ? noPages() : buffered(listUnit(side, limit, u, i), UNIT_BUFFER_PAGES);
    started[n] = {
      src: list(i.source, limits.source, SOURCE),
      // Without incremental comparison the destination's listing is not needed.
      dst: i.incremental ? list(i.dest, limits.dest, DEST) : undefined,
    };
  };
  for (let n = 0; n < units.length; n++) {
    for (let k = n; k <= n + depth; k++) start(k);
    const { src, dst } = started[n]!;
    started[n] = undefined;
    const counted = countListed(src, i.onListed);
    yield* dst
      ? diffListings(counted, dst, { deleteExtras: i.deleteExtras, destinationEtags: i.destinationEtags, selected: i.selected })
      : copyAll(counted, i.selected);
  }
}

/** Pages a unit's listing holds ahead of the merge, per side. */
const UNIT_BUFFER_PAGES = 2;
/** The sides' indexes in the unit walk. */
const SOURCE = 0;
const DEST = 1;

async function* noPages(): AsyncGenerator<ListedObject[]> {}

async function unitsToPlan(i: PlanInput, limits: { source: LimitFunction; dest: LimitFunction }): Promise<ListUnit[]> {
  const side = (s: PlanSide, limit: LimitFunction): UnitSide => ({ client: s.client, bucket: s.location.bucket, root: s.location.prefix, limit });
  // The destination's folders are walked too when its extras are deleted, so that folders only it holds are seen.
  const sides = i.incremental && i.deleteExtras ? [side(i.source, limits.source), side(i.dest, limits.dest)] : [side(i.source, limits.source)];
  const split = i.shard ? shardSplit(i.selection, i.shard.depth) : undefined;
  const step = split ? split.step : (rel: string) => i.selection.folderStep(rel);
  const units = await listingUnits({ prefixes: i.prefixes, step, sides, signal: i.signal });
  return i.shard && split ? unitsOfShard(units, i.shard, split.groupOf) : units;
}

function listUnit(side: PlanSide, limit: LimitFunction, u: ListUnit, i: PlanInput): AsyncIterable<ListedObject[]> {
  const { bucket, prefix } = side.location;
  const bounds = { startAfter: u.startAfter && prefix + u.startAfter, endBefore: u.endBefore && prefix + u.endBefore };
  const opts = { root: prefix, recursive: u.recursive, signal: i.signal, limit, ...bounds };
  if (i.sortListings) return pagesOf(externalSort(listPrefix(side.client, bucket, prefix + u.rel, opts)));
  return checkPageOrder(bucket, listPrefixPages(side.client, bucket, prefix + u.rel, { ...opts, rangeConcurrency: i.listConcurrency ?? 0 }));
}

async function* countListed(pages: AsyncIterable<ListedObject[]>, onListed?: (o: ListedObject) => void): AsyncGenerator<ListedObject[]> {
  for await (const page of pages) {
    if (onListed) for (const o of page) onListed(o);
    yield page;
  }
}

async function* pagesOf(objects: AsyncIterable<ListedObject>, size = 1000): AsyncGenerator<ListedObject[]> {
  let page: ListedObject[] = [];
  for await (const o of objects) {
    page.push(o);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
