/**
 * Pure: may this source and destination be used together at all? Checked by every command before
 * its first request, since a sync-mode run deletes whatever in the destination the source lacks.
 *
 * Prefixes are folders: the config turns `s3://b/data` into the prefix `data/` (a leading '/' is
 * dropped, a trailing '/' added), and every listing is made under it, so `s3://b/da` means the folder
 * `da/` and never covers `data/`. Two locations overlap when one folder starts with the other.
 */
import { normalisePrefix, type SyncConfig } from '../config/schema.js';
import type { Sides } from './sides.js';

export interface StoreLocation {
  bucket: string;
  prefix: string;
  /** The S3 endpoint URL; undefined is AWS S3. */
  endpoint?: string;
}

export interface LocationGuardInput {
  source: StoreLocation;
  dest: StoreLocation;
  syncMode: 'copy' | 'sync';
  allowBucketRoot: boolean;
}

export interface LocationRefusal {
  reason: 'overlap' | 'bucket-root';
  message: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Which object store an endpoint reaches. AWS S3 is one store whatever regional or VPC endpoint
 * names it (bucket names are global). Elsewhere the host, port and path decide; the scheme does not
 * and loopback names are one host, so that two spellings of one server are never taken for two
 * stores (a false "different" would let a run delete its own source).
 */
export function storeOf(endpoint: string | undefined): string {
  if (!endpoint) return 'aws';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return endpoint.trim().toLowerCase().replace(/\/+$/, '');
  }
  const host = url.hostname.toLowerCase();
  if (/(^|\.)amazonaws\.com$/.test(host)) return 'aws';
  if (/(^|\.)amazonaws\.com\.cn$/.test(host)) return 'aws-cn';
  // URL drops a scheme's default port, so http://h and https://h are one server, as they usually are.
  const port = url.port ? `:${url.port}` : '';
  return `${LOOPBACK.test(host) ? 'loopback' : host}${port}${url.pathname.replace(/\/+$/, '')}`;
}

function where(l: StoreLocation, prefix: string): string {
  return `s3://${l.bucket}/${prefix}`;
}

/**
 * Refuses (a) source and destination that are the same place or lie one inside the other in one
 * bucket of one store, in any sync mode: a copy-mode run would copy its own copies again, a
 * sync-mode run would delete the source; and (b) in sync mode, a destination at the bucket root
 * unless allowed, since every object in the bucket outside the source's keys would be deleted.
 */
export function locationRefusal(i: LocationGuardInput): LocationRefusal | undefined {
  const src = normalisePrefix(i.source.prefix);
  const dst = normalisePrefix(i.dest.prefix);
  const sameBucket = storeOf(i.source.endpoint) === storeOf(i.dest.endpoint) && i.source.bucket.toLowerCase() === i.dest.bucket.toLowerCase();
  if (sameBucket) {
    const s = where(i.source, src);
    const d = where(i.dest, dst);
    if (src === dst) return { reason: 'overlap', message: `source and destination are the same place (${d})` };
    if (dst.startsWith(src))
      return { reason: 'overlap', message: `the destination ${d} lies inside the source ${s}: every run would copy its own copies again` };
    if (src.startsWith(dst))
      return { reason: 'overlap', message: `the source ${s} lies inside the destination ${d}: a sync-mode run would delete what it mirrors` };
  }
  if (i.syncMode === 'sync' && dst === '' && !i.allowBucketRoot) {
    return {
      reason: 'bucket-root',
      message: `sync mode with the destination at the root of bucket ${i.dest.bucket} would delete every object in the bucket that the source does not have; give a destination prefix (s3://${i.dest.bucket}/PREFIX/) or pass --allow-bucket-root`,
    };
  }
  return undefined;
}

/** The same, for resolved sides and the configuration that asks for them. */
export function sidesRefusal(sides: Pick<Sides, 'source' | 'dest'>, config: Pick<SyncConfig, 'sync_mode' | 'allow_bucket_root'>): LocationRefusal | undefined {
  return locationRefusal({
    source: { ...sides.source.location, endpoint: sides.source.client.endpoint },
    dest: { ...sides.dest.location, endpoint: sides.dest.client.endpoint },
    syncMode: config.sync_mode,
    allowBucketRoot: config.allow_bucket_root,
  });
}
