/**
 * One simulated bucket: a view of the shared key space where a deterministic fraction of the keys
 * is missing or differs (size and ETag), and per-key metadata (size, ETag) derived from the index.
 */
import type { KeySpace } from './keyspace.js';

export interface BucketOptions {
  name: string;
  /** Fraction (0..1) of the keys this bucket does not hold. */
  missing?: number;
  /** Fraction (0..1) of the keys whose size and ETag differ from the other buckets'. */
  differ?: number;
  /** Swap the second and third keys of every ListObjectsV2 page (a server that lists out of order). */
  outOfOrder?: boolean;
}

export interface ObjectMeta {
  size: number;
  etag: string;
}

/** A 32-bit integer hash (the murmur3 finaliser): well spread, cheap, deterministic. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex8 = (x: number) => HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;

/** Whether index i falls in a fraction of the space; `salt` keeps the missing and differing sets apart. */
function picked(i: number, fraction: number, salt: number): boolean {
  if (fraction <= 0) return false;
  if (fraction >= 1) return true;
  return mix32((i ^ salt) + Math.floor(i / 0x100000000)) / 0x100000000 < fraction;
}

export class SimBucket {
  readonly name: string;
  readonly outOfOrder: boolean;
  private readonly missingFraction: number;
  private readonly differFraction: number;

  constructor(
    readonly space: KeySpace,
    opts: BucketOptions,
  ) {
    this.name = opts.name;
    this.outOfOrder = opts.outOfOrder ?? false;
    this.missingFraction = opts.missing ?? 0;
    this.differFraction = opts.differ ?? 0;
  }

  missing(i: number): boolean {
    return picked(i, this.missingFraction, 0x5bd1e995);
  }

  differs(i: number): boolean {
    return picked(i, this.differFraction, 0x27d4eb2f);
  }

  /** Size and ETag (32 hex, a plain single-part ETag) of the key at i; a differing key changes both. */
  meta(i: number, key: string): ObjectMeta {
    const d = this.differs(i) ? 1 : 0;
    const seed = Math.imul(i, 4) ^ (d ? 0x9e3779b9 : 0);
    const etag = hex8(mix32(seed)) + hex8(mix32(seed + 1)) + hex8(mix32(seed + 2)) + hex8(mix32(seed + 3 + Math.floor(i / 0x40000000)));
    // A .CHECKSUM holds "<64 hex>  <zip name>\n"; a zip is tens of kB.
    const size = key.endsWith('.CHECKSUM') ? 64 + 2 + (key.length - key.lastIndexOf('/') - 1 - '.CHECKSUM'.length) + 1 : 40_000 + (mix32(i) % 30_000);
    return { size: size + d, etag };
  }

  /** The index of `key` in this bucket, or -1. */
  find(key: string): number {
    const i = this.space.indexOf(key);
    return i >= 0 && !this.missing(i) ? i : -1;
  }

  /** Every key this bucket holds, in order (for tests over a small space). */
  keys(): string[] {
    if (this.space.size > 1_000_000) throw new Error('keys() is for small spaces');
    const out: string[] = [];
    for (let i = 0; i < this.space.size; i++) if (!this.missing(i)) out.push(this.space.keyAt(i));
    return out;
  }
}
