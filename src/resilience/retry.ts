/**
 * Retry decisions per error class (pure), and a small executor around them. The seed chose a
 * strategy by matching words in the message ("timeout", "throttle"); this reads the class that
 * `classifyError` derives from AWS error codes, HTTP status and Node error codes.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { classifyError, type ClassifiedError, type ErrorClass } from './errors.js';

export type Jitter = 'full' | 'equal' | 'none';

export interface BackoffStrategy {
  /** Never retried when false. */
  retry: boolean;
  baseMs: number;
  capMs: number;
  /**
   * full: random(0, ceiling), AWS's recommendation for contention (spreads clients out the most);
   * equal: ceiling/2 + random(0, ceiling/2), always waits a little (a reconnect needs some time).
   */
  jitter: Jitter;
  /** At most this many retries for the class, besides the policy's retry_count. */
  maxRetries?: number;
  why: string;
}

export const DEFAULT_STRATEGIES: Readonly<Record<ErrorClass, BackoffStrategy>> = {
  permission: { retry: false, baseMs: 0, capMs: 0, jitter: 'none', why: 'access refused: retrying cannot help' },
  throttling: { retry: true, baseMs: 200, capMs: 20_000, jitter: 'full', why: 'throttled: back off with full jitter' },
  network: { retry: true, baseMs: 100, capMs: 10_000, jitter: 'equal', why: 'network error: reconnect after a backoff' },
  service: { retry: true, baseMs: 1_000, capMs: 20_000, jitter: 'equal', maxRetries: 3, why: 'server error: retry conservatively' },
  vanished: { retry: false, baseMs: 0, capMs: 0, jitter: 'none', why: 'source object vanished: skipped and reported' },
  client: { retry: false, baseMs: 0, capMs: 0, jitter: 'none', why: 'request rejected as invalid: retrying cannot help' },
  unknown: { retry: true, baseMs: 1_000, capMs: 20_000, jitter: 'equal', maxRetries: 3, why: 'unrecognised error: retry conservatively, like a server error' },
};

export interface RetryPolicy {
  /** Retries per object after the first attempt (the config's retry_count); attempts = retryCount + 1. */
  retryCount: number;
  /** Uniform in [0, 1); injectable so tests are deterministic. Default Math.random. */
  random?: () => number;
  strategies?: Partial<Record<ErrorClass, Partial<BackoffStrategy>>>;
}

export interface RetryDecision {
  retry: boolean;
  delayMs: number;
  reason: string;
}

export function strategyFor(cls: ErrorClass, policy: RetryPolicy): BackoffStrategy {
  return { ...DEFAULT_STRATEGIES[cls], ...policy.strategies?.[cls] };
}

/** Retries a class allows under the policy: retry_count, or fewer where the class says so. */
export function maxRetriesFor(cls: ErrorClass, policy: RetryPolicy): number {
  const s = strategyFor(cls, policy);
  if (!s.retry) return 0;
  const n = Math.max(0, Math.floor(policy.retryCount));
  return s.maxRetries === undefined ? n : Math.min(n, s.maxRetries);
}

/** Upper bound of the wait before retry number `retry` (1-based): min(cap, base·2^(retry-1)). */
export function backoffCeiling(s: Pick<BackoffStrategy, 'baseMs' | 'capMs'>, retry: number): number {
  // Exponent clamped: 2^1024 is Infinity, and the cap has long taken over by then.
  return Math.min(s.capMs, s.baseMs * 2 ** Math.min(Math.max(0, retry - 1), 52));
}

export function jittered(ceiling: number, jitter: Jitter, random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  if (jitter === 'full') return Math.floor(r * ceiling);
  if (jitter === 'equal') return Math.floor(ceiling / 2 + r * (ceiling / 2));
  return ceiling;
}

/**
 * Whether to try again after `attempt` attempts have failed (1 after the first failure), and how
 * long to wait first.
 */
export function retryDecision(err: ClassifiedError, attempt: number, policy: RetryPolicy): RetryDecision {
  const s = strategyFor(err.class, policy);
  const what = err.code ? `${err.class} (${err.code})` : err.class;
  if (!s.retry) return { retry: false, delayMs: 0, reason: `${what}: ${s.why}` };
  const max = maxRetriesFor(err.class, policy);
  if (attempt > max) {
    return {
      retry: false,
      delayMs: 0,
      reason: `${what}: gave up after ${attempt} attempt${attempt === 1 ? '' : 's'} (${max} retr${max === 1 ? 'y' : 'ies'} allowed)`,
    };
  }
  const ceiling = backoffCeiling(s, attempt);
  const delayMs = jittered(ceiling, s.jitter, policy.random ?? Math.random);
  return { retry: true, delayMs, reason: `${what}: ${s.why}; retry ${attempt} of ${max} after ${delayMs} ms (ceiling ${ceiling} ms)` };
}

export interface RetryInfo {
  attempt: number;
  error: ClassifiedError;
  delayMs: number;
  reason: string;
}

export interface WithRetryOptions {
  onRetry?: (info: RetryInfo) => void;
  signal?: AbortSignal;
  /** Default: a timer that rejects as soon as the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal });

/**
 * Runs `fn` (given the attempt number, from 1) until it succeeds or `retryDecision` says stop, then
 * throws its last error unchanged. An aborted signal stops it at once with the signal's reason: an
 * error caused by the abort is never retried.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, opts: WithRetryOptions = {}): Promise<T> {
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      opts.signal?.throwIfAborted();
      const error = classifyError(err);
      const d = retryDecision(error, attempt, policy);
      if (!d.retry) throw err;
      opts.onRetry?.({ attempt, error, delayMs: d.delayMs, reason: d.reason });
      try {
        await sleep(d.delayMs, opts.signal);
      } catch (e) {
        opts.signal?.throwIfAborted();
        throw e;
      }
      opts.signal?.throwIfAborted();
    }
  }
}
