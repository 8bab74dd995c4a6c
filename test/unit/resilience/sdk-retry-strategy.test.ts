import type { RetryErrorInfo, RetryToken } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import type { RetryInfo } from '../../../src/resilience/retry.js';
import { classifyRetryError, PolicyRetryStrategy, sdkRetryConfig } from '../../../src/resilience/sdk-retry-strategy.js';

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status, ...extra } });
const info = (error: Error, errorType: RetryErrorInfo['errorType'] = 'CLIENT_ERROR'): RetryErrorInfo => ({
  error: error as RetryErrorInfo['error'],
  errorType,
});

/** Refreshes the token until the strategy refuses; the delays it asked for, in order. */
async function delaysUntilRefused(s: PolicyRetryStrategy, error: Error): Promise<number[]> {
  let token: RetryToken = await s.acquireInitialRetryToken();
  const delays: number[] = [];
  for (;;) {
    try {
      token = await s.refreshRetryTokenForRetry(token, info(error));
    } catch {
      return delays;
    }
    expect(token.getRetryCount()).toBe(delays.length + 1);
    delays.push(token.getRetryDelay());
    if (delays.length > 100) throw new Error('never refused');
  }
}

describe('PolicyRetryStrategy: the run policy as the SDK retry strategy', () => {
  it('throttling (SlowDown): retried up to retry_count, full jitter under an exponential ceiling', async () => {
    const s = new PolicyRetryStrategy({ retryCount: 6, random: () => 0.999 });
    const delays = await delaysUntilRefused(s, sdkError('SlowDown', 503));
    expect(delays).toHaveLength(6);
    // Ceilings 200·2^(n-1): the jittered wait stays under each, and full jitter can be ~0.
    expect(delays).toEqual([199, 399, 799, 1598, 3196, 6393]);
    const low = await delaysUntilRefused(new PolicyRetryStrategy({ retryCount: 2, random: () => 0 }), sdkError('SlowDown', 503));
    expect(low).toEqual([0, 0]);
  });

  it('service (500 InternalError): at most 3 retries whatever retry_count says, equal jitter', async () => {
    const delays = await delaysUntilRefused(new PolicyRetryStrategy({ retryCount: 10, random: () => 0 }), sdkError('InternalError', 500));
    expect(delays).toEqual([500, 1000, 2000]);
  });

  it('a 503 without a code (a HEAD has no body; the SDK names it Unknown) is throttling', async () => {
    const delays = await delaysUntilRefused(new PolicyRetryStrategy({ retryCount: 3, random: () => 0 }), sdkError('Unknown', 503));
    expect(delays).toEqual([0, 0, 0]);
  });

  it.each([
    ['AccessDenied', 403],
    ['NoSuchKey', 404],
    ['NoSuchBucket', 404],
    ['InvalidArgument', 400],
  ])('%s: never retried', async (name, status) => {
    expect(await delaysUntilRefused(new PolicyRetryStrategy({ retryCount: 10 }), sdkError(name, status))).toEqual([]);
  });

  it('network errors are retried; a clock-skew refusal the SDK corrected is retried', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(await delaysUntilRefused(new PolicyRetryStrategy({ retryCount: 4 }), reset)).toHaveLength(4);
    const skew = sdkError('RequestTimeTooSkewed', 403, { clockSkewCorrected: true });
    expect(classifyRetryError(info(skew)).retryable).toBe(true);
    expect(classifyRetryError(info(sdkError('RequestTimeTooSkewed', 403))).retryable).toBe(false);
  });

  it('without the error object, the SDK error type decides', () => {
    expect(classifyRetryError({ errorType: 'THROTTLING' }).class).toBe('throttling');
    expect(classifyRetryError({ errorType: 'TRANSIENT' }).class).toBe('network');
    expect(classifyRetryError({ errorType: 'SERVER_ERROR' }).class).toBe('service');
    expect(classifyRetryError({ errorType: 'CLIENT_ERROR' }).retryable).toBe(false);
  });

  it('no retry quota: 20,000 throttled requests in a row are all still retried', async () => {
    // The SDK's standard strategy spends 5 of 500 tokens per throttled retry and stops retrying
    // when they are gone; a long throttled run must not lose its retries that way.
    const s = new PolicyRetryStrategy({ retryCount: 3, random: () => 0.5 });
    const slowDown = sdkError('SlowDown', 503);
    for (let i = 0; i < 20_000; i++) {
      const token = await s.refreshRetryTokenForRetry(await s.acquireInitialRetryToken(), info(slowDown, 'THROTTLING'));
      expect(token.getRetryCount()).toBe(1);
    }
  });

  it('reports each retry (class, code, delay) but not the final refusal', async () => {
    const seen: RetryInfo[] = [];
    const s = new PolicyRetryStrategy({ retryCount: 2, random: () => 0 }, { onRetry: (r) => seen.push(r) });
    await delaysUntilRefused(s, sdkError('SlowDown', 503));
    expect(seen.map((r) => [r.attempt, r.error.class, r.error.code])).toEqual([
      [1, 'throttling', 'SlowDown'],
      [2, 'throttling', 'SlowDown'],
    ]);
  });

  it('sdkRetryConfig: the strategy, and retry_count + 1 attempts for the request header', () => {
    const c = sdkRetryConfig({ retryCount: 5 });
    expect(c.retryStrategy).toBeInstanceOf(PolicyRetryStrategy);
    expect(c.maxAttempts).toBe(6);
  });
});
