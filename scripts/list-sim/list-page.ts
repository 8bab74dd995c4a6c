/**
 * ListObjectsV2 (and V1) pages of a simulated bucket, as S3's XML, built by string concatenation.
 * A page seeks its start by binary search and skips a whole common prefix by seeking past it.
 */
import { compareKeys } from '../../src/key-order.js';
import type { SimBucket } from './bucket.js';

export interface ListParams {
  v2: boolean;
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** V2: start-after; V1: marker. */
  startAfter: string;
  continuationToken: string | undefined;
  encodeUrl: boolean;
}

export class BadRequest extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LAST_MODIFIED = '2024-06-01T00:00:00.000Z';

const XML_SPECIAL = /[&<>"'\r]/;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

export function escapeXml(s: string): string {
  return XML_SPECIAL.test(s) ? s.replace(/[&<>"'\r]/g, (c) => XML_ESCAPES[c]!) : s;
}

const URL_SAFE = /^[A-Za-z0-9\-_./*]*$/;

/**
 * encoding-type=url as S3 answers it: the UTF-8 bytes percent-encoded (upper-case hex) except
 * letters, digits and `- _ . / *`, and a space as `+`.
 */
export function s3UrlEncode(s: string): string {
  if (URL_SAFE.test(s)) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_./*]/.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function encodeToken(kind: 'K' | 'C', marker: string): string {
  return Buffer.from(kind + marker, 'utf8').toString('base64');
}

function decodeToken(token: string): { kind: string; marker: string } {
  const raw = Buffer.from(token, 'base64').toString('utf8');
  if ((raw[0] !== 'K' && raw[0] !== 'C') || encodeToken(raw[0], raw.slice(1)) !== token) {
    throw new BadRequest('InvalidArgument', 'The continuation token provided is incorrect');
  }
  return { kind: raw[0], marker: raw.slice(1) };
}

/**
 * Where the page starts, and the marker every entry must sort after: an entry (a key or a common
 * prefix) is listed when it is > start-after (V1: marker), as versitygw does; so a common prefix
 * given back as the marker (V1's NextMarker) is not listed again.
 */
function start(bucket: SimBucket, p: ListParams): { index: number; marker: string } {
  const space = bucket.space;
  let index = 0;
  let marker = '';
  if (p.v2 && p.continuationToken !== undefined) {
    const t = decodeToken(p.continuationToken);
    index = t.kind === 'C' ? space.firstPastPrefix(t.marker) : space.firstAfter(t.marker);
    marker = t.marker;
  } else if (p.startAfter) {
    index = space.firstAfter(p.startAfter);
    marker = p.startAfter;
  }
  if (p.prefix) index = Math.max(index, space.firstAtOrAfter(p.prefix));
  return { index, marker };
}

interface PageBody {
  entries: string[];
  prefixes: string;
  prefixCount: number;
  count: number;
  truncated: boolean;
  /** 'K' + last key or 'C' + last common prefix. */
  last: { kind: 'K' | 'C'; marker: string } | null;
}

function collect(bucket: SimBucket, p: ListParams): PageBody {
  const space = bucket.space;
  const end = p.prefix ? space.firstPastPrefix(p.prefix) : space.size;
  const enc = space.plainKeys ? (k: string) => k : p.encodeUrl ? s3UrlEncode : escapeXml;
  const entries: string[] = [];
  let prefixes = '';
  let prefixCount = 0;
  let count = 0;
  let truncated = false;
  let last: PageBody['last'] = null;
  const from = start(bucket, p);
  let i = from.index;
  while (i < end) {
    if (bucket.missing(i)) {
      i++;
      continue;
    }
    const key = space.keyAt(i);
    if (p.delimiter) {
      const j = key.indexOf(p.delimiter, p.prefix.length);
      if (j >= 0) {
        const cp = key.slice(0, j + p.delimiter.length);
        if (compareKeys(cp, from.marker) <= 0) {
          i = space.firstPastPrefix(cp);
          continue;
        }
        if (count >= p.maxKeys) {
          truncated = true;
          break;
        }
        i = space.firstPastPrefix(cp);
        prefixes += '<CommonPrefixes><Prefix>' + enc(cp) + '</Prefix></CommonPrefixes>';
        last = { kind: 'C', marker: cp };
        prefixCount++;
        count++;
        continue;
      }
    }
    if (count >= p.maxKeys) {
      truncated = true;
      break;
    }
    const m = bucket.meta(i, key);
    entries.push(
      '<Contents><Key>' +
        enc(key) +
        '</Key><LastModified>' +
        LAST_MODIFIED +
        '</LastModified><ETag>&quot;' +
        m.etag +
        '&quot;</ETag><Size>' +
        m.size +
        '</Size><StorageClass>STANDARD</StorageClass></Contents>',
    );
    last = { kind: 'K', marker: key };
    count++;
    i++;
  }
  if (bucket.outOfOrder && entries.length >= 3) [entries[1], entries[2]] = [entries[2]!, entries[1]!];
  return { entries, prefixes, prefixCount, count, truncated, last };
}

const el = (name: string, value: string) => '<' + name + '>' + value + '</' + name + '>';

export interface Page {
  /** The XML body. */
  xml: string;
  /** Keys (Contents) and common prefixes the page holds. */
  keys: number;
  prefixes: number;
}

/** One ListObjectsV2 (p.v2) or ListObjects page. */
export function listPage(bucket: SimBucket, p: ListParams): Page {
  const b = collect(bucket, p);
  const enc = p.encodeUrl ? s3UrlEncode : escapeXml;
  let head = '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
  head += el('Name', escapeXml(bucket.name)) + el('Prefix', enc(p.prefix));
  if (p.v2) {
    if (p.continuationToken !== undefined) head += el('ContinuationToken', escapeXml(p.continuationToken));
    if (p.startAfter) head += el('StartAfter', enc(p.startAfter));
    head += el('KeyCount', String(b.count));
  } else {
    head += el('Marker', enc(p.startAfter));
  }
  head += el('MaxKeys', String(p.maxKeys));
  if (p.delimiter) head += el('Delimiter', enc(p.delimiter));
  if (p.encodeUrl) head += el('EncodingType', 'url');
  head += el('IsTruncated', String(b.truncated));
  if (b.truncated && b.last) {
    head += p.v2 ? el('NextContinuationToken', encodeToken(b.last.kind, b.last.marker)) : el('NextMarker', enc(b.last.marker));
  }
  return { xml: head + b.entries.join('') + b.prefixes + '</ListBucketResult>', keys: b.entries.length, prefixes: b.prefixCount };
}
