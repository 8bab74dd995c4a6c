import type { S3Client } from '@aws-sdk/client-s3';
import { listPage } from './list-request.js';
import type { Location } from './types.js';

/**
 * Whether `loc` still lists `key` (relative to its prefix), asked after a copy or read of it was
 * answered NoSuchKey. It lists rather than HEADs: the listing hands the key back as data, so a key
 * that reached the failed request mangled (an encoding bug) is still found here, where a HEAD built
 * the same wrong way would miss it too. Retries are the client's (the run's policy); a listing that
 * still fails throws.
 */
export async function stillListed(client: S3Client, loc: Location, key: string, signal?: AbortSignal): Promise<boolean> {
  const full = loc.prefix + key;
  const page = await listPage(client, { bucket: loc.bucket, prefix: full, maxKeys: 1 }, signal);
  return page.objects[0]?.key === full;
}
