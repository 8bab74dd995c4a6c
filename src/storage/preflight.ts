import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { PreflightError } from '../exit-codes.js';
import { classifyError } from '../resilience/errors.js';
import type { Sides } from './sides.js';

export interface PreflightInput {
  source: S3Client;
  dest: S3Client;
  sides: Sides;
  prefixes: string[];
  needWrite: boolean;
}

/** Fails fast, naming bucket, endpoint and what was refused, before anything is listed in bulk or written. */
export async function preflight(i: PreflightInput): Promise<void> {
  const { source, dest } = i.sides;
  const destWhere = `s3://${dest.location.bucket} at ${dest.client.endpoint ?? 'AWS S3'} (${dest.client.region})`;
  try {
    // A prefixed listing, not HeadBucket: a least-privilege role may list only under its prefix
    // (s3:prefix condition), and HeadBucket carries no prefix.
    await i.dest.send(new ListObjectsV2Command({ Bucket: dest.location.bucket, Prefix: dest.location.prefix, MaxKeys: 1 }));
  } catch (err) {
    const c = classifyError(err);
    if (c.code === 'NoSuchBucket' || c.status === 404 || c.code === 'NotFound') {
      throw new PreflightError(`destination bucket '${dest.location.bucket}' does not exist: ${destWhere}`);
    }
    if (c.class === 'permission') throw new PreflightError(`no access to destination bucket '${dest.location.bucket}' (${c.code ?? c.status}): ${destWhere}`);
    throw new PreflightError(`destination ${destWhere} cannot be reached: ${c.code ?? ''} ${c.message}`.trim());
  }
  const probePrefix = i.prefixes[0] ?? source.location.prefix;
  const srcWhere = `s3://${source.location.bucket}/${probePrefix} at ${source.client.endpoint ?? 'AWS S3'} (${source.client.region})`;
  try {
    await i.source.send(new ListObjectsV2Command({ Bucket: source.location.bucket, Prefix: probePrefix, MaxKeys: 1 }));
  } catch (err) {
    const c = classifyError(err);
    if (c.code === 'NoSuchBucket' || c.status === 404) throw new PreflightError(`source bucket '${source.location.bucket}' does not exist: ${srcWhere}`);
    if (c.class === 'permission') throw new PreflightError(`source cannot be listed (${c.code ?? c.status}): ${srcWhere}`);
    throw new PreflightError(`source ${srcWhere} cannot be reached: ${c.code ?? ''} ${c.message}`.trim());
  }
}
