/** `--shard i/N`: this task plans and copies only the listing units that hash to shard i of N. */
export interface ShardSpec {
  index: number;
  count: number;
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

/**
 * Stable shard of one unit (a prefix found by delimiter listing): FNV-1a of its key, so a unit
 * keeps its shard whatever other units appear or vanish between the shards' listings.
 */
export function shardOf(unitKey: string, count: number): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(unitKey, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % count;
}

/**
 * The unit a relative key belongs to when the key space under `prefixes` is split `depth` levels
 * deep (the same units discoverUnits finds): the recursive unit of its first `depth` segments, or
 * the direct unit of its folder when it lies shallower. Undefined when under no prefix.
 */
export function unitKeyOf(rel: string, prefixes: readonly string[], depth: number): string | undefined {
  const base = prefixes.find((p) => rel.startsWith(p));
  if (base === undefined) return undefined;
  const segments = rel.slice(base.length).split('/');
  if (segments.length > depth) return base + segments.slice(0, depth).join('/') + (depth > 0 ? '/' : '');
  const folder = segments.slice(0, -1).join('/');
  return `${base}${folder ? folder + '/' : ''}\u0000direct`;
}
