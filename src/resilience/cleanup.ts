/**
 * Incomplete multipart uploads left behind by a run that was killed (kill -9, a reclaimed Spot
 * task) before it could abort them. S3 bills their parts until they are aborted, and no listing
 * shows them. These helpers find and abort them under the destination prefix, and only there:
 * other writers in the same bucket are never touched.
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { classifyError, type ClassifiedError } from './errors.js';

export interface StaleUpload {
  key: string;
  uploadId: string;
  initiated?: Date;
}

export interface AbortStaleResult {
  aborted: StaleUpload[];
  failed: Array<{ upload: StaleUpload; error: ClassifiedError }>;
}

/**
 * Every incomplete multipart upload whose key starts with `prefix`, across all pages. `prefix`
 * should end with '/' (as destination_prefix does), or 'a/b' would also match 'a/bc/...'.
 *
 * Some S3-compatible servers (versitygw, versity/versitygw#2149) refuse a key marker together with
 * an upload-id marker. Pages then continue from the key marker alone, which skips further uploads
 * of that one key; abortStaleUploads lists again until nothing is left, so it still gets them all.
 */
export async function listStaleUploads(
  client: S3Client,
  bucket: string,
  prefix: string,
  opts: { signal?: AbortSignal; pageSize?: number } = {},
): Promise<StaleUpload[]> {
  const out: StaleUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  let uploadIdMarkerRefused = false;
  for (;;) {
    const list = (withUploadId: boolean) =>
      client.send(
        new ListMultipartUploadsCommand({
          Bucket: bucket,
          Prefix: prefix || undefined,
          KeyMarker: keyMarker,
          UploadIdMarker: withUploadId ? uploadIdMarker : undefined,
          MaxUploads: opts.pageSize,
        }),
        { abortSignal: opts.signal },
      );
    let page;
    try {
      page = await list(!uploadIdMarkerRefused);
    } catch (err) {
      if (uploadIdMarkerRefused || uploadIdMarker === undefined || classifyError(err).code !== 'InvalidArgument') throw err;
      uploadIdMarkerRefused = true;
      page = await list(false);
    }
    for (const u of page.Uploads ?? []) {
      // Checked here too: a server that ignores Prefix must not widen what gets aborted.
      if (u.Key === undefined || u.UploadId === undefined || !u.Key.startsWith(prefix)) continue;
      out.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated });
    }
    if (!page.IsTruncated) return out;
    const nextKey = page.NextKeyMarker;
    const nextId = page.NextUploadIdMarker;
    if (nextKey === undefined || (nextKey === keyMarker && (uploadIdMarkerRefused || nextId === uploadIdMarker))) {
      throw new Error(`ListMultipartUploads on ${bucket} is truncated but gives no new marker (after key '${keyMarker ?? ''}')`);
    }
    keyMarker = nextKey;
    uploadIdMarker = nextId;
  }
}

export interface AbortStaleOptions {
  /**
   * Only uploads initiated before this time. Pass the run's start so uploads of a run that is
   * still going (another task on the same prefix) survive. Uploads with no initiation time are
   * kept when this is set.
   */
  olderThan?: Date;
  /** Only uploads whose key this accepts (a shard's own part of the prefix). */
  keep?: (key: string) => boolean;
  concurrency?: number;
  signal?: AbortSignal;
  /** Uploads per ListMultipartUploads page (S3's default and maximum is 1,000). */
  pageSize?: number;
}

/** Aborts the stale uploads under `prefix`; says which went and which could not be aborted. */
export async function abortStaleUploads(client: S3Client, bucket: string, prefix: string, opts: AbortStaleOptions = {}): Promise<AbortStaleResult> {
  const cutoff = opts.olderThan?.getTime();
  const limit = pLimit(opts.concurrency ?? 16);
  const result: AbortStaleResult = { aborted: [], failed: [] };
  const tried = new Set<string>();
  // A second listing finds nothing new on a server that paginates fully; see listStaleUploads.
  for (;;) {
    const listed = await listStaleUploads(client, bucket, prefix, { signal: opts.signal, pageSize: opts.pageSize });
    const stale = listed.filter(
      (u) => !tried.has(u.uploadId) && (opts.keep?.(u.key) ?? true) && (cutoff === undefined || (u.initiated !== undefined && u.initiated.getTime() < cutoff)),
    );
    if (stale.length === 0) return result;
    await Promise.all(
      stale.map((u) =>
        limit(async () => {
          tried.add(u.uploadId);
          try {
            await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }), { abortSignal: opts.signal });
            result.aborted.push(u);
          } catch (err) {
            const error = classifyError(err);
            // Already gone (completed or aborted meanwhile): nothing is left to clean up.
            if (error.code === 'NoSuchUpload') result.aborted.push(u);
            else result.failed.push({ upload: u, error });
          }
        }),
      ),
    );
  }
}
