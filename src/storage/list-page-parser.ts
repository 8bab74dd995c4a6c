/**
 * A scanner for the one XML document the planner reads by the million: the ListObjectsV2 response
 * (ListBucketResult). It reads only the elements a listing needs, with indexOf over the text, and
 * decodes XML entities and (when the server says it used encoding-type=url) URL encoding.
 */

import { compareKeys } from '../key-order.js';

/** One object of a page. `key` is the full key; `lastModified` is kept as the ISO 8601 text the server sent. */
export interface PageObject {
  key: string;
  size: number;
  /** Without quotes. */
  etag: string;
  lastModified?: string;
  storageClass?: string;
}

export interface ListPage {
  objects: PageObject[];
  /** CommonPrefixes (full prefixes), when listed with a delimiter. */
  prefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
  keyCount?: number;
  /** 'url' when the server URL-encoded Key, Prefix, Delimiter and StartAfter (already decoded here). */
  encodingType?: string;
}

export class ListPageParseError extends Error {
  constructor(message: string) {
    super(`ListObjectsV2 response: ${message}`);
    this.name = 'ListPageParseError';
  }
}

/** What of a page to read: reading objects is most of the parsing. */
export interface ParseScope {
  /** Stop reading objects after the first key past this one (that key is the last object given). */
  until?: string;
  /** Read no objects (folder discovery needs only CommonPrefixes and KeyCount). */
  noObjects?: boolean;
  /** Listed without a delimiter: there are no CommonPrefixes to look for. */
  noPrefixes?: boolean;
}

export function parseListPage(xml: string, scope: ParseScope = {}): ListPage {
  if (xml.indexOf('<ListBucketResult') < 0) throw new ListPageParseError('no ListBucketResult element');
  const encodingType = topLevel(xml, 'EncodingType');
  const url = encodingType === 'url';
  const truncated = topLevel(xml, 'IsTruncated');
  const keyCount = topLevel(xml, 'KeyCount');
  const token = topLevel(xml, 'NextContinuationToken');
  return {
    objects: scope.noObjects ? [] : parseContents(xml, url, scope.until),
    prefixes: scope.noPrefixes ? [] : parseCommonPrefixes(xml, url),
    isTruncated: truncated === 'true',
    nextContinuationToken: token === undefined || token === '' ? undefined : token,
    keyCount: keyCount === undefined ? undefined : Number(keyCount),
    encodingType,
  };
}

function parseContents(xml: string, url: boolean, until: string | undefined): PageObject[] {
  const objects: PageObject[] = [];
  let at = 0;
  for (;;) {
    const start = xml.indexOf('<Contents>', at);
    if (start < 0) return objects;
    const end = xml.indexOf('</Contents>', start);
    if (end < 0) throw new ListPageParseError('unterminated Contents element');
    const key = element(xml, '<Key>', '</Key>', start, end);
    if (key === undefined) throw new ListPageParseError('a Contents element without a Key');
    const size = element(xml, '<Size>', '</Size>', start, end);
    const etag = element(xml, '<ETag>', '</ETag>', start, end);
    const lastModified = element(xml, '<LastModified>', '</LastModified>', start, end);
    const storageClass = element(xml, '<StorageClass>', '</StorageClass>', start, end);
    const text = keyText(key, url);
    objects.push({
      key: text,
      size: size === undefined ? 0 : Number(size),
      etag: etag === undefined ? '' : unquote(etag),
      lastModified: lastModified === undefined ? undefined : lastModified.trim(),
      storageClass: storageClass === undefined ? undefined : decodeEntities(storageClass),
    });
    if (until !== undefined && compareKeys(text, until) > 0) return objects;
    at = end + 11;
  }
}

function parseCommonPrefixes(xml: string, url: boolean): string[] {
  const prefixes: string[] = [];
  let at = 0;
  for (;;) {
    const start = xml.indexOf('<CommonPrefixes>', at);
    if (start < 0) return prefixes;
    const end = xml.indexOf('</CommonPrefixes>', start);
    if (end < 0) throw new ListPageParseError('unterminated CommonPrefixes element');
    const prefix = element(xml, '<Prefix>', '</Prefix>', start, end);
    if (prefix !== undefined) prefixes.push(keyText(prefix, url));
    at = end + 17;
  }
}

/** The text of `<open>…<close>` between `from` and `to`, undefined when absent. */
function element(xml: string, open: string, close: string, from: number, to: number): string | undefined {
  const o = xml.indexOf(open, from);
  if (o < 0 || o > to) return undefined;
  const s = o + open.length;
  const e = xml.indexOf(close, s);
  if (e < 0 || e > to) throw new ListPageParseError(`unterminated ${open} element`);
  return xml.slice(s, e);
}

/**
 * A child of ListBucketResult outside Contents and CommonPrefixes. Markup never occurs inside
 * text (a `<` there is `&lt;`), so these names, which no nested element uses, are found anywhere.
 */
function topLevel(xml: string, name: string): string | undefined {
  const v = element(xml, `<${name}>`, `</${name}>`, 0, xml.length);
  return v === undefined ? undefined : decodeEntities(v).trim();
}

function keyText(raw: string, url: boolean): string {
  const text = decodeEntities(raw);
  return url ? urlDecode(text) : text;
}

/** S3's encoding-type=url is form encoding: a space may come as '+', a literal '+' as %2B. */
export function urlDecode(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new ListPageParseError(`malformed URL encoding in '${s}'`);
  }
}

function unquote(raw: string): string {
  if (raw.length >= 12 && raw.startsWith('&quot;') && raw.endsWith('&quot;') && raw.indexOf('&', 6) === raw.length - 6) return raw.slice(6, -6);
  return decodeEntities(raw).replace(/"/g, '');
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined XML entities and decimal/hex character references; anything else is malformed. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&([^;&]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new ListPageParseError(`unterminated entity in '${s}'`);
    const named = NAMED[name];
    if (named !== undefined) return named;
    const code = name.startsWith('#x') || name.startsWith('#X') ? hexRef(name.slice(2)) : name.startsWith('#') ? decRef(name.slice(1)) : NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) throw new ListPageParseError(`unknown entity &${name}; in '${s}'`);
    return String.fromCodePoint(code);
  });
}

function hexRef(digits: string): number {
  return /^[0-9a-fA-F]+$/.test(digits) ? parseInt(digits, 16) : NaN;
}

function decRef(digits: string): number {
  return /^[0-9]+$/.test(digits) ? parseInt(digits, 10) : NaN;
}
