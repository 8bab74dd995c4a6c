import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import type { BoundedList, FailureRecord, MismatchRecord, RunCounters } from '../observe/counters.js';
import { classifyError } from '../resilience/errors.js';
import { throttledStream, type TokenBucket } from '../resilience/rate-limit.js';
import { withRetry, type RetryPolicy } from '../resilience/retry.js';
import { stillListed } from '../storage/still-listed.js';
import type { Location } from '../storage/types.js';
import { base64ToHex, ChecksumFileError, checksumFileEtags, parseChecksumFile, CHECKSUM_SUFFIX } from './checksum-file.js';

export interface VerifierDeps {
  source: { client: S3Client; location: Location };
  dest: { client: S3Client; location: Location };
  counters: RunCounters;
  mismatches: BoundedList<MismatchRecord>;
  failures: BoundedList<FailureRecord>;
  concurrency: number;
  signal?: AbortSignal;
  /** Bandwidth cap for the bytes read back (the run's rate_limit_mbps). */
  bandwidth?: TokenBucket;
  /** Retries of a read whose body breaks off (the SDK retries requests, not a body being read): the run's live policy. */
  retry?: RetryPolicy;
}

const DEFAULT_READ_RETRY: RetryPolicy = { retryCount: 5 };

/**
 * Proves each copied `X.zip` equals what its source `X.zip.CHECKSUM` says: the SHA-256 comes from
 * the copy's response or the server (HeadObject checksum mode) where it can tell, else from
 * streaming the destination object through a hash.
 */
export class Verifier {
  private limit: LimitFunction;
  private pending = new Set<Promise<void>>();
  /** How the actual digests were obtained, for the report and tests. */
  readonly sources = { copy: 0, server: 0, download: 0, listing: 0 };

  constructor(private deps: VerifierDeps) {
    this.limit = pLimit(deps.concurrency);
  }

  /**
   * Queues a check; waits while too many are queued so memory stays bounded. A SHA-256 from the
   * copy and the listed ETag of the `.CHECKSUM` that says exactly it settle the check with no request.
   */
  async submit(zipKey: string, knownSha256?: string, checksumEtag?: string): Promise<void> {
    if (knownSha256 && checksumEtag && checksumFileEtags(knownSha256, baseNameOf(zipKey)).includes(checksumEtag.toLowerCase())) {
      this.sources.copy++;
      this.sources.listing++;
      this.deps.counters.verified++;
      return;
    }
    while (this.pending.size >= this.deps.concurrency * 4) await Promise.race(this.pending);
    const p = this.limit(() => this.verify(zipKey, knownSha256)).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private async verify(zipKey: string, knownSha256?: string): Promise<void> {
    const { source, counters } = this.deps;
    const checksumKey = zipKey + CHECKSUM_SUFFIX;
    try {
      let text: string;
      try {
        const got = await source.client.send(new GetObjectCommand({ Bucket: source.location.bucket, Key: source.location.prefix + checksumKey }), {
          abortSignal: this.deps.signal,
        });
        text = await withRetry(
          async (n) => {
            const body =
              n === 1
                ? got
                : await source.client.send(new GetObjectCommand({ Bucket: source.location.bucket, Key: source.location.prefix + checksumKey }), {
                    abortSignal: this.deps.signal,
                  });
            return body.Body!.transformToString('utf8');
          },
          this.deps.retry ?? DEFAULT_READ_RETRY,
          { signal: this.deps.signal },
        );
      } catch (err) {
        if (classifyError(err).class !== 'vanished') throw err;
        if (!(await stillListed(source.client, source.location, checksumKey, this.deps.signal))) {
          counters.missingChecksums++;
          return;
        }
        // Not a missing .CHECKSUM: the read named another key, and the zip would pass unverified.
        counters.failed++;
        const message = `verification failed: reading ${checksumKey} answered NoSuchKey, but the source still lists it (the request named another key)`;
        this.deps.failures.push({ key: zipKey, error_class: 'client', code: 'NoSuchKey', message });
        return;
      }
      const expected = parseChecksumFile(text, baseNameOf(zipKey)).sha256;
      const actual =
        knownSha256 ??
        (await this.serverSha256(zipKey)) ??
        (await withRetry(() => this.downloadSha256(zipKey), this.deps.retry ?? DEFAULT_READ_RETRY, { signal: this.deps.signal }));
      if (knownSha256) this.sources.copy++;
      if (actual === expected) {
        counters.verified++;
      } else {
        counters.checksumMismatches++;
        this.deps.mismatches.push({ key: zipKey, expected_sha256: expected, actual_sha256: actual, checksum_key: checksumKey });
      }
    } catch (err) {
      if (err instanceof ChecksumFileError) {
        counters.checksumMismatches++;
        this.deps.mismatches.push({ key: zipKey, expected_sha256: `(unreadable: ${err.message})`, actual_sha256: '', checksum_key: checksumKey });
        return;
      }
      if (this.deps.signal?.aborted) return;
      const c = classifyError(err);
      counters.failed++;
      this.deps.failures.push({ key: zipKey, error_class: c.class, code: c.code, message: `verification failed: ${c.message}` });
    }
  }

  private async serverSha256(zipKey: string): Promise<string | undefined> {
    const { dest } = this.deps;
    const h = await dest.client.send(new HeadObjectCommand({ Bucket: dest.location.bucket, Key: dest.location.prefix + zipKey, ChecksumMode: 'ENABLED' }), {
      abortSignal: this.deps.signal,
    });
    const v = h.ChecksumSHA256;
    // A composite checksum (multipart, "…-N") is a checksum of part checksums, not of the object.
    if (!v || v.includes('-') || (h.ChecksumType && h.ChecksumType !== 'FULL_OBJECT')) return undefined;
    this.sources.server++;
    return base64ToHex(v);
  }

  private async downloadSha256(zipKey: string): Promise<string> {
    const { dest } = this.deps;
    const got = await dest.client.send(new GetObjectCommand({ Bucket: dest.location.bucket, Key: dest.location.prefix + zipKey }), {
      abortSignal: this.deps.signal,
    });
    const hash = createHash('sha256');
    const body = got.Body as Readable;
    for await (const chunk of this.deps.bandwidth ? throttledStream(body, this.deps.bandwidth) : body) hash.update(chunk as Buffer);
    this.sources.download++;
    return hash.digest('hex');
  }
}

function baseNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
