import type { ListedObject } from '../storage/types.js';

export type Verdict = { same: true } | { same: false; reason: ChangeReason } | { same: 'unknown' };
export type ChangeReason = 'size' | 'etag' | 'recorded-etag' | 'no-fingerprint';

/** A plain ETag is the MD5 of a single-part, non-KMS object, so two plain ETags compare content. */
export function isPlainEtag(etag: string): boolean {
  return /^[0-9a-f]{32}$/i.test(etag);
}

/**
 * Decides from two listing entries whether the destination already holds the source's content.
 * Size alone is never enough: the source archive replaces files in place with the same size.
 */
export function compareListed(src: ListedObject, dst: ListedObject): Verdict {
  if (src.size !== dst.size) return { same: false, reason: 'size' };
  if (isPlainEtag(src.etag) && isPlainEtag(dst.etag)) {
    return src.etag.toLowerCase() === dst.etag.toLowerCase() ? { same: true } : { same: false, reason: 'etag' };
  }
  return { same: 'unknown' };
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
