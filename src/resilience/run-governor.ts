/**
 * The run's governor and what feeds it: AIMD concurrency built from the sizing, each attempt's
 * outcome recorded overall and for its destination prefix, and more retries while network errors
 * are frequent (the live retry policy every engine and the verifier read).
 */
import type { ClassifiedError } from './errors.js';
import { Governor, networkInstability, outcomeOf } from './governor.js';
import type { RetryPolicy } from './retry.js';

type Degrade = (from: string, to: string, reason: string) => void;

export interface GovernorSizing {
  initial: number;
  max: number;
  increaseStep: number;
}

/** The run's governor; a cut is a degradation (logged, reported), growing back is routine (`onRaise`, a debug log). */
export function runGovernor(s: GovernorSizing, degrade: Degrade, onRaise: (from: number, to: number, reason: string) => void): Governor {
  const governor = new Governor({
    initial: s.initial,
    min: 1,
    max: s.max,
    windowSize: 200,
    errorRateThreshold: 0.05,
    throttleThreshold: 0.05,
    increaseStep: s.increaseStep,
    cooldownMs: 5_000,
  });
  governor.onChange((e) => {
    const reason = e.key ? `${e.reason} (prefix ${e.key})` : e.reason;
    if (e.to < e.from) degrade(`concurrency ${e.from}`, `concurrency ${e.to}`, reason);
    else onRaise(e.from, e.to, reason);
  });
  return governor;
}

/**
 * One attempt's outcome (no error: success) into the governor and the governor of the key's
 * group (`groupOf`: the selection's, the symbol folder in the Binance layout).
 */
export function outcomeRecorder(governor: Governor, groupOf: (key: string) => string): (key: string, error?: ClassifiedError) => void {
  return (key, error) => {
    const outcome = outcomeOf(error);
    if (!outcome) return;
    governor.record(outcome);
    governor.forKey(groupOf(key)).record(outcome);
  };
}

/** More retries while connection errors are frequent: raises and lowers the live policy's retry count. */
export class NetworkRetries {
  private extra = 0;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly base: number,
    private readonly degrade: Degrade,
  ) {}

  /** Follows the window's network error rate (0..1). */
  update(networkErrorRate: number): void {
    const extra = networkInstability(networkErrorRate).extraRetries;
    if (extra === this.extra) return;
    this.degrade(`retry_count ${this.base + this.extra}`, `retry_count ${this.base + extra}`, `network error rate ${(networkErrorRate * 100).toFixed(1)}%`);
    this.extra = extra;
    this.policy.retryCount = this.base + extra;
  }
}
