/**
 * The run's manifest: one JSON line per copied object, `{ key, size, sha256?, source_etag,
 * copied_at, engine }`, written as it happens (memory stays bounded by the stream's buffer whatever
 * the object count), into a temporary file that is flushed, fsynced and renamed into place by
 * `close()`; a crashed run never leaves a half manifest under the final name. Optional gzip.
 *
 * `uploadManifest` puts the finished file into S3 (single PUT up to the part size, multipart
 * above, one part in memory at a time).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import { MIB } from '../units.js';

export interface ManifestEntry {
  /** Key relative to the source and destination prefixes. */
  key: string;
  size: number;
  /** Hex SHA-256 of the content, when known. */
  sha256?: string;
  source_etag: string;
  /** ISO 8601 time the copy finished. */
  copied_at: string;
  engine: string;
}

export interface ManifestSummary {
  path: string;
  entries: number;
  /** Bytes written to the file (after compression). */
  bytes: number;
  /** Hex SHA-256 of the file as written. */
  sha256: string;
  gzip: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function validateManifestEntry(e: ManifestEntry): void {
  const bad = (field: string, why: string) => {
    throw new TypeError(`manifest entry ${JSON.stringify(e?.key)}: ${field} ${why}`);
  };
  if (typeof e !== 'object' || e === null) throw new TypeError('manifest entry must be an object');
  if (typeof e.key !== 'string' || e.key === '') bad('key', 'must be a non-empty string');
  if (!Number.isSafeInteger(e.size) || e.size < 0) bad('size', 'must be an integer ≥ 0');
  if (e.sha256 !== undefined && !SHA256_HEX.test(e.sha256)) bad('sha256', 'must be 64 lowercase hex digits');
  if (typeof e.source_etag !== 'string') bad('source_etag', 'must be a string');
  if (typeof e.copied_at !== 'string' || Number.isNaN(Date.parse(e.copied_at))) bad('copied_at', 'must be an ISO 8601 time');
  if (typeof e.engine !== 'string' || e.engine === '') bad('engine', 'must be a non-empty string');
}

/** One line, fields in a fixed order. */
export function manifestLine(e: ManifestEntry): string {
  const o: Record<string, unknown> = { key: e.key, size: e.size };
  if (e.sha256 !== undefined) o.sha256 = e.sha256;
  o.source_etag = e.source_etag;
  o.copied_at = e.copied_at;
  o.engine = e.engine;
  return JSON.stringify(o) + '\n';
}

export class ManifestWriter {
  readonly path: string;
  readonly tempPath: string;
  readonly gzip: boolean;
  private file: WriteStream;
  private gz: Gzip | undefined;
  private hash = createHash('sha256');
  private bytes = 0;
  private count = 0;
  private state: 'open' | 'closing' | 'closed' | 'aborted' = 'open';
  private error: Error | undefined;
  /** Rejects with the first stream error, so a write waiting for 'drain' cannot hang. */
  private failed: Promise<never>;
  private fail!: (err: Error) => void;
  private chain: Promise<void> = Promise.resolve();

  /**
   * @param path final file name (e.g. `manifest-<run_id>.jsonl` or `.jsonl.gz`); its folder must exist.
   */
  constructor(path: string, opts: { gzip?: boolean; highWaterMark?: number } = {}) {
    this.path = path;
    this.gzip = opts.gzip ?? path.endsWith('.gz');
    this.tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.failed = new Promise<never>((_, reject) => (this.fail = reject));
    this.failed.catch(() => undefined);
    const onError = (err: Error) => {
      this.error ??= err;
      this.fail(err);
    };
    this.file = createWriteStream(this.tempPath, { flags: 'wx', highWaterMark: opts.highWaterMark ?? 64 * 1024 });
    this.file.on('error', onError);
    if (this.gzip) {
      this.gz = createGzip();
      this.gz.on('error', onError);
      // What reaches the file is what is counted and hashed.
      this.gz.on('data', (chunk: Buffer) => this.account(chunk));
      this.gz.pipe(this.file);
    }
  }

  get entries(): number {
    return this.count;
  }

