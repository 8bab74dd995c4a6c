/**
 * Rate limits: a token bucket, and on top of it a bandwidth limiter (bytes per second from the
 * seed's `rate_limit_mbps`), a throttled stream for the stream engine and a request-rate limiter.
 *
 * Unit: `rate_limit_mbps` is megabits per second, SI (1 Mbps = 1,000,000 bit/s = 125,000 bytes/s),
 * as in the seed's Bandwidth Management, where it is a share of the link's bandwidth, and as
 * network interfaces report their speed. It is not MiB/s, the unit of the report's mb_per_second.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { setTimeout as sleepFor } from 'node:timers/promises';
import { megabitsPerSecondToBytes } from '../units.js';

export interface TokenBucketOptions {
  /** Tokens added per second; Infinity disables the limit. */
  ratePerSecond: number;
  /** Most tokens the bucket holds (the largest burst); default 2 × rate, the seed's burst allowance. */
  burst?: number;
  /** Tokens at the start; default a full bucket. */
  initialTokens?: number;
  /** Milliseconds; default performance.now. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Waiter {
  n: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

const defaultSleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal });

/**
 * Tokens refill continuously at `ratePerSecond` up to `burst`. Takers are served in arrival order,
 * so a large request is not starved by a stream of small ones.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private queue: Waiter[] = [];
  private draining = false;
  private wake?: AbortController;

  constructor(o: TokenBucketOptions) {
    if (!(o.ratePerSecond > 0)) throw new RangeError(`token bucket: ratePerSecond must be positive (got ${o.ratePerSecond})`);
    this.ratePerSecond = o.ratePerSecond;
    this.burst = o.burst ?? 2 * o.ratePerSecond;
    if (!(this.burst > 0)) throw new RangeError(`token bucket: burst must be positive (got ${this.burst})`);
    this.now = o.now ?? (() => performance.now());
    this.sleep = o.sleep ?? defaultSleep;
    this.tokens = Math.min(this.burst, o.initialTokens ?? this.burst);
    this.last = this.now();
  }

  get unlimited(): boolean {
    return this.ratePerSecond === Infinity;
  }

  /** Tokens available now (refilled to this moment). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Waits until `n` tokens are taken; requests larger than the burst are taken in burst-sized chunks. */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.unlimited || !(n > 0)) return;
    for (let left = n; left > 0;) {
      const chunk = Math.min(left, this.burst);
      await this.takeChunk(chunk, signal);
      left -= chunk;
    }
  }

  private refill(): void {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
    }
  }

  private takeChunk(n: number, signal?: AbortSignal): Promise<void> {
    if (this.queue.length === 0) {
      this.refill();
      if (this.tokens >= n) {
        this.tokens -= n;
        return Promise.resolve();
      }
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { n, resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i < 0) return;
          this.queue.splice(i, 1);
          reject(signal.reason);
          // The head may have been the one waited for: let the next waiter's wait start now.
          if (i === 0) this.wake?.abort();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        this.refill();
        if (this.tokens >= head.n) {
          this.tokens -= head.n;
          this.queue.shift();
          if (head.onAbort) head.signal!.removeEventListener('abort', head.onAbort);
          head.resolve();
          continue;
        }
        const waitMs = ((head.n - this.tokens) / this.ratePerSecond) * 1000;
        this.wake = new AbortController();
        try {
          await this.sleep(waitMs, this.wake.signal);
        } catch {
          // Woken early because the head was aborted: look at the queue again.
        }
        this.wake = undefined;
      }
    } finally {
      this.draining = false;
    }
  }
}

/**
 * A byte-rate bucket for `rate_limit_mbps` (megabits per second); undefined when no limit is set
 * (undefined, 0 or negative), so callers skip throttling entirely.
 */
export function bandwidthLimiter(rateLimitMbps: number | undefined, opts: Omit<TokenBucketOptions, 'ratePerSecond'> = {}): TokenBucket | undefined {
  if (rateLimitMbps === undefined || !(rateLimitMbps > 0)) return undefined;
  return new TokenBucket({ ...opts, ratePerSecond: megabitsPerSecondToBytes(rateLimitMbps) });
}

/**
 * `readable` piped through a Transform that passes bytes on only as fast as `bucket` allows,
 * slicing chunks larger than the burst so the output stays smooth.
 */
export function throttledStream(readable: Readable, bucket: TokenBucket): Transform {
  const ac = new AbortController();
  const slice = Math.max(1, Math.floor(Math.min(bucket.burst, 64 * 1024)));
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      void (async () => {
        for (let off = 0; off < chunk.length; off += slice) {
          const piece = chunk.subarray(off, off + slice);
          await bucket.take(piece.length, ac.signal);
          this.push(piece);
        }
      })().then(() => cb(), cb);
    },
    destroy(err, cb) {
      ac.abort(err ?? new Error('throttled stream destroyed'));
      // Nobody reads the source any more: release it (an S3 body holds a socket).
      if (!readable.readableEnded) readable.destroy(err ?? undefined);
      cb(err);
    },
  });
  readable.on('error', (e) => t.destroy(e));
  return readable.pipe(t);
}

/** S3's documented request rates per partitioned prefix. */
export const S3_PREFIX_WRITE_RPS = 3500;
export const S3_PREFIX_READ_RPS = 5500;

export interface RequestRateLimiterOptions extends Omit<TokenBucketOptions, 'ratePerSecond'> {
  ratePerSecond: number;
  /** Most keys with their own bucket; least recently used are dropped beyond that. Default 10,000. */
  maxKeys?: number;
}

/**
 * Requests per second, overall or per key (a destination prefix, against S3's per-prefix rate).
 * The burst defaults to one second of requests, not two: S3 counts per second.
 */
export class RequestRateLimiter {
  private buckets = new Map<string, TokenBucket>();

  constructor(private readonly opts: RequestRateLimiterOptions) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError(`request rate: ratePerSecond must be positive (got ${opts.ratePerSecond})`);
  }

  /** Waits for one request's turn under `key` ('' for one overall limit). */
  acquire(key = '', signal?: AbortSignal): Promise<void> {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
    } else {
      b = new TokenBucket({ burst: this.opts.ratePerSecond, ...this.opts });
      if (this.buckets.size >= (this.opts.maxKeys ?? 10_000)) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    return b.take(1, signal);
  }

  /** Runs `fn` once its request may go. */
  async schedule<T>(fn: () => Promise<T>, key = '', signal?: AbortSignal): Promise<T> {
    await this.acquire(key, signal);
    return fn();
  }
}

export type Priority = 'high' | 'medium' | 'low';

const PRIORITY_SHARE: Record<Priority, number> = { high: 0.8, medium: 0.5, low: 0.25 };

/** The seed's configure_bandwidth_limits: 80%, 50% or 25% of the available bandwidth, in the same unit. */
export function priorityBandwidth(availableMbps: number, priority: Priority): number {
  return availableMbps * PRIORITY_SHARE[priority];
}
