import { describe, expect, it } from 'vitest';
import { decodeEntities, ListPageParseError, parseListPage, urlDecode } from '../../../src/storage/list-page-parser.js';

const doc = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</ListBucketResult>`;
const FIELDS = '<LastModified>2024-01-02T03:04:05.000Z</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>42</Size>';
const contents = (key: string) => `<Contents><Key>${key}</Key>${FIELDS}<StorageClass>STANDARD</StorageClass></Contents>`;

describe('parseListPage', () => {
  it('reads objects, their fields and the page state', () => {
    const p = parseListPage(
      doc(
        '<Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>' +
          contents('p/a.zip') +
          '<Contents><Key>p/b.zip</Key><ETag>"abc-3"</ETag><Size>5368709120000</Size><Owner><ID>x</ID></Owner></Contents>' +
          '<NextContinuationToken>tok/en+=</NextContinuationToken>',
      ),
    );
    expect(p.objects).toEqual([
      { key: 'p/a.zip', size: 42, etag: '0123456789abcdef0123456789abcdef', lastModified: '2024-01-02T03:04:05.000Z', storageClass: 'STANDARD' },
      { key: 'p/b.zip', size: 5368709120000, etag: 'abc-3', lastModified: undefined, storageClass: undefined },
    ]);
    expect(p).toMatchObject({ isTruncated: true, nextContinuationToken: 'tok/en+=', keyCount: 2, prefixes: [] });
  });

  it('decodes the predefined entities and decimal and hex character references', () => {
    const p = parseListPage(doc(contents('a&amp;b&lt;c&gt;d&quot;e&apos;f&#38;g&#x3C;h&#X1F600;i&#128512;j&#xD;k')));
    expect(p.objects[0]!.key).toBe('a&b<c>d"e\'f&g<h\u{1f600}i\u{1f600}j\rk');
  });

  it('refuses unknown or unterminated entities rather than guessing', () => {
    expect(() => decodeEntities('a&nbsp;b')).toThrow(ListPageParseError);
    expect(() => decodeEntities('a&amp b')).toThrow(ListPageParseError);
    expect(() => decodeEntities('a&#x110000;')).toThrow(ListPageParseError);
  });

  it('URL-decodes keys and prefixes when the server says encoding-type=url, after the entities', () => {
    const p = parseListPage(
      doc(
        '<EncodingType>url</EncodingType><Prefix>d%2F</Prefix><IsTruncated>false</IsTruncated>' +
          contents('d/a+b%2Bc%25d%5Be%5D*%26%0A%3C%F0%9F%98%80%E2%82%AC') +
          '<CommonPrefixes><Prefix>d/x%20y/</Prefix></CommonPrefixes>',
      ),
    );
    expect(p.encodingType).toBe('url');
    expect(p.objects[0]!.key).toBe('d/a b+c%d[e]*&\n<\u{1f600}\u20ac');
    expect(p.prefixes).toEqual(['d/x y/']);
  });

  it('leaves keys as they are when the server did not URL-encode them', () => {
    const p = parseListPage(doc(contents('d/a+b%2B c')));
    expect(p.objects[0]!.key).toBe('d/a+b%2B c');
  });

  it('reads an empty page', () => {
    const p = parseListPage(doc('<Name>b</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>'));
    expect(p).toEqual({ objects: [], prefixes: [], isTruncated: false, nextContinuationToken: undefined, keyCount: 0, encodingType: undefined });
  });

  it('reads a page of only CommonPrefixes, and CommonPrefixes next to objects', () => {
    const only = parseListPage(
      doc('<IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>'),
    );
    expect(only.objects).toEqual([]);
    expect(only.prefixes).toEqual(['a/', 'b/']);
    const mixed = parseListPage(doc(`${contents('a.txt')}<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>${contents('b.txt')}`));
    expect(mixed.objects.map((o) => o.key)).toEqual(['a.txt', 'b.txt']);
    expect(mixed.prefixes).toEqual(['a/']);
  });

  it('refuses a truncated document and a document that is not a listing', () => {
    expect(() => parseListPage(doc(contents('a')).slice(0, 150))).toThrow(ListPageParseError);
    expect(() => parseListPage('<Error><Code>InternalError</Code></Error>')).toThrow(ListPageParseError);
  });
});

describe('urlDecode', () => {
  it('treats + as a space and %2B as a plus; refuses malformed escapes', () => {
    expect(urlDecode('a+b%2B')).toBe('a b+');
    expect(urlDecode('plain')).toBe('plain');
    expect(() => urlDecode('bad%E2%82')).toThrow(ListPageParseError);
  });
});
