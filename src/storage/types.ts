/** One object as a listing reports it. `key` is relative to the listed side's root prefix. */
export interface ListedObject {
  key: string;
  size: number;
  /** ETag without quotes; multipart ETags end in `-N`. */
  etag: string;
  /** As the listing sent it (ISO 8601): parsed only where compared (compareListed under SSE-KMS). */
  lastModified?: string;
  storageClass?: string;
}

/** One side of a sync: bucket and the prefix every key is relative to. */
export interface Location {
  bucket: string;
  prefix: string;
}

export function s3Url(loc: Location, rel = ''): string {
  return `s3://${loc.bucket}/${loc.prefix}${rel}`;
}
