/**
 * Per-object fallback after a failed copy: an object s5cmd gave up on goes to the SDK engine
 * (with the run's retry policy), and a server-side copy the server refused goes to download and
 * upload, when the mode and the engine choice allow it.
 */
import { shouldFallBackToStream } from './select.js';
import type { CopyResult, CopyTask, EngineName } from './types.js';

export interface FallbackPolicy {
  /** The run's effective operation mode. */
  mode: 'auto' | 'direct_sync' | 'traditional';
  /** The engine forced with --engine, if any. */
  forced?: EngineName;
  /** Source and destination use the same credentials. */
  sameCredentials: boolean;
}

export interface FallbackEngines {
  sdk: { copyOne(task: CopyTask, signal?: AbortSignal): Promise<CopyResult> };
  stream: { copyOne(task: CopyTask, signal?: AbortSignal): Promise<CopyResult> };
}

/** Pure: a failure from an s5cmd batch (s5cmd gave up on it, or said nothing) that the SDK engine should try again. */
export function retryWithSdk(r: CopyResult, from: EngineName, aborted: boolean): boolean {
  return !r.ok && r.error !== undefined && from === 's5cmd' && r.error.retryable && !aborted;
}

/** Pure: a refused server-side copy that download and upload should try. */
export function fallBackToStream(r: CopyResult, policy: FallbackPolicy): boolean {
  return !r.ok && r.error !== undefined && r.engine !== 'stream' && shouldFallBackToStream(policy.mode, policy.forced, r.error, policy.sameCredentials);
}

/** The final result of one object of a batch from engine `from`, after the fallbacks it qualifies for. */
export async function settleWithFallback(
  r: CopyResult,
  task: CopyTask,
  from: EngineName,
  engines: FallbackEngines,
  policy: FallbackPolicy,
  opts: { signal?: AbortSignal; onStream: (r: CopyResult) => void },
): Promise<CopyResult> {
  if (retryWithSdk(r, from, opts.signal?.aborted ?? false)) r = await engines.sdk.copyOne(task, opts.signal);
  if (fallBackToStream(r, policy)) {
    opts.onStream(r);
    r = await engines.stream.copyOne(task, opts.signal);
  }
  return r;
}
