/**
 * An S3Client answering ListObjectsV2, GetObject and HeadObject from arrays in memory, for unit
 * tests of code that reads S3 (the planner, the verifier) without a server. Anything else throws.
 * It is a real S3Client (the SDK's paginators insist) whose `send` never reaches the network.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, NoSuchKey, NotFound, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export interface MemoryObject {
  key: string;
  body?: string;
  /** Defaults to the body's MD5, as S3 gives a single-part upload. */
  etag?: string;
  /** Base64 SHA-256 that HeadObject returns with ChecksumMode ENABLED. */
  checksumSha256?: string;
}

export interface MemoryS3 {
  client: S3Client;
  /** Every command sent, in order: its name and input. */
  calls: Array<{ command: string; input: Record<string, unknown> }>;
}

export interface MemoryS3Options {
  /** List keys in the arrays' order instead of S3's (byte) order, like a POSIX-backed server may. */
  unordered?: boolean;
  /** Awaited before each command is answered: lets a test hold requests (to count those in flight). */
  beforeAnswer?: (command: string, input: Record<string, unknown>) => Promise<void>;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function memoryS3(buckets: Record<string, MemoryObject[]>, opts: MemoryS3Options = {}): MemoryS3 {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } });
  const calls: MemoryS3['calls'] = [];
  const objectsOf = (bucket: unknown) => {
    const objects = buckets[String(bucket)];
    if (!objects) throw new Error(`memory-s3: no bucket '${String(bucket)}'`);
    return opts.unordered ? objects : [...objects].sort((a, b) => byteOrder(a.key, b.key));
  };
  const find = (input: Record<string, unknown>) => objectsOf(input.Bucket).find((o) => o.key === input.Key);
  const answer = (command: unknown): unknown => {
    const input = (command as { input: Record<string, unknown> }).input;
    if (command instanceof ListObjectsV2Command) return list(objectsOf(input.Bucket), input);
    const o = find(input);
    if (command instanceof GetObjectCommand) {
      if (!o) throw new NoSuchKey({ message: `no key ${String(input.Key)}`, $metadata: { httpStatusCode: 404 } });
      const body = Object.assign(Readable.from([Buffer.from(o.body ?? '')]), { transformToString: async () => o.body ?? '' });
      return { Body: body, ETag: `"${etagOf(o)}"`, ContentLength: Buffer.byteLength(o.body ?? '') };
    }
    if (command instanceof HeadObjectCommand) {
      if (!o) throw new NotFound({ message: `no key ${String(input.Key)}`, $metadata: { httpStatusCode: 404 } });
      const checksum = input.ChecksumMode === 'ENABLED' && o.checksumSha256 ? { ChecksumSHA256: o.checksumSha256, ChecksumType: 'FULL_OBJECT' } : {};
      return { ETag: `"${etagOf(o)}"`, ContentLength: Buffer.byteLength(o.body ?? ''), ...checksum };
    }
    throw new Error(`memory-s3 answers ListObjectsV2, GetObject and HeadObject only, not ${command?.constructor.name}`);
  };
  const send = async (command: unknown) => {
    const name = String(command?.constructor.name).replace(/Command$/, '');
    const input = (command as { input: Record<string, unknown> }).input;
    calls.push({ command: name, input: { ...input } });
    await opts.beforeAnswer?.(name, input);
    return answer(command);
  };
  Object.assign(client, { send });
  return { client, calls };
}

function etagOf(o: MemoryObject): string {
  return (
    o.etag ??
    createHash('md5')
      .update(o.body ?? '')
      .digest('hex')
  );
}

/** One page of ListObjectsV2: Prefix, Delimiter ('/'), StartAfter, MaxKeys and a continuation token (an index). */
function list(objects: MemoryObject[], input: Record<string, unknown>) {
  const prefix = String(input.Prefix ?? '');
  const delimiter = input.Delimiter as string | undefined;
  const startAfter = input.StartAfter === undefined ? undefined : Buffer.from(String(input.StartAfter));
  const entries: Array<{ object?: MemoryObject; commonPrefix?: string }> = [];
  const seen = new Set<string>();
  for (const o of objects) {
    if (!o.key.startsWith(prefix)) continue;
    if (startAfter && Buffer.compare(Buffer.from(o.key), startAfter) <= 0) continue;
    const cut = delimiter ? o.key.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) entries.push({ object: o });
    else if (!seen.has(o.key.slice(0, cut + 1))) {
      seen.add(o.key.slice(0, cut + 1));
      entries.push({ commonPrefix: o.key.slice(0, cut + 1) });
    }
  }
  const start = Number(input.ContinuationToken ?? 0);
  const page = entries.slice(start, start + Number(input.MaxKeys ?? 1000));
  const next = start + page.length;
  return {
    Contents: page.flatMap((e) => (e.object ? [{ Key: e.object.key, Size: Buffer.byteLength(e.object.body ?? ''), ETag: `"${etagOf(e.object)}"` }] : [])),
    CommonPrefixes: page.flatMap((e) => (e.commonPrefix ? [{ Prefix: e.commonPrefix }] : [])),
    IsTruncated: next < entries.length,
    NextContinuationToken: next < entries.length ? String(next) : undefined,
    KeyCount: page.length,
  };
}
