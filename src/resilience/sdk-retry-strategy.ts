/**
 * The run's retry policy (retry.ts: per-class backoff, full jitter for throttling, class attempt
 * limits) as the AWS SDK's RetryStrategyV2, so every request an SDK client sends (listing, HEAD,
 * GET, DeleteObjects, multipart calls, STS, Secrets Manager) is retried the same way without a
 * retry loop around each call. Unlike the SDK's standard strategy it keeps no retry quota: under
 * sustained throttling the quota drains and the SDK stops retrying, which ends a long run on a
 * request that a later attempt would have got through.
 */
import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken } from '@smithy/types';
import { classifyError, type ClassifiedError, type ErrorClass } from './errors.js';
import { retryDecision, type RetryInfo, type RetryPolicy } from './retry.js';

/** The SDK's own classification, for an error that did not come with the error object. */
const FROM_SDK_TYPE: Record<RetryErrorType, ErrorClass> = {
  THROTTLING: 'throttling',
  TRANSIENT: 'network',
  SERVER_ERROR: 'service',
  CLIENT_ERROR: 'client',
};

class PolicyRetryToken implements RetryToken {
  constructor(
    private readonly count: number,
    private readonly delayMs: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  /** The SDK's retry middleware waits this long (abortably) before the next attempt. */
  getRetryDelay(): number {
    return this.delayMs;
  }
}

export interface PolicyRetryStrategyOptions {
  /** Called before each retry (not on the final failure). */
  onRetry?: (info: RetryInfo) => void;
}

export function classifyRetryError(info: RetryErrorInfo): ClassifiedError {
  const error = info.error as (Error & { $metadata?: { clockSkewCorrected?: boolean } }) | undefined;
  if (!error) {
    const cls = FROM_SDK_TYPE[info.errorType];
    return { class: cls, message: info.errorType, retryable: cls !== 'client' };
  }
  const c = classifyError(error);
  // The SDK corrected its clock after RequestTimeTooSkewed: the next attempt is signed right.
  if (error.$metadata?.clockSkewCorrected && !c.retryable) return { ...c, class: 'network', retryable: true };
  return c;
}

export class PolicyRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'run-policy';

  constructor(
    readonly policy: RetryPolicy,
    private readonly opts: PolicyRetryStrategyOptions = {},
  ) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return new PolicyRetryToken(0, 0);
  }

  /** Throws (the SDK then throws the request's own error) when the policy says stop. */
  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const error = classifyRetryError(info);
    const attempt = token.getRetryCount() + 1;
    const d = retryDecision(error, attempt, this.policy);
    if (!d.retry) throw new Error(d.reason);
    this.opts.onRetry?.({ attempt, error, delayMs: d.delayMs, reason: d.reason });
    return new PolicyRetryToken(attempt, d.delayMs);
  }

  recordSuccess(): void {}
}

/**
 * The retry settings for an SDK client's configuration: the strategy, and maxAttempts only for the
 * `amz-sdk-request` header (the strategy decides).
 */
export function sdkRetryConfig(policy: RetryPolicy, opts: PolicyRetryStrategyOptions = {}): { retryStrategy: RetryStrategyV2; maxAttempts: number } {
  return { retryStrategy: new PolicyRetryStrategy(policy, opts), maxAttempts: Math.max(0, Math.floor(policy.retryCount)) + 1 };
}

/** Retries of requests made before the configuration is loaded (Secrets Manager), and the schema's default. */
export const DEFAULT_SDK_RETRY_COUNT = 5;
