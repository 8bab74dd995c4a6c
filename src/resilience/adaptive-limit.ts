/**
 * Like p-limit, but the concurrency is read from a governor every time a slot frees or a task
 * arrives, so a halved limit takes effect as running tasks finish (nothing is cancelled) and a
 * raised one at once. A task may name a key (its destination prefix): it then also needs a free
 * slot under that key's own limit, and tasks of other keys pass it in the queue meanwhile.
 */

/** What the limiter reads: a Governor, or anything with a `limit`. */
export interface LimitSource {
  readonly limit: number;
  forKey?(key: string): { readonly limit: number };
  onChange?(listener: () => void): () => void;
}

export interface RunOptions {
  key?: string;
  /** Aborting removes a task that has not started yet; one already running is not touched. */
  signal?: AbortSignal;
}

interface Queued {
  key?: string;
  start: () => void;
  cancel?: () => void;
}

export class AdaptiveLimiter {
  private running = 0;
  private perKey = new Map<string, number>();
  private queue: Queued[] = [];
  private unsubscribe?: () => void;

  constructor(private readonly source: LimitSource) {
    this.unsubscribe = source.onChange?.(() => this.pump());
  }

  get activeCount(): number {
    return this.running;
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /** Stops listening to the governor (the limiter keeps working, reading the limit as tasks end). */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  run<T>(fn: () => Promise<T>, opts: RunOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(opts.signal.reason);
        return;
      }
      const item: Queued = {
        key: opts.key,
        start: () => {
          if (onAbort) opts.signal!.removeEventListener('abort', onAbort);
          this.running++;
          if (item.key !== undefined) this.perKey.set(item.key, (this.perKey.get(item.key) ?? 0) + 1);
          // A synchronous throw in fn becomes a rejection, like p-limit.
          Promise.resolve()
            .then(fn)
            .then(resolve, reject)
            .finally(() => {
              this.running--;
              if (item.key !== undefined) {
                const n = this.perKey.get(item.key)! - 1;
                if (n === 0) this.perKey.delete(item.key);
                else this.perKey.set(item.key, n);
              }
              this.pump();
            });
        },
      };
      const onAbort = opts.signal
        ? () => {
            const i = this.queue.indexOf(item);
            if (i >= 0) {
              this.queue.splice(i, 1);
              reject(opts.signal!.reason);
            }
          }
        : undefined;
      if (onAbort) opts.signal!.addEventListener('abort', onAbort, { once: true });
      this.queue.push(item);
      this.pump();
    });
  }

  private pump(): void {
    let limit = Math.max(1, Math.floor(this.source.limit));
    for (let i = 0; i < this.queue.length && this.running < limit;) {
      const item = this.queue[i]!;
      if (item.key !== undefined && this.source.forKey) {
        const keyLimit = Math.max(1, Math.floor(this.source.forKey(item.key).limit));
        if ((this.perKey.get(item.key) ?? 0) >= keyLimit) {
          i++;
          continue;
        }
      }
      this.queue.splice(i, 1);
      item.start();
      limit = Math.max(1, Math.floor(this.source.limit));
    }
  }
}
