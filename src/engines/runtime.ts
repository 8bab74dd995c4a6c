import type { AdaptiveLimiter } from '../resilience/adaptive-limit.js';
import { classifyError, type ClassifiedError } from '../resilience/errors.js';
import type { RequestRateLimiter, TokenBucket } from '../resilience/rate-limit.js';
import { withRetry, type RetryInfo, type RetryPolicy } from '../resilience/retry.js';

/**
 * What the engines share with the job: the adaptive concurrency limit, the retry policy, the
 * optional request-rate and bandwidth caps, and where each attempt's outcome is reported (the
 * governor). Engines' S3 clients make one attempt per request; retries happen here, per request.
 */
export interface CopyRuntime {
  limiter: AdaptiveLimiter;
  retry: RetryPolicy;
  /** The per-key concurrency group of a relative key (its destination prefix). */
  groupOf(key: string): string;
  /** One attempt's outcome: no error means success. */
  record(key: string, error?: ClassifiedError): void;
  onRetry(key: string, info: RetryInfo): void;
  requests?: RequestRateLimiter;
  bandwidth?: TokenBucket;
}

/** A failure that remembers how many attempts it took. */
export class AttemptsError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly attempts: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Runs one S3 request with the run's retry policy, request cap and outcome reporting. */
export async function attempt<T>(rt: CopyRuntime, key: string, signal: AbortSignal | undefined, op: () => Promise<T>): Promise<{ value: T; attempts: number }> {
  let attempts = 0;
  try {
    const value = await withRetry(
      async (n) => {
        attempts = n;
        await rt.requests?.acquire('', signal);
        try {
          const v = await op();
          rt.record(key);
          return v;
        } catch (err) {
          if (!signal?.aborted) rt.record(key, classifyError(err));
          throw err;
        }
      },
      rt.retry,
      { signal, onRetry: (info) => rt.onRetry(key, info) },
    );
    return { value, attempts };
  } catch (err) {
    throw new AttemptsError(err, attempts);
  }
}

export function failure(err: unknown): { error: ClassifiedError; attempts: number } {
  if (err instanceof AttemptsError) return { error: classifyError(err.cause), attempts: Math.max(1, err.attempts) };
  return { error: classifyError(err), attempts: 1 };
}
