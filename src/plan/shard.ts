import type { FolderStep } from '../config/selection.js';
import { prefixOf } from '../key-order.js';
import type { ListUnit } from './units.js';

/**
 * `--shard i/N`: this task plans and copies only the listing units whose group hashes to shard i
 * of N. The groups are the selection's (the symbol level in the Binance layout), or, with
 * `--shard-depth`, a key's first `depth` folders.
 */
export interface ShardSpec {
  index: number;
  count: number;
  /** Split at this many folder levels below the source prefix instead of the selection's groups. */
  depth?: number;
}

export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) {
    throw new Error(`--shard must be i/N with 0 <= i < N (e.g. 0/4), got '${text}'`);
  }
  return { index, count };
}

/** Which split a sharded run uses, as its lease scope records it: runs of different splits overlap. */
export function splitOf(shard: Pick<ShardSpec, 'depth'>): string {
  return shard.depth === undefined ? 'group' : `depth ${shard.depth}`;
}

/**
 * Stable shard of one group key: FNV-1a of it, so a group keeps its shard whatever other groups
 * appear or vanish between the shards' listings.
 */
export function shardOf(groupKey: string, count: number): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(groupKey, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

export interface Split {
  /** How a folder is listed in a sharded run: never a unit wider than a group. */
  step: (rel: string) => FolderStep;
  /** The group of a relative key (or of a unit's folder). */
  groupOf: (rel: string) => string;
}

/**
 * The split a sharded run uses: the selection's steps down to its groups, or with `depth` the
 * selection's steps with any whole-folder listing above that depth found by delimiter listing.
 */
export function shardSplit(
  selection: { folderStep: (rel: string, o?: { byGroup?: boolean }) => FolderStep; groupOf: (rel: string) => string },
  depth: number | undefined,
): Split {
  if (depth === undefined) return { step: (rel) => selection.folderStep(rel, { byGroup: true }), groupOf: (rel) => selection.groupOf(rel) };
  return {
    step: (rel) => {
      const s = selection.folderStep(rel);
      return s.kind === 'list' && levels(rel) < depth ? { kind: 'discover' } : s;
    },
    groupOf: (rel) => prefixOf(rel, depth),
  };
}

function levels(rel: string): number {
  let n = 0;
  for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) n++;
  return n;
}

/** The group a unit is sharded by: that of its folder (a prefix ending mid-name: of the folder it lies in). */
export function unitGroup(u: ListUnit, groupOf: (rel: string) => string): string {
  return groupOf(u.rel.slice(0, u.rel.lastIndexOf('/') + 1));
}

/** Only the units whose group hashes to this shard. */
export function unitsOfShard(units: readonly ListUnit[], shard: ShardSpec, groupOf: (rel: string) => string): ListUnit[] {
  return units.filter((u) => shardOf(unitGroup(u, groupOf), shard.count) === shard.index);
}
