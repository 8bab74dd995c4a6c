import type { S3Client } from '@aws-sdk/client-s3';
import { compareKeys } from '../key-order.js';
import { listRanges, type PageFetch } from './list-ranges.js';
import { listPage } from './list-request.js';
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
  /** Pages fetched ahead of the consumer when listing one page after another. */
  readAhead?: number;
  /** List key ranges of the prefix at once (see list-ranges), at most this many ranges started; 0 or absent: one page after another. */
  rangeConcurrency?: number;
  /** Split into ranges only when the first page took at least this long (see list-ranges SPLIT_ABOVE_MS). */
  rangeSplitAboveMs?: number;
  /** Only keys after this full key (ListObjectsV2 StartAfter). */
  startAfter?: string;
  /** Only keys before this full key: the listing stops at the first key at or after it. */
  endBefore?: string;
  /** Keys per page (MaxKeys); S3's 1,000 when absent. */
  pageSize?: number;
  /** Runs each request; the side's bound on requests in flight. */
  limit?: <T>(request: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
}

/** Pages of the objects under `prefix` in the server's order, keys relative to `opts.root`. */
export async function* listPrefixPages(client: S3Client, bucket: string, prefix: string, opts: ListOptions): AsyncGenerator<ListedObject[]> {
  const limit = opts.limit ?? ((request) => request());
  const fetch: PageFetch = (q) => limit(() => listPage(client, { bucket, maxKeys: opts.pageSize, ...q }, opts.signal));
  // A bounded listing is short by design (a date window): it is not split into key ranges.
  const bounded = opts.startAfter !== undefined || opts.endBefore !== undefined;
  const pages =
    opts.recursive !== false && !bounded && (opts.rangeConcurrency ?? 0) > 0
      ? listRanges(fetch, prefix, {
          concurrency: opts.rangeConcurrency!,
          splitAboveMs: opts.rangeSplitAboveMs,
          onDisorder: (a, b) => new ListingOrderError(bucket, a, b),
        })
      : readAhead(serialPages(fetch, prefix, opts.recursive === false ? '/' : undefined, opts), opts.readAhead ?? 2);
  const cut = opts.root.length;
  for await (const page of pages) {
    if (opts.signal?.aborted) return;
    if (cut > 0) for (const o of page) o.key = o.key.slice(cut);
    yield page;
  }
}

/** Every object under `prefix`, keys relative to `opts.root`, one page after another. */
export async function* listPrefix(client: S3Client, bucket: string, prefix: string, opts: ListOptions): AsyncGenerator<ListedObject> {
  for await (const page of listPrefixPages(client, bucket, prefix, { ...opts, rangeConcurrency: 0 })) yield* page;
}

async function* serialPages(
  fetch: PageFetch,
  prefix: string,
  delimiter: string | undefined,
  bounds: Pick<ListOptions, 'startAfter' | 'endBefore'>,
): AsyncGenerator<ListedObject[]> {
  const { startAfter, endBefore } = bounds;
  let token: string | undefined;
  for (;;) {
    const page = await fetch({ prefix, delimiter, startAfter, continuationToken: token });
    if (endBefore !== undefined) {
      const end = page.objects.findIndex((o) => compareKeys(o.key, endBefore) >= 0);
      if (end >= 0) {
        if (end > 0) yield page.objects.slice(0, end);
        return;
      }
    }
    yield page.objects;
    if (!page.isTruncated) return;
    token = page.nextContinuationToken;
    if (!token) throw new Error(`listing of '${prefix}' is truncated but has no NextContinuationToken`);
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

/** checkOrder for a stream of pages: within each page and across them. */
export async function* checkPageOrder(bucket: string, source: AsyncIterable<ListedObject[]>): AsyncGenerator<ListedObject[]> {
  let previous: string | undefined;
  for await (const page of source) {
    for (const o of page) {
      if (previous !== undefined && compareKeys(previous, o.key) >= 0) throw new ListingOrderError(bucket, previous, o.key);
      previous = o.key;
    }
    yield page;
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
