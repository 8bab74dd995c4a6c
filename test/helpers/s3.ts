import { GetObjectCommand, PutObjectCommand, type S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** The job's lease objects (`<destination prefix>_leases/`) are bookkeeping, not mirrored content. */
export function isLeaseKey(relativeKey: string): boolean {
  return /(^|\/)_leases\//.test(relativeKey);
}

/** key (relative to prefix) → sha256 of the content, for every object under prefix (lease objects left out). */
export async function contentHashes(client: S3Client, bucket: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      if (isLeaseKey(o.Key!.slice(prefix.length))) continue;
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
      const h = createHash('sha256');
      for await (const chunk of got.Body as Readable) h.update(chunk as Buffer);
      out.set(o.Key!.slice(prefix.length), h.digest('hex'));
    }
  }
  return out;
}

/** Keys relative to prefix; lease objects left out unless `withLeases`. */
export async function listKeys(client: S3Client, bucket: string, prefix = '', opts: { withLeases?: boolean } = {}): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      const rel = o.Key!.slice(prefix.length);
      if (opts.withLeases || !isLeaseKey(rel)) keys.push(rel);
    }
  }
  return keys;
}

export async function put(
  client: S3Client,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  contentType?: string,
  metadata?: Record<string, string>,
): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, Metadata: metadata }));
}

/** Objects under prefix, lease objects left out. */
export async function countObjects(client: S3Client, bucket: string, prefix = ''): Promise<number> {
  return (await listKeys(client, bucket, prefix)).length;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
