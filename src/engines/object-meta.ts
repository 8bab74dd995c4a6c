import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { SOURCE_ETAG_METADATA } from '../plan/compare.js';

/** The headers a copy must carry over when it cannot use MetadataDirective COPY. */
export interface ObjectHeaders {
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Expires?: Date;
  Metadata: Record<string, string>;
}

export function headersFrom(h: Partial<HeadObjectCommandOutput>, sourceEtag: string): ObjectHeaders {
  return {
    ContentType: h.ContentType,
    CacheControl: h.CacheControl,
    ContentDisposition: h.ContentDisposition,
    ContentEncoding: h.ContentEncoding,
    ContentLanguage: h.ContentLanguage,
    Expires: h.Expires,
    // Recorded so a later run can tell the copy is current when ETags cannot be compared.
    Metadata: { ...(h.Metadata ?? {}), [SOURCE_ETAG_METADATA]: sourceEtag },
  };
}
