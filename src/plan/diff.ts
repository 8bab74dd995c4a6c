import { compareKeys } from '../storage/keys.js';
import type { ListedObject } from '../storage/types.js';
import { compareListed, type ChangeReason, type DestinationEtags } from './compare.js';

export type Action =
  | { kind: 'copy'; key: string; source: ListedObject; dest?: ListedObject; reason: 'missing' | 'full' | ChangeReason }
  | { kind: 'skip'; key: string; source: ListedObject; dest: ListedObject }
  /** Same size but ETags not comparable: the destination's recorded fingerprint decides. */
  | { kind: 'check'; key: string; source: ListedObject; dest: ListedObject }
  | { kind: 'delete'; key: string; dest: ListedObject };

export interface DiffOptions {
  /** Emit `delete` for destination keys absent from the source (sync mode). */
  deleteExtras: boolean;
  /** Whether the destination's plain ETags are MD5s (see compareListed). */
  destinationEtags: DestinationEtags;
  /** Keys (relative) that take part; others on either side are ignored. */
  selected?: (key: string) => boolean;
}

/**
 * Merge-join of two listings sorted in S3 key order, with relative keys. Constant memory: one
 * pending entry per side. The caller guarantees the order (see storage/listing checkOrder).
 */
export async function* diffListings(source: AsyncIterable<ListedObject>, dest: AsyncIterable<ListedObject>, opts: DiffOptions): AsyncGenerator<Action> {
  const selected = opts.selected ?? (() => true);
  const srcIt = filtered(source, selected)[Symbol.asyncIterator]();
  const dstIt = filtered(dest, selected)[Symbol.asyncIterator]();
  let s = await srcIt.next();
  let d = await dstIt.next();
  while (!s.done || !d.done) {
    const order = s.done ? 1 : d.done ? -1 : compareKeys(s.value.key, d.value.key);
    if (order < 0 && !s.done) {
      yield { kind: 'copy', key: s.value.key, source: s.value, reason: 'missing' };
      s = await srcIt.next();
    } else if (order > 0 && !d.done) {
      if (opts.deleteExtras) yield { kind: 'delete', key: d.value.key, dest: d.value };
      d = await dstIt.next();
    } else if (!s.done && !d.done) {
      const verdict = compareListed(s.value, d.value, opts.destinationEtags);
      if (verdict.same === true) yield { kind: 'skip', key: s.value.key, source: s.value, dest: d.value };
      else if (verdict.same === false) yield { kind: 'copy', key: s.value.key, source: s.value, dest: d.value, reason: verdict.reason };
      else yield { kind: 'check', key: s.value.key, source: s.value, dest: d.value };
      s = await srcIt.next();
      d = await dstIt.next();
    }
  }
}

/** Without incremental comparison every selected source object is copied. */
export async function* copyAll(source: AsyncIterable<ListedObject>, selected: (key: string) => boolean = () => true): AsyncGenerator<Action> {
  for await (const o of filtered(source, selected)) yield { kind: 'copy', key: o.key, source: o, reason: 'full' };
}

async function* filtered(it: AsyncIterable<ListedObject>, keep: (key: string) => boolean): AsyncGenerator<ListedObject> {
  for await (const o of it) if (keep(o.key)) yield o;
}
