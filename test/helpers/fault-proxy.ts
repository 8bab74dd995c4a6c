import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../scripts/local-s3.js';

/** What a request is, from its method and query: the kinds the fault tests must each hit. */
export type RequestKind = 'list' | 'list-uploads' | 'get' | 'head' | 'put' | 'post' | 'delete' | 'other';
export const REQUEST_KINDS: readonly RequestKind[] = ['list', 'list-uploads', 'get', 'head', 'put', 'post', 'delete', 'other'];

export function requestKind(method: string | undefined, path: string): RequestKind {
  const query = new URLSearchParams(path.includes('?') ? path.slice(path.indexOf('?') + 1) : '');
  switch (method) {
    case 'GET':
      if (query.get('list-type') === '2') return 'list';
      if (query.has('uploads')) return 'list-uploads';
      return 'get';
    case 'HEAD':
      return 'head';
    case 'PUT':
      return 'put';
    case 'POST':
      return 'post';
    case 'DELETE':
      return 'delete';
    default:
      return 'other';
  }
}

export type Fault = 'slowDown' | 'internalError';

export interface FaultRules {
  /** Share of PUT requests (CopyObject, UploadPartCopy, PutObject) answered 503 SlowDown; of every request with `allRequests`. */
  slowDown?: number;
  /** Share of PUT requests answered 500 InternalError; of every request with `allRequests`. */
  internalError?: number;
  /** slowDown and internalError apply to every request of every kind (listing, GET, HEAD, PUT, POST, DELETE), not only PUTs. */
  allRequests?: boolean;
  /** The first request of each kind (see requestKind) is answered with this fault, whatever the shares say. */
  failFirstOfEachKind?: Fault;
  /** With failFirstOfEachKind: the first this many requests of each kind (default 1). */
  failFirstTimes?: number;
  /** Sustained throttling: the first `requests` requests of these kinds, all of them, are answered with `fault`. */
  sustained?: { fault: Fault; requests: number; kinds: readonly RequestKind[] };
  /**
   * Never fail one request (method and URL) more than this many times in a row: a test that must
   * end with exit 0 stays within a class's retry limit (e.g. 3 for 500s) instead of failing on a
   * rare unlucky run.
   */
  maxConsecutivePerRequest?: number;
  /** The first `times` requests whose path (query included, as sent) contains `text` are answered with `fault`. */
  failPathContaining?: { fault: Fault; text: string; times: number };
  /** PUTs whose path contains this (e.g. '/dst-bucket/m/spot/') are answered 403 AccessDenied. */
  denyPathContaining?: string;
  /**
   * Copies (PUTs with x-amz-copy-source), GETs and HEADs that name an object whose key ends with
   * this are answered 404 NoSuchKey, while listings still list it: a request built for a key the
   * server does not have (a mangled key), though the object is there.
   */
  keyNotFoundEndingWith?: string;
  /**
   * Awaited before a request is forwarded (after the fault rules passed it), e.g. to delete its
   * source object first. `names` is the object a copy, GET or HEAD reads ("bucket/key", decoded).
   */
  beforeForward?: (req: { method: string; kind: RequestKind; names?: string }) => Promise<void>;
  /** Delay before forwarding each request, in ms. */
  delayMs?: number;
  /** Further delay before forwarding each ListObjectsV2 request, in ms: a slow listing, page by page. */
  listDelayMs?: number;
  /** Swap the first two keys of every ListObjectsV2 page (a server that lists out of order). */
  reorderListing?: boolean;
  random?: () => number;
}

