import type { S3Client } from '@aws-sdk/client-s3';
import type { SyncConfig } from '../config/schema.js';
import { LeaseHeldError } from '../exit-codes.js';
import { splitOf, type ShardSpec } from '../plan/shard.js';
import { LeaseHolder } from '../storage/lease.js';
import type { Location } from '../storage/types.js';
import type { RunState } from './run-state.js';

/**
 * The destination's lease, taken before anything is written (exit 6 when another run holds it) and
 * renewed while the run lasts; losing it stops the run (RunState.leaseLost). Undefined with `lease: false`.
 */
export async function takeLease(
  config: SyncConfig,
  run: RunState,
  client: S3Client,
  dest: Location,
  shard: ShardSpec | undefined,
): Promise<LeaseHolder | undefined> {
  const { log } = run;
  if (!config.lease) {
    log.warn(
      'running without a destination lease (lease: false): nothing stops another run writing here at the same time, ' +
        'and left-over multipart uploads are not cleaned up',
    );
    return undefined;
  }
  let held: LeaseHolder;
  try {
    held = await LeaseHolder.take({
      client,
      bucket: dest.bucket,
      prefix: dest.prefix,
      scope: shard ? { kind: 'shard', index: shard.index, count: shard.count, split: splitOf(shard) } : { kind: 'all' },
      runId: run.runId,
      ttlSeconds: config.lease_ttl_seconds,
      retry: { retryCount: config.performance_optimization.retry_count },
      onRetry: run.retryLogger('retrying a lease request'),
      signal: run.stop,
      log,
    });
  } catch (err) {
    if (err instanceof LeaseHeldError) log.error('lease held by another run; writing nothing', { error: err.message });
    throw err;
  }
  log.info('lease taken', { key: held.key, expires_at: held.lease.expires_at, ttl_seconds: config.lease_ttl_seconds });
  held.startRenewing((reason) => {
    run.fatal = new LeaseHeldError(`lost the destination's lease mid-run (${reason}); started no more copies and cut those in flight`);
    log.error('lost the lease; stopping', { reason });
    run.leaseLost.abort();
  });
  return held;
}
