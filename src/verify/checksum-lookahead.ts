import { checksumKeyFor } from './checksum-file.js';

/** A copy released by the lookahead, with whether the source lists its `.CHECKSUM` (undefined: could not tell). */
export interface Released<T> {
  item: T;
  checksumFile?: boolean;
  /** The listed ETag of the zip's `.CHECKSUM`, when it has one. */
  checksumEtag?: string;
}

interface Held<T> {
  checksumKey: string;
  zipKey: string;
  item: T;
  waited: number;
}

/**
 * Tells, from the plan's source keys in listing order, whether a copied zip has a `.CHECKSUM`.
 * In S3 order only keys that start with `X.zip` and sort before `X.zip.CHECKSUM` can come between
 * the two, so a zip is held until its `.CHECKSUM` shows up (it has one) or a key that could not
 * come before it does (it has none). A zip held past `maxWait` keys, one whose `.CHECKSUM` the
 * selection leaves out of the plan, and what is held at the end are released as unknown (verified
 * as before). Every other copy passes straight through.
 */
export class ChecksumLookahead<T> {
  private held: Held<T>[] = [];

  constructor(
    private readonly maxWait: number,
    /** Whether a relative key is in the plan at all (the run's selection). */
    private readonly planned: (key: string) => boolean = () => true,
  ) {}

  /** Notes one source key of the plan with its listed ETag (`item` when it is copied); returns the copies now decided. */
  push(key: string, etag: string, item?: T): Released<T>[] {
    const out: Released<T>[] = [];
    if (this.held.length > 0) this.advance(key, etag, out);
    if (item === undefined) return out;
    const checksumKey = checksumKeyFor(key);
    if (checksumKey === undefined) out.push({ item });
    else if (!this.planned(checksumKey)) out.push({ item });
    else this.held.push({ checksumKey, zipKey: key, item, waited: 0 });
    return out;
  }

  /** The listing ended: everything still held, as unknown. */
  flush(): Released<T>[] {
    const out = this.held.map((h) => ({ item: h.item }));
    this.held = [];
    return out;
  }

  private advance(key: string, etag: string, out: Released<T>[]): void {
    const still: Held<T>[] = [];
    for (const h of this.held) {
      if (key === h.checksumKey) out.push({ item: h.item, checksumFile: true, checksumEtag: etag });
      else if (!(key.startsWith(h.zipKey) && key < h.checksumKey)) out.push({ item: h.item, checksumFile: false });
      else if (++h.waited > this.maxWait) out.push({ item: h.item });
      else still.push(h);
    }
    this.held = still;
  }
}