  /**
   * Appends one entry. Resolves once the line is buffered below the stream's high-water mark, so a
   * producer that awaits each call never holds more than that in memory. Calls keep their order.
   */
  add(entry: ManifestEntry): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`manifest ${this.path} is ${this.state}`));
    validateManifestEntry(entry);
    const line = manifestLine(entry);
    this.count++;
    const next = this.chain.then(() => this.write(line));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(line: string): Promise<void> {
    if (this.error) throw this.error;
    const buf = Buffer.from(line, 'utf8');
    const target = this.gz ?? this.file;
    if (!this.gz) this.account(buf);
    if (!target.write(buf)) await Promise.race([once(target, 'drain'), this.failed]);
    if (this.error) throw this.error;
  }

  private account(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** Flushes, fsyncs and renames the file into place. */
  async close(): Promise<ManifestSummary> {
    if (this.state !== 'open') throw new Error(`manifest ${this.path} is ${this.state}`);
    this.state = 'closing';
    try {
      await this.chain;
      if (this.error) throw this.error;
      const closed = once(this.file, 'close');
      if (this.gz) this.gz.end();
      else this.file.end();
      await Promise.race([closed, this.failed]);
      if (this.error) throw this.error;
      const fh = await open(this.tempPath, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(this.tempPath, this.path);
      // Make the rename itself durable.
      const dir = await open(dirname(this.path), 'r').catch(() => undefined);
      if (dir)
        await dir
          .sync()
          .catch(() => undefined)
          .finally(() => dir.close());
      this.state = 'closed';
      return { path: this.path, entries: this.count, bytes: this.bytes, sha256: this.hash.digest('hex'), gzip: this.gzip };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Drops the temporary file; the final path is left untouched. */
  async abort(): Promise<void> {
    if (this.state === 'closed' || this.state === 'aborted') return;
    this.state = 'aborted';
    // The file is opened asynchronously: wait until the stream has really closed (an open still in
    // flight would otherwise create the file again after it was removed).
    const closed = this.file.closed ? Promise.resolve() : new Promise<void>((resolve) => this.file.once('close', () => resolve()));
    this.gz?.destroy();
    this.file.destroy();
    await closed;
    await rm(this.tempPath, { force: true });
  }
}

export interface UploadManifestOptions {
  /** Above this size the upload is multipart, with parts of this size. Default 16 MiB (≥ 5 MiB). */
  partSizeBytes?: number;
  storageClass?: string;
  abortSignal?: AbortSignal;
}

export interface UploadedManifest {
  bucket: string;
  key: string;
  bytes: number;
  etag?: string;
  parts: number;
}

/** Uploads a finished manifest file. Throws on failure (an unfinished multipart upload is aborted). */
export async function uploadManifest(client: S3Client, bucket: string, key: string, file: string, opts: UploadManifestOptions = {}): Promise<UploadedManifest> {
  const partSize = Math.max(5 * MIB, opts.partSizeBytes ?? 16 * MIB);
  const size = (await stat(file)).size;
  const gz = file.endsWith('.gz');
  const common = {
    Bucket: bucket,
    Key: key,
    ContentType: gz ? 'application/gzip' : 'application/x-ndjson',
    ...(opts.storageClass ? { StorageClass: opts.storageClass as never } : {}),
  };
  const signal = { abortSignal: opts.abortSignal };
  if (size <= partSize) {
    // A Buffer, not a file stream: the SDK never retries a request whose body is a stream.
    const res = await client.send(new PutObjectCommand({ ...common, Body: await readFile(file), ContentLength: size }), signal);
    return { bucket, key, bytes: size, etag: res.ETag, parts: 1 };
  }
  const created = await client.send(new CreateMultipartUploadCommand(common), signal);
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error(`CreateMultipartUpload for s3://${bucket}/${key} returned no UploadId`);
  const parts: Array<{ PartNumber: number; ETag: string | undefined }> = [];
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(partSize);
    for (let offset = 0, n = 1; offset < size; offset += partSize, n++) {
      const length = Math.min(partSize, size - offset);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      if (bytesRead !== length) throw new Error(`${file} changed while uploading (read ${bytesRead} of ${length} bytes at ${offset})`);
      // A copy: the SDK may still hold the body while the next read refills the buffer.
      const res = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: n,
          Body: Buffer.from(buf.subarray(0, length)),
          ContentLength: length,
        }),
        signal,
      );
      parts.push({ PartNumber: n, ETag: res.ETag });
    }
    const done = await client.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      signal,
    );
    return { bucket, key, bytes: size, etag: done.ETag, parts: parts.length };
  } catch (err) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
    throw err;
  } finally {
    await fh.close();
  }
}
