import { compareKeys } from '../key-order.js';
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
 * Merge-join of two listings sorted in S3 key order, with relative keys, read page by page (the
 * join itself runs synchronously within pages). Constant memory: one page per side. The caller
 * guarantees the order (see storage/listing checkPageOrder).
 */
export async function* diffListings(source: AsyncIterable<ListedObject[]>, dest: AsyncIterable<ListedObject[]>, opts: DiffOptions): AsyncGenerator<Action> {
  const selected = opts.selected ?? (() => true);
  const src = new Cursor(source, selected);
  const dst = new Cursor(dest, selected);
  let s = await src.next();
  let d = await dst.next();
  while (s !== undefined || d !== undefined) {
    const order = s === undefined ? 1 : d === undefined ? -1 : compareKeys(s.key, d.key);
    if (order < 0) {
      yield { kind: 'copy', key: s!.key, source: s!, reason: 'missing' };
      s = src.peek() ?? (await src.next());
    } else if (order > 0) {
      if (opts.deleteExtras) yield { kind: 'delete', key: d!.key, dest: d! };
      d = dst.peek() ?? (await dst.next());
    } else {
      yield pairAction(s!, d!, opts.destinationEtags);
      s = src.peek() ?? (await src.next());
      d = dst.peek() ?? (await dst.next());
    }
  }
}

function pairAction(s: ListedObject, d: ListedObject, destinationEtags: DestinationEtags): Action {
  const verdict = compareListed(s, d, destinationEtags);
  if (verdict.same === true) return { kind: 'skip', key: s.key, source: s, dest: d };
  if (verdict.same === false) return { kind: 'copy', key: s.key, source: s, dest: d, reason: verdict.reason };
  return { kind: 'check', key: s.key, source: s, dest: d };
}

/** Without incremental comparison every selected source object is copied. */
export async function* copyAll(source: AsyncIterable<ListedObject[]>, selected: (key: string) => boolean = () => true): AsyncGenerator<Action> {
  for await (const page of source) for (const o of page) if (selected(o.key)) yield { kind: 'copy', key: o.key, source: o, reason: 'full' };
}

/** The selected objects of a stream of pages, one at a time: `peek` takes the next from the current page without awaiting. */
class Cursor {
  private page: ListedObject[] = [];
  private at = 0;
  private pages: AsyncIterator<ListedObject[]>;

  constructor(
    source: AsyncIterable<ListedObject[]>,
    private keep: (key: string) => boolean,
  ) {
    this.pages = source[Symbol.asyncIterator]();
  }

  /** The next selected object of the current page, or undefined when the page is used up. */
  peek(): ListedObject | undefined {
    while (this.at < this.page.length) {
      const o = this.page[this.at++]!;
      if (this.keep(o.key)) return o;
    }
    return undefined;
  }

  /** The next selected object, reading pages as needed; undefined at the end. */
  async next(): Promise<ListedObject | undefined> {
    for (;;) {
      const o = this.peek();
      if (o !== undefined) return o;
      const r = await this.pages.next();
      if (r.done) return undefined;
      this.page = r.value;
      this.at = 0;
    }
  }
}
