import type { SyncConfig } from '../config/schema.js';
import type { ListedObject } from '../storage/types.js';

/**
 * What the destination's plain-looking ETags are: 'md5' (SSE-S3 or no encryption) compares
 * content; 'opaque' (SSE-KMS) does not, so LastModified decides a difference (see compareListed).
 */
export type DestinationEtags = SyncConfig['destination_etags'];

export type Verdict = { same: true } | { same: false; reason: ChangeReason } | { same: 'unknown' };
export type ChangeReason = 'size' | 'etag' | 'recorded-etag' | 'no-fingerprint';

/** A plain ETag (32 hex) is the MD5 of a single-part object, unless the bucket encrypts with SSE-KMS. */
export function isPlainEtag(etag: string): boolean {
  // Runs twice per listed pair: a character loop instead of a regular expression (3% of planning's CPU).
  if (etag.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = etag.charCodeAt(i);
    const lower = c | 0x20; // folds A-F onto a-f
    if (!((c >= 0x30 && c <= 0x39) || (lower >= 0x61 && lower <= 0x66))) return false;
  }
  return true;
}

/**
 * Decides from two listing entries whether the destination already holds the source's content.
 * Size alone is never enough: the source archive replaces files in place with the same size.
 *
 * Equal plain ETags are the same content. Different plain ETags are a change when the destination's
 * ETags are MD5s. Under SSE-KMS ('opaque') the destination's ETag is never the source's MD5, so the
 * destination's LastModified decides: a copy made strictly after the source's last write holds that
 * write (this job is the only writer of the destination). Equal seconds copy again, once: the new
 * copy's LastModified is then later.
 */
export function compareListed(src: ListedObject, dst: ListedObject, destinationEtags: DestinationEtags): Verdict {
  if (src.size !== dst.size) return { same: false, reason: 'size' };
  if (!isPlainEtag(src.etag) || !isPlainEtag(dst.etag)) return { same: 'unknown' };
  if (src.etag === dst.etag || src.etag.toLowerCase() === dst.etag.toLowerCase()) return { same: true };
  if (destinationEtags === 'opaque' && writtenAfter(dst, src)) return { same: true };
  return { same: false, reason: 'etag' };
}

function writtenAfter(later: ListedObject, earlier: ListedObject): boolean {
  return later.lastModified !== undefined && earlier.lastModified !== undefined && Date.parse(later.lastModified) > Date.parse(earlier.lastModified);
}

/**
 * Second opinion when ETags cannot be compared (multipart on either side): the source ETag that
 * the job recorded in the destination object's metadata when it copied it.
 */
export function compareRecorded(src: ListedObject, recordedSourceEtag: string | undefined): Verdict {
  if (!recordedSourceEtag) return { same: false, reason: 'no-fingerprint' };
  return recordedSourceEtag === src.etag ? { same: true } : { same: false, reason: 'recorded-etag' };
}

/** User-metadata key under which the source ETag is recorded on copies whose ETag differs from the source's. */
export const SOURCE_ETAG_METADATA = 's3ds-source-etag';
