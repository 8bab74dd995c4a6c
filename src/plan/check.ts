import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Location } from '../storage/types.js';
import { compareRecorded, SOURCE_ETAG_METADATA } from './compare.js';
import type { Action } from './diff.js';

/** Same size, ETags not comparable: the source ETag recorded on the destination object decides. */
export async function resolveCheck(dest: S3Client, location: Location, a: Extract<Action, { kind: 'check' }>): Promise<Action> {
  const h = await dest.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.prefix + a.key }));
  const verdict = compareRecorded(a.source, h.Metadata?.[SOURCE_ETAG_METADATA]);
  if (verdict.same === true) return { kind: 'skip', key: a.key, source: a.source, dest: a.dest };
  return { kind: 'copy', key: a.key, source: a.source, dest: a.dest, reason: verdict.same === false ? verdict.reason : 'no-fingerprint' };
}
