import type { S3Client } from '@aws-sdk/client-s3';
import { compareKeys } from '../storage/keys.js';
import { discoverUnits, unitKey, type ListUnit } from '../storage/discover.js';
import { externalSort } from '../storage/external-sort.js';
import { buffered, checkOrder, listPrefix } from '../storage/listing.js';
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
  const started: Array<{ src: AsyncIterable<ListedObject>; dst: AsyncIterable<ListedObject> } | undefined> = [];
  const start = (n: number) => {
    const u = units[n];
    if (!u || started[n]) return;
    started[n] = { src: buffered(listUnit(i.source, u, i), 2000), dst: buffered(listUnit(i.dest, u, i), 2000) };
  };
  for (let n = 0; n < units.length; n++) {
    for (let k = n; k <= n + depth; k++) start(k);
    const { src, dst } = started[n]!;
    started[n] = undefined;
    const counted = countListed(src, i.onListed);
    yield* i.incremental
      ? diffListings(counted, dst, { deleteExtras: i.deleteExtras, destinationEtags: i.destinationEtags, selected: i.selected })
      : copyAll(counted, i.selected);
  }
}

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

function listUnit(side: PlanSide, u: ListUnit, i: PlanInput): AsyncIterable<ListedObject> {
  const listing = listPrefix(side.client, side.location.bucket, side.location.prefix + u.rel, {
    root: side.location.prefix,
    recursive: u.recursive,
    signal: i.signal,
  });
  return i.sortListings ? externalSort(listing) : checkOrder(side.location.bucket, listing);
}

async function* countListed(it: AsyncIterable<ListedObject>, onListed?: (o: ListedObject) => void): AsyncGenerator<ListedObject> {
  for await (const o of it) {
    onListed?.(o);
    yield o;
  }
}
