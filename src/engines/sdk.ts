import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type StorageClass,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { isPlainEtag } from '../plan/compare.js';
import { s3Url } from '../storage/types.js';
import { base64ToHex } from '../verify/checksum-file.js';
import { copySource } from './copy-source.js';
import { needsSha256 } from './select.js';
import { headersFrom } from './object-meta.js';
import { attempt, failure, type CopyRuntime } from './runtime.js';
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

  constructor(
    private settings: EngineSettings,
    private clients: EngineClients,
    private uploads: UploadRegistry,
    private rt: CopyRuntime,
  ) {}

  copyBatch(tasks: CopyTask[], signal?: AbortSignal): Promise<CopyResult[]> {
    return Promise.all(tasks.map((t) => this.copyOne(t, signal)));
  }

  async copyOne(task: CopyTask, signal?: AbortSignal): Promise<CopyResult> {
    // Latency counts from when the copy gets its slot, not while it waits for one.
    let started = performance.now();
    try {
      const out = await this.rt.limiter.run(
        () => {
          started = performance.now();
          return task.size > this.settings.multipartThresholdBytes ? this.multipartCopy(task, signal) : this.singleCopy(task, signal);
        },
        { key: this.rt.groupOf(task.key), signal },
      );
      return { key: task.key, ok: true, engine: 'sdk', bytes: task.size, latencyMs: performance.now() - started, ...out };
    } catch (err) {
      const f = failure(err);
      const what = task.size > this.settings.multipartThresholdBytes ? 'UploadPartCopy' : 'CopyObject';
      f.error.message =
        `${what} ${s3Url(this.settings.source, task.key)} -> ${s3Url(this.settings.dest, task.key)}: ` + `${f.error.code ?? f.error.class}: ${f.error.message}`;
      return { key: task.key, ok: false, engine: 'sdk', bytes: 0, ...f, latencyMs: performance.now() - started };
    }
  }

  private async sourceHeaders(task: CopyTask, signal?: AbortSignal) {
    const { source } = this.settings;
    const h = await attempt(this.rt, task.key, signal, () =>
      this.clients.source.send(new HeadObjectCommand({ Bucket: source.bucket, Key: source.prefix + task.key }), { abortSignal: signal }),
    );
    return { headers: headersFrom(h.value, task.etag), attempts: h.attempts };
  }

  private async singleCopy(task: CopyTask, signal?: AbortSignal) {
    const { source, dest } = this.settings;
    // A source with a multipart ETag gets a plain one in the copy, so the listing alone could not
    // tell next time that it is current: record the source ETag (needs the source's headers).
    const head = isPlainEtag(task.etag) ? undefined : await this.sourceHeaders(task, signal);
    const res = await attempt(this.rt, task.key, signal, () =>
      this.clients.dest.send(
        new CopyObjectCommand({
          Bucket: dest.bucket,
          Key: dest.prefix + task.key,
          CopySource: copySource(source.bucket, source.prefix + task.key),
          StorageClass: this.settings.storageClass as StorageClass,
          // Only a zip verified against a .CHECKSUM needs the server to compute a SHA-256.
          ChecksumAlgorithm: this.settings.checksumSha256 && needsSha256(task) ? 'SHA256' : undefined,
          ...(head ? { MetadataDirective: 'REPLACE', ...head.headers } : {}),
        }),
        { abortSignal: signal },
      ),
    );
    const result = res.value.CopyObjectResult;
    const sha = result?.ChecksumSHA256;
    const fullObject = !result?.ChecksumType || result.ChecksumType === 'FULL_OBJECT';
    return {
      destEtag: result?.ETag?.replace(/"/g, ''),
      sha256: sha && fullObject ? base64ToHex(sha) : undefined,
      attempts: Math.max(res.attempts, head?.attempts ?? 1),
    };
  }

  private async multipartCopy(task: CopyTask, signal?: AbortSignal) {
    const { source, dest } = this.settings;
    const srcKey = source.prefix + task.key;
    const dstKey = dest.prefix + task.key;
    const head = await this.sourceHeaders(task, signal);
    const created = await attempt(this.rt, task.key, signal, () =>
      this.clients.dest.send(
        new CreateMultipartUploadCommand({ Bucket: dest.bucket, Key: dstKey, StorageClass: this.settings.storageClass as StorageClass, ...head.headers }),
        { abortSignal: signal },
      ),
    );
    const uploadId = created.value.UploadId!;
    this.uploads.add(dest.bucket, dstKey, uploadId);
    let attempts = Math.max(head.attempts, created.attempts);
    try {
      const partSize = partSizeFor(task.size, this.settings.partSizeBytes);
      const count = Math.max(1, Math.ceil(task.size / partSize));
      const parts = pLimit(PART_CONCURRENCY);
      const etags = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          parts(async () => {
            const start = i * partSize;
            const end = Math.min(task.size, start + partSize) - 1;
            const r = await attempt(this.rt, task.key, signal, () =>
              this.clients.dest.send(
                new UploadPartCopyCommand({
                  Bucket: dest.bucket,
                  Key: dstKey,
                  UploadId: uploadId,
                  PartNumber: i + 1,
                  CopySource: copySource(source.bucket, srcKey),
                  // Every part from the same version of the source, the one listed.
                  CopySourceIfMatch: `"${task.etag}"`,
                  CopySourceRange: task.size === 0 ? undefined : `bytes=${start}-${end}`,
                }),
                { abortSignal: signal },
              ),
            );
            attempts = Math.max(attempts, r.attempts);
            return { PartNumber: i + 1, ETag: r.value.CopyPartResult?.ETag };
          }),
        ),
      );
      const done = await attempt(this.rt, task.key, signal, () =>
        this.clients.dest.send(
          new CompleteMultipartUploadCommand({ Bucket: dest.bucket, Key: dstKey, UploadId: uploadId, MultipartUpload: { Parts: etags } }),
          { abortSignal: signal },
        ),
      );
      this.uploads.remove(uploadId);
      return { destEtag: done.value.ETag?.replace(/"/g, ''), attempts: Math.max(attempts, done.attempts) };
    } catch (err) {
      await this.uploads.abort(this.clients.dest, uploadId).catch(() => undefined);
      throw err;
    }
  }
}
