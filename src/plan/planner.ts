import type { S3Client } from '@aws-sdk/client-s3';
import pLimit, { type LimitFunction } from 'p-limit';
import { compareKeys } from '../storage/keys.js';
import { discoverUnits, unitKey, type ListUnit } from '../storage/discover.js';
import { externalSort } from '../storage/external-sort.js';
import { buffered, checkPageOrder, listPrefix, listPrefixPages } from '../storage/listing.js';
import type { ListedObject, Location } from '../storage/types.js';
import type { DestinationEtags } from './compare.js';
import { copyAll, diffListings, type Action } from './diff.js';
import { shardOf, type ShardSpec } from './shard.js';

export interface PlanSide {
  client: S3Client;
  location: Location;
}

export interface PlanInput {
  source: PlanSide;
  dest: PlanSide;
  /** Relative prefixes to mirror (sorted, none inside another): the selection. */
  prefixes: string[];
  incremental: boolean;
  deleteExtras: boolean;
  destinationEtags: DestinationEtags;
  selected: (relativeKey: string) => boolean;
  /** Sort listings on disk instead of trusting the server's order. */
  sortListings: boolean;
  /** Plan only this shard's units, found by delimiter listing `depth` levels below each prefix. */
  shard?: ShardSpec & { depth: number };
  /** Units listed ahead of the one being diffed, so listing latency overlaps. */
  prefetch?: number;
  /** ListObjectsV2 requests in flight per side, and key ranges of a unit listed at once (0: one page after another). */
  listConcurrency?: number;
  onListed?: (o: ListedObject) => void;
  signal?: AbortSignal;
}

/**
 * Streams the actions that bring the destination up to date, one unit of the key space at a time:
 * both sides of a unit are listed (checked for S3 key order as they pass, or sorted on disk when
 * `sortListings`) and merge-joined. Without sharding a unit is a whole selected prefix.
 */
export async function* planActions(i: PlanInput): AsyncGenerator<Action> {
  const units = await unitsToPlan(i);
  const depth = Math.max(0, i.prefetch ?? 2);
  const concurrency = Math.max(0, i.listConcurrency ?? 0);
  const limits = { source: pLimit(Math.max(1, concurrency)), dest: pLimit(Math.max(1, concurrency)) };
  const started: Array<{ src: AsyncIterable<ListedObject[]>; dst?: AsyncIterable<ListedObject[]> } | undefined> = [];
  const start = (n: number) => {
    const u = units[n];
    if (!u || started[n]) return;
    started[n] = {
      src: buffered(listUnit(i.source, limits.source, u, i), UNIT_BUFFER_PAGES),
      // Without incremental comparison the destination's listing is not needed.
      dst: i.incremental ? buffered(listUnit(i.dest, limits.dest, u, i), UNIT_BUFFER_PAGES) : undefined,
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

async function unitsToPlan(i: PlanInput): Promise<ListUnit[]> {
  if (!i.shard) return i.prefixes.map((rel) => ({ rel, recursive: true }));
  const byKey = new Map<string, ListUnit>();
  for (const rel of i.prefixes) {
    for (const side of i.incremental ? [i.source, i.dest] : [i.source]) {
      for await (const u of discoverUnits(side.client, side.location.bucket, side.location.prefix, rel, i.shard.depth)) byKey.set(unitKey(u), u);
    }
  }
  const shard = i.shard;
  return [...byKey.entries()]
    .filter(([key]) => shardOf(key, shard.count) === shard.index)
    .map(([, u]) => u)
    .sort((a, b) => compareKeys(unitKey(a), unitKey(b)));
}

function listUnit(side: PlanSide, limit: LimitFunction, u: ListUnit, i: PlanInput): AsyncIterable<ListedObject[]> {
  const { bucket, prefix } = side.location;
  const opts = { root: prefix, recursive: u.recursive, signal: i.signal, limit };
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
