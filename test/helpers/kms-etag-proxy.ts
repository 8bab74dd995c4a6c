import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { freePort } from '../../scripts/local-s3.js';

export interface KmsEtagProxyOptions {
  /** The bucket whose ETags become opaque (the destination). Other buckets pass through untouched. */
  bucket: string;
  /**
   * Keys under this prefix keep their real ETags. A conditional write (If-Match) carries the ETag
   * in a signed request header that the proxy cannot translate back to the server's value without
   * breaking SigV4, so objects written that way (the lease under `<dest prefix>_leases/`) are exempt.
   */
  exemptPrefix?: string;
}

export type RequestKind =
  | 'list'
  | 'list-uploads'
  | 'head-bucket'
  | 'head'
  | 'get'
  | 'put'
  | 'copy'
  | 'upload-part'
  | 'upload-part-copy'
  | 'create-multipart'
  | 'complete-multipart'
  | 'abort-multipart'
  | 'delete'
  | 'delete-objects'
  | 'other';

export interface SeenRequest {
  kind: RequestKind;
  bucket: string;
  key: string;
}

export interface KmsEtagProxy {
  endpoint: string;
  /** Every request forwarded, in order. */
  seen: SeenRequest[];
  /** How many ETags were rewritten. */
  rewritten: number;
  /** Requests of this kind (to `bucket` when given) since the start or the last reset. */
  count(kind: RequestKind, bucket?: string): number;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * A small HTTP proxy in front of a real S3 server (path-style addressing) that makes one bucket
 * look SSE-KMS encrypted: every ETag of that bucket, in listings, HeadObject/GetObject headers and
 * PutObject/CopyObject/CompleteMultipartUpload responses, becomes an opaque 32-hex value that is not
 * the content's MD5 yet stays the same across reads of one object version. A multipart ETag keeps
 * its `-N`. Request headers are forwarded unchanged, so SigV4 signatures stay valid.
 *
 * Part ETags (UploadPart, UploadPartCopy) stay real: the client echoes them in the signed
 * CompleteMultipartUpload body, which the proxy cannot change back, and the job never compares them.
 */
export async function startKmsEtagProxy(target: string, opts: KmsEtagProxyOptions): Promise<KmsEtagProxy> {
  const upstream = new URL(target);
  const secret = randomBytes(16).toString('hex');
  const seen: SeenRequest[] = [];
  const state = { rewritten: 0 };

  const opaque = (key: string, realEtag: string): string => {
    const m = /^([0-9a-fA-F]{32})(-\d+)?$/.exec(realEtag);
    if (!m) return realEtag;
    state.rewritten++;
    return createHash('md5').update(`${secret}\0${opts.bucket}\0${key}\0${m[1]!.toLowerCase()}`).digest('hex') + (m[2] ?? '');
  };
  const exempt = (key: string) => opts.exemptPrefix !== undefined && key.startsWith(opts.exemptPrefix);
  /** `"etag"` (a header, or XML where the quote may be `&quot;` or `&#34;`) with the inner value made opaque. */
  const rewriteQuoted = (key: string, quoted: string): string =>
    quoted.replace(
      /^("|&quot;|&#34;)?([^"&]*)("|&quot;|&#34;)?$/,
      (_all, open: string | undefined, value: string, close: string | undefined) => `${open ?? ''}${opaque(key, value)}${close ?? ''}`,
    );

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, bucketPart = '', ...keyParts] = url.pathname.split('/');
    const bucket = decodeURIComponent(bucketPart);
    const key = decodeURIComponent(keyParts.join('/'));
    const kind = kindOf(req, url, key);
    seen.push({ kind, bucket, key });
    const target = bucket === opts.bucket && !(key !== '' && exempt(key));
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const status = up.statusCode ?? 502;
      const headers: IncomingHttpHeaders = { ...up.headers };
      if (!target || status >= 300) {
        res.writeHead(status, headers);
        up.pipe(res);
        return;
      }
      if ((kind === 'head' || kind === 'get' || kind === 'put' || kind === 'copy') && typeof headers.etag === 'string')
        headers.etag = rewriteQuoted(key, headers.etag);
      const xmlBody = kind === 'list' || kind === 'copy' || kind === 'complete-multipart';
      if (!xmlBody) {
        res.writeHead(status, headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const rewritten =
          kind === 'list' ? rewriteListing(body) : body.replace(/<ETag>([^<]*)<\/ETag>/g, (_all, e: string) => `<ETag>${rewriteQuoted(key, e)}</ETag>`);
        delete headers['transfer-encoding'];
        headers['content-length'] = String(Buffer.byteLength(rewritten));
        res.writeHead(status, headers);
        res.end(rewritten);
      });
    });
    out.on('error', (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(out);
  });

  function rewriteListing(body: string): string {
    const urlEncoded = /<EncodingType>url<\/EncodingType>/.test(body);
    return body.replace(/<Contents>[\s\S]*?<\/Contents>/g, (contents) => {
      const rawKey = /<Key>([^<]*)<\/Key>/.exec(contents)?.[1];
      if (rawKey === undefined) return contents;
      const xmlKey = unescapeXml(rawKey);
      const key = urlEncoded ? decodeURIComponent(xmlKey.replace(/\+/g, ' ')) : xmlKey;
      if (exempt(key)) return contents;
      return contents.replace(/<ETag>([^<]*)<\/ETag>/, (_all, e: string) => `<ETag>${rewriteQuoted(key, e)}</ETag>`);
    });
  }

  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    get rewritten() {
      return state.rewritten;
    },
    count: (kind, bucket) => seen.filter((r) => r.kind === kind && (bucket === undefined || r.bucket === bucket)).length,
    reset: () => {
      seen.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function kindOf(req: IncomingMessage, url: URL, key: string): RequestKind {
  const q = url.searchParams;
  const copy = req.headers['x-amz-copy-source'] !== undefined;
  switch (req.method) {
    case 'GET':
      // ListObjects v1 is not used by the job (nor s5cmd), so it passes through as 'other'.
      if (key === '') return q.has('uploads') ? 'list-uploads' : q.get('list-type') === '2' ? 'list' : 'other';
      return 'get';
    case 'HEAD':
      return key === '' ? 'head-bucket' : 'head';
    case 'PUT':
      if (q.has('partNumber')) return copy ? 'upload-part-copy' : 'upload-part';
      return copy ? 'copy' : 'put';
    case 'POST':
      if (q.has('uploads')) return 'create-multipart';
      if (q.has('uploadId')) return 'complete-multipart';
      if (q.has('delete')) return 'delete-objects';
      return 'other';
    case 'DELETE':
      return q.has('uploadId') ? 'abort-multipart' : 'delete';
    default:
      return 'other';
  }
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_all, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}
