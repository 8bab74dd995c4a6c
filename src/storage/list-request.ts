/**
 * One ListObjectsV2 request through the SDK (endpoint, signing, credentials, the run's retry
 * strategy, error responses), with only the success body's parsing replaced: a middleware placed
 * just inside the SDK's deserializer (and inside S3's "200 with an error body" check) reads the raw
 * 200 body, parses it with parseListPage and hands the deserializer an empty body instead. The
 * SDK's schema-based XML deserializer cost about half of planning's CPU.
 */
import { ListObjectsV2Command, type ListObjectsV2CommandInput, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { DeserializeMiddleware } from '@aws-sdk/types';
import { parseListPage, urlDecode, type ListPage, type ParseScope } from './list-page-parser.js';

export interface ListPageQuery {
  bucket: string;
  prefix: string;
  delimiter?: string;
  startAfter?: string;
  continuationToken?: string;
  maxKeys?: number;
  /** Not sent: how much of the page to read. */
  scope?: ParseScope;
}

const EMPTY = new Uint8Array(0);

/** One page of a listing. Keys and prefixes are requested URL-encoded (so control characters survive) and come back decoded. */
export async function listPage(client: S3Client, q: ListPageQuery, signal?: AbortSignal): Promise<ListPage> {
  const command = new ListObjectsV2Command({
    Bucket: q.bucket,
    Prefix: q.prefix,
    Delimiter: q.delimiter,
    StartAfter: q.continuationToken === undefined ? q.startAfter : undefined,
    ContinuationToken: q.continuationToken,
    MaxKeys: q.maxKeys,
    EncodingType: 'url',
  });
  let page: ListPage | undefined;
  const parseBody: DeserializeMiddleware<ListObjectsV2CommandInput, ListObjectsV2CommandOutput> = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as { statusCode?: number; body?: unknown };
    if (response.statusCode !== 200) return result;
    const bytes = await collect(response.body);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    // A 200 whose body is an <Error> is left to the SDK (it turns it into a retryable 503).
    if (text.indexOf('<ListBucketResult') < 0) {
      response.body = bytes;
      return result;
    }
    page = parseListPage(text, q.delimiter === undefined ? { ...q.scope, noPrefixes: true } : q.scope);
    response.body = EMPTY;
    return result;
  };
  command.middlewareStack.addRelativeTo(parseBody, { relation: 'after', toMiddleware: 'throw200ExceptionsMiddleware', name: 's3dsListPageParser' });
  const output = await client.send(command, { abortSignal: signal });
  return page ?? fromSdkOutput(output);
}

/** The SDK's own result, for a client whose requests never pass the middleware stack (a `send` replaced in unit tests). */
function fromSdkOutput(out: ListObjectsV2CommandOutput): ListPage {
  const decode = out.EncodingType === 'url' ? urlDecode : (s: string) => s;
  return {
    objects: (out.Contents ?? []).map((o) => ({
      key: decode(o.Key ?? ''),
      size: o.Size ?? 0,
      etag: (o.ETag ?? '').replace(/"/g, ''),
      lastModified: o.LastModified?.toISOString(),
      storageClass: o.StorageClass,
    })),
    prefixes: (out.CommonPrefixes ?? []).map((p) => decode(p.Prefix ?? '')),
    isTruncated: out.IsTruncated === true,
    nextContinuationToken: out.NextContinuationToken,
    keyCount: out.KeyCount,
    encodingType: out.EncodingType,
  };
}

async function collect(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (body === undefined || body === null) return EMPTY;
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
