import type { S3Client } from '@aws-sdk/client-s3';
import { shardOf, unitKeyOf, type ShardSpec } from '../plan/shard.js';
import { abortStaleUploads } from '../resilience/cleanup.js';
import { classifyError } from '../resilience/errors.js';
import type { Location } from '../storage/types.js';
import type { RunState } from './run-state.js';

/**
 * Leftovers of a crashed run: incomplete multipart uploads started before this run, in our own
 * leased prefix, under the selected prefixes (`relPrefixes`, relative) and in our shard only.
 */
export async function cleanUpLeftovers(
  run: RunState,
  client: S3Client,
  dest: Location,
  relPrefixes: readonly string[],
  shard: (ShardSpec & { depth: number }) | undefined,
): Promise<void> {
  const { log } = run;
  const { bucket, prefix } = dest;
  if (prefix === '') {
    log.info('not cleaning incomplete multipart uploads: the destination has no prefix, so the whole bucket would be touched');
    return;
  }
  const keep = (key: string) => {
    const rel = key.slice(prefix.length);
    if (!shard) return relPrefixes.some((p) => rel.startsWith(p));
    const unit = unitKeyOf(rel, relPrefixes, shard.depth);
    return unit !== undefined && shardOf(unit, shard.count) === shard.index;
  };
  try {
    const out = await abortStaleUploads(client, bucket, prefix, { olderThan: run.startedAt, keep, signal: run.abort });
    if (out.aborted.length > 0) {
      const keys = out.aborted.slice(0, 20).map((u) => u.key);
      log.warn('aborted incomplete multipart uploads left by an earlier run', { aborted: out.aborted.length, keys });
    }
    for (const f of out.failed) log.warn('could not abort an incomplete multipart upload', { key: f.upload.key, error: classifyError(f.error).code });
  } catch (err) {
    const c = classifyError(err);
    log.warn('could not list incomplete multipart uploads; leaving them', { error_class: c.class, code: c.code });
  }
}
