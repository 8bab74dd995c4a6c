/**
 * The listing simulator: a small S3-compatible endpoint (node:http) serving N generated,
 * Binance-shaped keys per bucket with no objects behind them, for the bench and listing tests.
 * ListObjectsV2 and V1 (prefix, delimiter, continuation token, start-after / marker, max-keys,
 * encoding-type=url), HeadObject from the generated metadata, HeadBucket, GetBucketLocation,
 * GetBucketVersioning, ListBuckets; anything else answers 501 NotImplemented. Any SigV4 request
 * is accepted without checking its signature.
 *
 * As a module: startListSim(). As a command:
 *   npx tsx scripts/list-sim.ts --keys N [--port P] [--page-latency-ms L] [--buckets a,b]
 *     [--days D] [--differ bucket=fraction] [--missing bucket=fraction] [--out-of-order bucket]
 *   npx tsx scripts/list-sim.ts --layout full --symbols 2000 --days 365 [--last-date YYYY-MM-DD]
 *     [--non-ascii] [--keys CAP] ...   (the real archive's folders, the key count following from them)
 * runs until Ctrl-C, then prints the request counts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimBucket, type BucketOptions } from './list-sim/bucket.js';
import { KeySpace } from './list-sim/keyspace.js';
import { LAYOUT_NAMES, type LayoutName } from './list-sim/layouts.js';
import { BadRequest, escapeXml, listPage, type ListParams, type Page } from './list-sim/list-page.js';

export interface ListSimOptions {
  /** Keys in every bucket's space (before a bucket's `missing` fraction); with `symbolCount` a cap. */
  keysPerBucket?: number;
  /** Generated symbols per folder: the key count follows from them, the layout and the days (see KeySpace). */
  symbolCount?: number;
  /** The folder templates: 'compact' (default) or 'full' (the real archive's). */
  layout?: LayoutName;
  /** The last daily date, YYYY-MM-DD (default KeySpace's fixed date). */
  lastDate?: string;
  /** Add the archive's non-ASCII symbol to the spot and USD-M folders (with symbolCount). */
  nonAscii?: boolean;
  /** Bucket names, or options per bucket; default ['source', 'dest']. */
  buckets?: (string | BucketOptions)[];
  /** Wait before answering each list page (ms); default 0. */
  pageLatencyMs?: number;
  /** Daily files per folder of the generated layout (see KeySpace). */
  days?: number;
  /** Explicit symbol names (awkward keys for tests). */
  symbols?: string[];
  port?: number;
  /** Called with each list request served: the bucket, what it asked for, the keys and common prefixes it got. */
  onList?: (bucket: string, params: ListParams, page: Page) => void;
  /** Called with each request the simulator does not implement. */
  onUnknown?: (method: string, url: string) => void;
}

