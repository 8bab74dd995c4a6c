import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../scripts/local-s3.js';

export interface FaultRules {
  /** Share of PUT requests (CopyObject, UploadPartCopy, PutObject) answered 503 SlowDown. */
  slowDown?: number;
  /** Share of PUT requests answered 500 InternalError. */
  internalError?: number;
  /** PUTs whose path contains this (e.g. '/dst-bucket/m/spot/') are answered 403 AccessDenied. */
  denyPathContaining?: string;
  /** Delay before forwarding each request, in ms. */
  delayMs?: number;
  /** Swap the first two keys of every ListObjectsV2 page (a server that lists out of order). */
  reorderListing?: boolean;
  random?: () => number;
}

export interface FaultProxy {
  endpoint: string;
  rules: FaultRules;
  injected: { slowDown: number; internalError: number; denied: number; reordered: number; forwarded: number };
  /** Requests seen, for assertions: method, path and whether they were signed. */
  seen: string[];
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
    injected: { slowDown: 0, internalError: 0, denied: 0, reordered: 0, forwarded: 0 },
    seen: [],
  };
  const reply = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml', connection: 'keep-alive' });
      res.end(errorXml(code, message));
    });
  };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    proxy.seen.push(`${req.method} ${path} ${req.headers.authorization ? 'signed' : 'unsigned'}`);
    const forward = () => {
      if (req.method === 'PUT') {
        if (rules.denyPathContaining && decodeURIComponent(path).includes(rules.denyPathContaining)) {
          proxy.injected.denied++;
          return reply(req, res, 403, 'AccessDenied', 'Access Denied');
        }
        const r = random();
        if (rules.slowDown && r < rules.slowDown) {
          proxy.injected.slowDown++;
          return reply(req, res, 503, 'SlowDown', 'Please reduce your request rate.');
        }
        if (rules.internalError && r >= (rules.slowDown ?? 0) && r < (rules.slowDown ?? 0) + rules.internalError) {
          proxy.injected.internalError++;
          return reply(req, res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
        }
      }
      proxy.injected.forwarded++;
      const isList = req.method === 'GET' && /[?&]list-type=2/.test(path);
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
        (up) => {
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
        },
      );
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(out);
    };
    if (rules.delayMs) setTimeout(forward, rules.delayMs);
    else forward();
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
