import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';

/** Multipart uploads this process started and has not finished: aborted on shutdown. */
export class UploadRegistry {
  private open = new Map<string, { bucket: string; key: string; uploadId: string }>();

  add(bucket: string, key: string, uploadId: string): void {
    this.open.set(uploadId, { bucket, key, uploadId });
  }

  remove(uploadId: string): void {
    this.open.delete(uploadId);
  }

  get size(): number {
    return this.open.size;
  }

  async abort(client: S3Client, uploadId: string): Promise<void> {
    const u = this.open.get(uploadId);
    if (!u) return;
    await client.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: uploadId }));
    this.remove(uploadId);
  }

  async abortAll(client: S3Client): Promise<number> {
    const all = [...this.open.values()];
    await Promise.allSettled(
      all.map((u) => client.send(new AbortMultipartUploadCommand({ Bucket: u.bucket, Key: u.key, UploadId: u.uploadId })).then(() => this.remove(u.uploadId))),
    );
    return all.length - this.open.size;
  }
}