export interface FaultProxy {
  endpoint: string;
  rules: FaultRules;
  injected: { slowDown: number; internalError: number; denied: number; reordered: number; forwarded: number; notFound: number };
  /** Faults (SlowDown or InternalError) answered per request kind. */
  injectedByKind: Record<RequestKind, number>;
  /** Requests seen per kind. */
  seenByKind: Record<RequestKind, number>;
  /** Requests seen, for assertions: method, path and whether they were signed. */
  seen: string[];
  /** The requests answered with SlowDown or InternalError, as in `seen` (so `faulted[0] === seen[0]` when the first request failed). */
  faulted: string[];
  stop(): Promise<void>;
}

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULTPROXY</RequestId></Error>`;

/**
 * A small HTTP proxy in front of a real S3 server that answers a chosen share of requests with
 * real S3 error responses. Headers (Host included) are forwarded unchanged, so SigV4 signatures
 * made for the proxy's address stay valid at the server.
 */
export async function startFaultProxy(target: string, rules: FaultRules): Promise<FaultProxy> {
  const upstream = new URL(target);
  const random = rules.random ?? Math.random;
  const proxy: Omit<FaultProxy, 'endpoint' | 'stop'> = {
    rules,
    injected: { slowDown: 0, internalError: 0, denied: 0, reordered: 0, forwarded: 0, notFound: 0 },
    injectedByKind: Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<RequestKind, number>,
    seenByKind: Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<RequestKind, number>,
    seen: [],
    faulted: [],
  };
  const consecutive = new Map<string, number>();
  let sustainedSoFar = 0;
  const reply = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) => {
    req.resume();
    req.on('end', () => {
      // A HEAD response has no body (S3 sends only the status; the SDK then names the error after it).
      if (req.method === 'HEAD') {
        res.writeHead(status, { connection: 'keep-alive', 'content-length': '0' });
        res.end();
        return;
      }
      // JSON-protocol services (Secrets Manager) answer errors in JSON.
      if (String(req.headers['content-type'] ?? '').includes('amz-json')) {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', connection: 'keep-alive' });
        res.end(JSON.stringify({ __type: code, message }));
        return;
      }
      res.writeHead(status, { 'content-type': 'application/xml', connection: 'keep-alive' });
      res.end(errorXml(code, message));
    });
  };
  const FAULTS: Record<Fault, [number, string, string]> = {
    slowDown: [503, 'SlowDown', 'Please reduce your request rate.'],
    internalError: [500, 'InternalError', 'We encountered an internal error. Please try again.'],
  };
  /** The fault to answer with, if any: first of its kind, else by share (PUTs only unless allRequests). */
  let pathFaults = 0;
  /** `nth`: the request's place among those of its kind, counted on arrival (a delayed request keeps its place). */
  const pickFault = (req: IncomingMessage, kind: RequestKind, nth: number): Fault | undefined => {
    const byPath = rules.failPathContaining;
    if (byPath && pathFaults < byPath.times && (req.url ?? '').includes(byPath.text)) {
      pathFaults++;
      return byPath.fault;
    }
    if (rules.failFirstOfEachKind && nth <= (rules.failFirstTimes ?? 1)) return rules.failFirstOfEachKind;
    if (rules.sustained?.kinds.includes(kind) && sustainedSoFar < rules.sustained.requests) {
      sustainedSoFar++;
      return rules.sustained.fault;
    }
    if (req.method !== 'PUT' && !rules.allRequests) return undefined;
    const r = random();
    if (rules.slowDown && r < rules.slowDown) return 'slowDown';
    if (rules.internalError && r >= (rules.slowDown ?? 0) && r < (rules.slowDown ?? 0) + rules.internalError) return 'internalError';
    return undefined;
  };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const kind = requestKind(req.method, path);
    const line = `${req.method} ${path} ${req.headers.authorization ? 'signed' : 'unsigned'}`;
    proxy.seen.push(line);
    const nth = ++proxy.seenByKind[kind];
    const copySource = req.headers['x-amz-copy-source'];
    const objectPath = kind === 'get' || kind === 'head' ? path.split('?')[0]!.slice(1) : undefined;
    // The object the request reads: a copy's source, or the path of a GET or HEAD.
    const names = typeof copySource === 'string' ? decodeURIComponent(copySource).replace(/^\//, '') : objectPath && decodeURIComponent(objectPath);
    const forward = async () => {
      if (req.method === 'PUT' && rules.denyPathContaining && decodeURIComponent(path).includes(rules.denyPathContaining)) {
        proxy.injected.denied++;
        return reply(req, res, 403, 'AccessDenied', 'Access Denied');
      }
      if (rules.keyNotFoundEndingWith && names?.endsWith(rules.keyNotFoundEndingWith)) {
        proxy.injected.notFound++;
        return reply(req, res, 404, 'NoSuchKey', 'The specified key does not exist.');
      }
      const id = `${req.method} ${path}`;
      const capped = rules.maxConsecutivePerRequest !== undefined && (consecutive.get(id) ?? 0) >= rules.maxConsecutivePerRequest;
      const fault = capped ? undefined : pickFault(req, kind, nth);
      if (fault) {
        consecutive.set(id, (consecutive.get(id) ?? 0) + 1);
        proxy.injected[fault]++;
        proxy.injectedByKind[kind]++;
        proxy.faulted.push(line);
        const [status, code, message] = FAULTS[fault];
        return reply(req, res, status, code, message);
      }
      consecutive.delete(id);
      if (rules.beforeForward) {
        req.pause();
        await rules.beforeForward({ method: req.method ?? '', kind, names });
      }
      proxy.injected.forwarded++;
      const isList = req.method === 'GET' && /[?&]list-type=2/.test(path);
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers }, (up) => {
        if (!(rules.reorderListing && isList && up.statusCode === 200)) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          let body = Buffer.concat(chunks).toString('utf8');
          const contents = body.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? [];
          if (contents.length >= 2) {
            proxy.injected.reordered++;
            const [a, b] = contents as [string, string];
            body = body.replace(a, '\u0000A\u0000').replace(b, a).replace('\u0000A\u0000', b);
          }
          const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(body)) };
          res.writeHead(up.statusCode ?? 200, headers);
          res.end(body);
        });
      });
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(out);
    };
    const delay = (rules.delayMs ?? 0) + (kind === 'list' ? (rules.listDelayMs ?? 0) : 0);
    const go = () =>
      void forward().catch((e: unknown) => {
        res.writeHead(502);
        res.end(String(e));
      });
    if (delay > 0) setTimeout(go, delay);
    else go();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    ...proxy,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
