import { GetObjectCommand, type StorageClass } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import { classifyError } from '../resilience/errors.js';
import { headersFrom } from './object-meta.js';
import { partSizeFor } from './sdk.js';
import type { CopyEngine, CopyResult, CopyTask, EngineClients, EngineSettings } from './types.js';
import type { UploadRegistry } from './uploads.js';

/**
 * "Traditional" copy: GetObject streamed straight into a (multipart) upload, no temp files. For
 * sources and destinations on different endpoints or credentials, and for objects whose
 * server-side copy was refused. The SHA-256 is computed on the bytes as they pass.
 */
export class StreamEngine implements CopyEngine {
  readonly name = 'stream' as const;
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
    const { source, dest } = this.settings;
    let attempts = 1;
    try {
      const got = await this.clients.source.send(
        new GetObjectCommand({ Bucket: source.bucket, Key: source.prefix + task.key, IfMatch: `"${task.etag}"` }),
        { abortSignal: signal },
      );
      attempts = got.$metadata.attempts ?? 1;
      const size = got.ContentLength ?? task.size;
      const hash = createHash('sha256');
      let bytes = 0;
      const counted = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          cb(null, chunk);
        },
        // A body that ends early must fail the upload, never complete a truncated object.
        flush(cb) {
          cb(bytes === size ? null : Object.assign(new Error(`source body ended after ${bytes} of ${size} bytes`), { code: 'ECONNRESET' }));
        },
      });
      const sourceBody = got.Body as Readable;
      sourceBody.on('error', (e) => counted.destroy(e));
      const body = sourceBody.pipe(counted);
      const upload = new Upload({
        client: this.clients.dest,
        partSize: partSizeFor(size, this.settings.partSizeBytes),
        queueSize: 4,
        leavePartsOnError: false,
        abortController: signal ? abortControllerFor(signal) : undefined,
        params: {
          Bucket: dest.bucket,
          Key: dest.prefix + task.key,
          Body: body,
          ContentLength: size <= this.settings.partSizeBytes ? size : undefined,
          StorageClass: this.settings.storageClass as StorageClass,
          ...headersFrom(got, task.etag),
        },
      });
      let uploadId: string | undefined;
      upload.on('httpUploadProgress', () => {
        const id = upload.uploadId;
        if (id && id !== uploadId) {
          uploadId = id;
          this.uploads.add(dest.bucket, dest.prefix + task.key, id);
        }
      });
      const done = await upload.done();
      if (uploadId) this.uploads.remove(uploadId);
      return {
        key: task.key,
        ok: true,
        engine: 'stream',
        bytes,
        sha256: hash.digest('hex'),
        destEtag: done.ETag?.replace(/"/g, ''),
        attempts,
        latencyMs: performance.now() - started,
      };
    } catch (err) {
      return { key: task.key, ok: false, engine: 'stream', bytes: 0, error: classifyError(err), attempts, latencyMs: performance.now() - started };
    }
  }
}

function abortControllerFor(signal: AbortSignal): AbortController {
  const c = new AbortController();
  if (signal.aborted) c.abort();
  else signal.addEventListener('abort', () => c.abort(), { once: true });
  return c;
}