export interface ListSim {
  endpoint: string;
  port: number;
  space: KeySpace;
  buckets: Map<string, SimBucket>;
  /** Requests served, by kind (ListObjectsV2, ListObjects, HeadObject, HeadBucket, ..., NotImplemented). */
  requests: Record<string, number>;
  /** What the list requests (V2 and V1) asked for and got: pages with and without a delimiter, keys and common prefixes listed. */
  listing: ListingTally;
  /** Requests answered NotImplemented, as "METHOD url". */
  unknown: string[];
  /** Env for a child process (s5cmd, the job) talking to the simulator. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export interface ListingTally {
  /** List requests without a delimiter (pages of keys). */
  pages: number;
  /** List requests with a delimiter (folder discovery). */
  delimited: number;
  /** Keys (Contents) the pages held. */
  keys: number;
  /** Common prefixes the pages held. */
  prefixes: number;
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(bytes.length), ...headers });
  res.end(bytes);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, head = false): void {
  const body = XML_HEAD + `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  if (head) {
    res.writeHead(status, { 'Content-Type': 'application/xml', 'x-amz-error-code': code });
    res.end();
  } else send(res, status, body);
}

function listParams(q: URLSearchParams): ListParams {
  const maxRaw = q.get('max-keys');
  const max = maxRaw === null ? 1000 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 0) throw new BadRequest('InvalidArgument', 'max-keys must be a whole number >= 0');
  const enc = q.get('encoding-type');
  if (enc !== null && enc !== 'url') throw new BadRequest('InvalidArgument', 'Invalid Encoding Method specified in Request');
  const v2 = q.get('list-type') === '2';
  return {
    v2,
    prefix: q.get('prefix') ?? '',
    delimiter: q.get('delimiter') ?? '',
    maxKeys: Math.min(max, 1000),
    startAfter: (v2 ? q.get('start-after') : q.get('marker')) ?? '',
    continuationToken: q.get('continuation-token') ?? undefined,
    encodeUrl: enc === 'url',
  };
}

function listBuckets(buckets: Map<string, SimBucket>): string {
  let body = XML_HEAD + `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>list-sim</ID><DisplayName>list-sim</DisplayName></Owner><Buckets>`;
  for (const name of buckets.keys()) body += `<Bucket><Name>${escapeXml(name)}</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket>`;
  return body + '</Buckets></ListAllMyBucketsResult>';
}

const BUCKET_SUBRESOURCES: Record<string, string> = {
  location: XML_HEAD + `<LocationConstraint xmlns="${S3_NS}"></LocationConstraint>`,
  versioning: XML_HEAD + `<VersioningConfiguration xmlns="${S3_NS}"></VersioningConfiguration>`,
};

export async function startListSim(opts: ListSimOptions): Promise<ListSim> {
  const space = new KeySpace({
    keys: opts.keysPerBucket,
    symbolCount: opts.symbolCount,
    layout: opts.layout,
    days: opts.days,
    lastDate: opts.lastDate,
    symbols: opts.symbols,
    nonAscii: opts.nonAscii,
  });
  const buckets = new Map<string, SimBucket>();
  for (const b of opts.buckets ?? ['source', 'dest']) {
    const o = typeof b === 'string' ? { name: b } : b;
    buckets.set(o.name, new SimBucket(space, o));
  }
  const latency = opts.pageLatencyMs ?? 0;
  const requests: Record<string, number> = {};
  const listing: ListingTally = { pages: 0, delimited: 0, keys: 0, prefixes: 0 };
  const unknown: string[] = [];
  const count = (kind: string) => (requests[kind] = (requests[kind] ?? 0) + 1);

  const notImplemented = (req: IncomingMessage, res: ServerResponse) => {
    count('NotImplemented');
    const what = `${req.method} ${req.url}`;
    if (unknown.length < 1000) unknown.push(what);
    opts.onUnknown?.(req.method ?? '', req.url ?? '');
    sendError(res, 501, 'NotImplemented', `list-sim does not implement ${what}`, req.method === 'HEAD');
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://list-sim');
    const path = url.pathname.slice(1);
    const slash = path.indexOf('/');
    const bucketName = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    if (!bucketName) {
      if (method !== 'GET') return notImplemented(req, res);
      count('ListBuckets');
      return send(res, 200, listBuckets(buckets));
    }
    const bucket = buckets.get(bucketName);
    if (!bucket) {
      count('NoSuchBucket');
      return sendError(res, 404, 'NoSuchBucket', `The specified bucket does not exist: ${bucketName}`, method === 'HEAD');
    }
    if (key) return handleObject(req, res, bucket, key);
    if (method === 'HEAD' && [...q.keys()].length === 0) {
      count('HeadBucket');
      res.writeHead(200, { 'x-amz-bucket-region': 'us-east-1' });
      return void res.end();
    }
    if (method !== 'GET') return notImplemented(req, res);
    const sub = [...q.keys()].find((k) => k in BUCKET_SUBRESOURCES);
    if (sub) {
      count(`GetBucket${sub[0]!.toUpperCase()}${sub.slice(1)}`);
      return send(res, 200, BUCKET_SUBRESOURCES[sub]!);
    }
    const listKeys = new Set([
      'list-type',
      'prefix',
      'delimiter',
      'max-keys',
      'start-after',
      'marker',
      'continuation-token',
      'encoding-type',
      'fetch-owner',
      'x-id',
    ]);
    if (![...q.keys()].every((k) => listKeys.has(k))) return notImplemented(req, res);
    let params: ListParams;
    let page: Page;
    try {
      params = listParams(q);
      page = listPage(bucket, params);
    } catch (e) {
      if (e instanceof BadRequest) return sendError(res, 400, e.code, e.message);
      throw e;
    }
    count(params.v2 ? 'ListObjectsV2' : 'ListObjects');
    if (params.delimiter) listing.delimited++;
    else listing.pages++;
    listing.keys += page.keys;
    listing.prefixes += page.prefixes;
    opts.onList?.(bucket.name, params, page);
    if (latency > 0) setTimeout(() => send(res, 200, page.xml), latency);
    else send(res, 200, page.xml);
  };

  const handleObject = (req: IncomingMessage, res: ServerResponse, bucket: SimBucket, key: string): void => {
    if (req.method !== 'HEAD' || [...new URL(req.url ?? '/', 'http://x').searchParams.keys()].length > 0) return notImplemented(req, res);
    count('HeadObject');
    const i = bucket.find(key);
    if (i < 0) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', true);
    const m = bucket.meta(i, key);
    res.writeHead(200, {
      'Content-Length': String(m.size),
      ETag: `"${m.etag}"`,
      'Last-Modified': 'Sat, 01 Jun 2024 00:00:00 GMT',
      'Content-Type': key.endsWith('.zip') ? 'application/zip' : 'application/octet-stream',
      'Accept-Ranges': 'bytes',
    });
    res.end();
  };

  const server = createServer((req, res) => {
    req.resume();
    try {
      handle(req, res);
    } catch (e) {
      count('InternalError');
      sendError(res, 500, 'InternalError', String(e), req.method === 'HEAD');
    }
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    space,
    buckets,
    requests,
    listing,
    unknown,
    env: () => ({ AWS_ACCESS_KEY_ID: 'list-sim', AWS_SECRET_ACCESS_KEY: 'list-sim', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function fractions(args: string[], name: string): Map<string, number> {
  const out = new Map<string, number>();
  args.forEach((a, i) => {
    if (a !== `--${name}`) return;
    const [b, f] = String(args[i + 1]).split('=');
    out.set(b!, Number(f));
  });
  return out;
}

async function cli(args: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const names = (arg('buckets') ?? 'source,dest').split(',');
  const differ = fractions(args, 'differ');
  const missing = fractions(args, 'missing');
  const unordered = new Set(args.flatMap((a, i) => (a === '--out-of-order' ? [String(args[i + 1])] : [])));
  const layout = (arg('layout') ?? 'compact') as LayoutName;
  if (!LAYOUT_NAMES.includes(layout)) throw new Error(`--layout must be one of ${LAYOUT_NAMES.join(', ')}`);
  const symbolCount = arg('symbols') ? Number(arg('symbols')) : undefined;
  const sim = await startListSim({
    keysPerBucket: arg('keys') ? Number(arg('keys')) : symbolCount ? undefined : 1_000_000,
    symbolCount,
    layout,
    lastDate: arg('last-date'),
    nonAscii: args.includes('--non-ascii'),
    port: arg('port') ? Number(arg('port')) : undefined,
    pageLatencyMs: Number(arg('page-latency-ms') ?? 0),
    days: arg('days') ? Number(arg('days')) : undefined,
    buckets: names.map((name) => ({ name, differ: differ.get(name), missing: missing.get(name), outOfOrder: unordered.has(name) })),
    onUnknown: (m, u) => process.stderr.write(`list-sim: not implemented: ${m} ${u}\n`),
  });
  const dates = `${sim.space.dailyDates.length} days to ${sim.space.dailyDates.at(-1)}`;
  console.log(
    `list-sim: ${sim.space.size} keys per bucket (${names.join(', ')}; ${layout} layout, ${dates}) at ${sim.endpoint}; any credentials; Ctrl-C stops`,
  );
  const stop = () => {
    console.log(`list-sim: requests ${JSON.stringify(sim.requests)}; listing ${JSON.stringify(sim.listing)}`);
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  cli(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
