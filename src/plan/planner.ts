import type { S3Client } from '@aws-sdk/client-s3';
import { externalSort } from '../storage/external-sort.js';
import { checkOrder, listPrefixes } from '../storage/listing.js';
import type { ListedObject, Location } from '../storage/types.js';
import { copyAll, diffListings, type Action } from './diff.js';

export interface PlanSide {
  client: S3Client;
  location: Location;
  /** Full key prefixes to list on this side (sorted, none inside another). */
  prefixes: string[];
}

export interface PlanInput {
  source: PlanSide;
  dest: PlanSide;
  incremental: boolean;
  deleteExtras: boolean;
  selected: (relativeKey: string) => boolean;
  /** Sort listings on disk instead of trusting the server's order. */
  sortListings: boolean;
  onListed?: (o: ListedObject) => void;
  signal?: AbortSignal;
}

/**
 * Streams the actions that bring the destination up to date. Listings are checked for S3 key
 * order as they pass (ListingOrderError at the first violation) unless `sortListings` is set.
 */
export function planActions(i: PlanInput): AsyncGenerator<Action> {
  const src = counted(ordered(i.source, i), i.onListed);
  if (!i.incremental) return copyAll(src, i.selected);
  return diffListings(src, ordered(i.dest, i), { deleteExtras: i.deleteExtras, selected: i.selected });
}

function ordered(side: PlanSide, i: PlanInput): AsyncIterable<ListedObject> {
  const listing = listPrefixes(side.client, side.location.bucket, side.prefixes, { root: side.location.prefix, signal: i.signal });
  return i.sortListings ? externalSort(listing) : checkOrder(side.location.bucket, listing);
}

async function* counted(it: AsyncIterable<ListedObject>, onListed?: (o: ListedObject) => void): AsyncGenerator<ListedObject> {
  for await (const o of it) {
    onListed?.(o);
    yield o;
  }
}
