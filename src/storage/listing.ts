import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { compareKeys } from './keys.js';
import type { ListedObject } from './types.js';

export class ListingOrderError extends Error {
  constructor(
    readonly bucket: string,
    readonly previous: string,
    readonly next: string,
  ) {
    super(`s3://${bucket} listed '${next}' after '${previous}': not in S3's UTF-8 byte order`);
    this.name = 'ListingOrderError';
  }
}

export interface ListOptions {
  /** Keys yielded are relative to this prefix. */
  root: string;
  /** false: only the objects directly under the prefix (delimiter '/'). */
  recursive?: boolean;
  pageSize?: number;
  /** Pages fetched ahead of the consumer, so listing latency overlaps with work. */
  readAhead?: number;
  signal?: AbortSignal;
}

/** Streams every object under `prefix`, keys relative to `opts.root`, one page of read-ahead at a time. */
export async function* listPrefix(client: S3Client, bucket: string, prefix: string, opts: ListOptions): AsyncGenerator<ListedObject> {
  const pages = paginateListObjectsV2(
    { client, pageSize: opts.pageSize ?? 1000 },
    { Bucket: bucket, Prefix: prefix, Delimiter: opts.recursive === false ? '/' : undefined },
  );
  for await (const page of readAhead(pages, opts.readAhead ?? 2)) {
    if (opts.signal?.aborted) return;
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield {
        key: o.Key.slice(opts.root.length),
        size: o.Size ?? 0,
        etag: (o.ETag ?? '').replace(/"/g, ''),
        lastModified: o.LastModified,
        storageClass: o.StorageClass,
      };
    }
  }
}

/** Checks the stream is in S3 order as it passes; throws ListingOrderError at the first violation. */
export async function* checkOrder(bucket: string, source: AsyncIterable<ListedObject>): AsyncGenerator<ListedObject> {
  let previous: string | undefined;
  for await (const o of source) {
    if (previous !== undefined && compareKeys(previous, o.key) >= 0) throw new ListingOrderError(bucket, previous, o.key);
    previous = o.key;
    yield o;
  }
}

export function buffered<T>(source: AsyncIterable<T>, capacity: number): AsyncIterable<T> {
  return new BufferedStream(source, capacity);
}

async function* readAhead<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  yield* new BufferedStream(source, depth);
}

/**
 * Pulls from `source` eagerly into a buffer of at most `capacity` items, so a slow consumer and a
 * slow producer overlap. Errors surface to the consumer in order.
 */
class BufferedStream<T> implements AsyncIterable<T> {
  private buffer: T[] = [];
  private done = false;
  private error: unknown;
  private wake?: () => void;
  private space?: () => void;
  private iterator: AsyncIterator<T>;

  constructor(
    source: AsyncIterable<T>,
    private capacity: number,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        while (this.buffer.length >= this.capacity) await new Promise<void>((r) => (this.space = r));
        const next = await this.iterator.next();
        if (next.done) break;
        this.buffer.push(next.value);
        this.wake?.();
      }
    } catch (e) {
      this.error = e ?? new Error('listing failed');
    }
    this.done = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.buffer.length > 0) {
          const item = this.buffer.shift() as T;
          this.space?.();
          yield item;
          continue;
        }
        if (this.error !== undefined) throw this.error;
        if (this.done) return;
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      if (!this.done) await this.iterator.return?.();
    }
  }
}
