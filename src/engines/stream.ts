import { GetObjectCommand, type StorageClass } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { throttledStream } from '../resilience/rate-limit.js';
import { s3Url } from '../storage/types.js';
import { STREAM_QUEUE_SIZE } from '../system/memory-model.js';
import { headersFrom } from './object-meta.js';
import { attempt, failure, type CopyRuntime } from './runtime.js';
import { partSizeFor } from './sdk.js';
import type { CopyEngine, CopyResult, CopyTask, EngineClients, EngineSettings } from './types.js';
import type { UploadRegistry } from './uploads.js';

/**
 * "Traditional" copy: GetObject streamed straight into a (multipart) upload, no temp files. For
 * sources and destinations on different endpoints or credentials, and for objects whose
 * server-side copy was refused. The SHA-256 is computed on the bytes as they pass; a failed
 * attempt starts the object again (its upload is aborted, never left half-written).
 */
export class StreamEngine implements CopyEngine {
  readonly name = 'stream' as const;
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
      const { value, attempts } = await this.rt.limiter.run(
        () => {
          started = performance.now();
          return attempt(this.rt, task.key, signal, () => this.transfer(task, signal));
        },
        {
          key: this.rt.groupOf(task.key),
          signal,
        },
      );
      return { key: task.key, ok: true, engine: 'stream', ...value, attempts, latencyMs: performance.now() - started };
    } catch (err) {
      const f = failure(err);
      f.error.message =
        `GetObject+Upload ${s3Url(this.settings.source, task.key)} -> ${s3Url(this.settings.dest, task.key)}: ` +
        `${f.error.code ?? f.error.class}: ${f.error.message}`;
      return { key: task.key, ok: false, engine: 'stream', bytes: 0, ...f, latencyMs: performance.now() - started };
    }
  }

  private async transfer(task: CopyTask, signal?: AbortSignal): Promise<{ bytes: number; sha256: string; destEtag?: string }> {
    const { source, dest } = this.settings;
    const got = await this.clients.source.send(
      // The version that was listed: a source replaced since then fails the precondition and is retried.
      new GetObjectCommand({ Bucket: source.bucket, Key: source.prefix + task.key, IfMatch: `"${task.etag}"` }),
      { abortSignal: signal },
    );
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
    const paced = this.rt.bandwidth ? throttledStream(sourceBody, this.rt.bandwidth) : sourceBody;
    if (paced !== sourceBody) paced.on('error', (e) => counted.destroy(e));
    const body = paced.pipe(counted);
    // Loaded on the first streamed copy: most runs copy server-side, and loading it costs ~60 ms at start-up.
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client: this.clients.dest,
      partSize: partSizeFor(size, this.settings.partSizeBytes),
      queueSize: STREAM_QUEUE_SIZE,
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
    try {
      const done = await upload.done();
      return { bytes, sha256: hash.digest('hex'), destEtag: done.ETag?.replace(/"/g, '') };
    } finally {
      if (uploadId) this.uploads.remove(uploadId);
    }
  }
}

function abortControllerFor(signal: AbortSignal): AbortController {
  const c = new AbortController();
  if (signal.aborted) c.abort();
  else signal.addEventListener('abort', () => c.abort(), { once: true });
  return c;
}
