import type { S3Client } from '@aws-sdk/client-s3';
import { shardOf, shardSplit, type ShardSpec } from '../plan/shard.js';
import { abortStaleUploads } from '../resilience/cleanup.js';
import { classifyError } from '../resilience/errors.js';
import type { Location } from '../storage/types.js';
import type { RunState } from './run-state.js';
import type { RunScope } from './setup.js';

/**
 * Leftovers of a crashed run: incomplete multipart uploads started before this run, in our own
 * leased prefix, under the selected prefixes and in our shard's groups only.
 */
export async function cleanUpLeftovers(run: RunState, client: S3Client, dest: Location, scope: RunScope, shard: ShardSpec | undefined): Promise<void> {
  const { log } = run;
  const { bucket, prefix } = dest;
  if (prefix === '') {
    log.info('not cleaning incomplete multipart uploads: the destination has no prefix, so the whole bucket would be touched');
    return;
  }
  const groupOf = shard ? shardSplit(scope.selection, shard.depth).groupOf : undefined;
  const keep = (key: string) => {
    const rel = key.slice(prefix.length);
    if (!scope.relPrefixes.some((p) => rel.startsWith(p))) return false;
    return !shard || !groupOf || shardOf(groupOf(rel), shard.count) === shard.index;
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
