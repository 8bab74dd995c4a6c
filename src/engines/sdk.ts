import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
  type StorageClass,
} from '@aws-sdk/client-s3';
import pLimit, { type LimitFunction } from 'p-limit';
import { isPlainEtag } from '../plan/compare.js';
import { classifyError } from '../resilience/errors.js';
import { base64ToHex } from '../verify/checksum-file.js';
import { copySource } from './copy-source.js';
import { sourceHeaders } from './object-meta.js';
import type { CopyEngine, CopyResult, CopyTask, EngineClients, EngineSettings } from './types.js';
import type { UploadRegistry } from './uploads.js';

const MAX_PARTS = 10_000;
const PART_CONCURRENCY = 8;

/** Part size: the configured one, grown where needed to stay within S3's 10,000 parts. */
export function partSizeFor(size: number, configured: number): number {
  const min = Math.ceil(size / MAX_PARTS);
  return Math.max(configured, 5 * 1024 ** 2, min);
}

/** Server-side copies through the AWS SDK: CopyObject, or UploadPartCopy above the multipart threshold. */
export class SdkEngine implements CopyEngine {
  readonly name = 'sdk' as const;
  readonly maxObjectBytes = 5 * 1024 ** 4;
  private limit: LimitFunction;

  constructor(
    private settings: EngineSettings,
    private clients: EngineClients,
    private uploads: UploadRegistry,
  ) {
    this.limit = pLimit(settings.concurrency);
  }

  copyBatch(tasks: CopyTask[], signal?: AbortSignal): Promise<CopyResult[]> {
    return Promise.all(tasks.map((t) => this.limit(() => this.copyOne(t, signal))));
  }

  async copyOne(task: CopyTask, signal?: AbortSignal): Promise<CopyResult> {
    const started = performance.now();
    try {
      const out =
        task.size > this.settings.multipartThresholdBytes
          ? await this.multipartCopy(task, signal)
          : await this.singleCopy(task, signal);
      return { key: task.key, ok: true, engine: 'sdk', bytes: task.size, latencyMs: performance.now() - started, ...out };
    } catch (err) {
      return {
        key: task.key,
        ok: false,
        engine: 'sdk',
        bytes: 0,
        error: classifyError(err),
        attempts: attemptsOf(err),
        latencyMs: performance.now() - started,
      };
    }
  }

  private async singleCopy(task: CopyTask, signal?: AbortSignal) {
    const { source, dest } = this.settings;
    // A source with a multipart ETag gets a plain one in the copy, so the listing alone could not
    // tell next time that it is current: record the source ETag (needs the source's headers).
    const headers = isPlainEtag(task.etag)
      ? undefined
      : await sourceHeaders(this.clients.source, source.bucket, source.prefix + task.key, task.etag);
    const res = await this.clients.dest.send(
      new CopyObjectCommand({
        Bucket: dest.bucket,
        Key: dest.prefix + task.key,
        CopySource: copySource(source.bucket, source.prefix + task.key),
        StorageClass: this.settings.storageClass as StorageClass,
        ChecksumAlgorithm: this.settings.checksumSha256 ? 'SHA256' : undefined,
        ...(headers ? { MetadataDirective: 'REPLACE', ...headers } : {}),
      }),
      { abortSignal: signal },
    );
    const sha = res.CopyObjectResult?.ChecksumSHA256;
    const fullObject = !res.CopyObjectResult?.ChecksumType || res.CopyObjectResult.ChecksumType === 'FULL_OBJECT';
    return {
      destEtag: res.CopyObjectResult?.ETag?.replace(/"/g, ''),
      sha256: sha && fullObject ? base64ToHex(sha) : undefined,
      attempts: res.$metadata.attempts ?? 1,
    };
  }

  private async multipartCopy(task: CopyTask, signal?: AbortSignal) {
    const { source, dest } = this.settings;
    const srcKey = source.prefix + task.key;
    const dstKey = dest.prefix + task.key;
    const headers = await sourceHeaders(this.clients.source, source.bucket, srcKey, task.etag);
    const created = await this.clients.dest.send(
      new CreateMultipartUploadCommand({
        Bucket: dest.bucket,
        Key: dstKey,
        StorageClass: this.settings.storageClass as StorageClass,
        ...headers,
      }),
      { abortSignal: signal },
    );
    const uploadId = created.UploadId!;
    this.uploads.add(dest.bucket, dstKey, uploadId);
    let attempts = 1;
    try {
      const partSize = partSizeFor(task.size, this.settings.partSizeBytes);
      const count = Math.max(1, Math.ceil(task.size / partSize));
      const parts = pLimit(PART_CONCURRENCY);
      const etags = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          parts(async () => {
            const start = i * partSize;
            const end = Math.min(task.size, start + partSize) - 1;
            const r = await this.clients.dest.send(
              new UploadPartCopyCommand({
                Bucket: dest.bucket,
                Key: dstKey,
                UploadId: uploadId,
                PartNumber: i + 1,
                CopySource: copySource(source.bucket, srcKey),
                CopySourceIfMatch: `"${task.etag}"`,
                CopySourceRange: task.size === 0 ? undefined : `bytes=${start}-${end}`,
              }),
              { abortSignal: signal },
            );
            attempts = Math.max(attempts, r.$metadata.attempts ?? 1);
            return { PartNumber: i + 1, ETag: r.CopyPartResult?.ETag };
          }),
        ),
      );
      const done = await this.clients.dest.send(
        new CompleteMultipartUploadCommand({ Bucket: dest.bucket, Key: dstKey, UploadId: uploadId, MultipartUpload: { Parts: etags } }),
        { abortSignal: signal },
      );
      this.uploads.remove(uploadId);
      return { destEtag: done.ETag?.replace(/"/g, ''), attempts };
    } catch (err) {
      await this.uploads.abort(this.clients.dest, uploadId).catch(() => undefined);
      throw err;
    }
  }
}

function attemptsOf(err: unknown): number {
  return (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;
}
