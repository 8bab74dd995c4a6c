import { describe, expect, it } from 'vitest';
import { compareListed } from '../../../src/plan/compare.js';
import { diffListings, type Action } from '../../../src/plan/diff.js';
import type { ListedObject } from '../../../src/storage/types.js';

// The source's MD5 and the opaque value an SSE-KMS destination lists for the same content.
const md5 = '0cc175b9c0f1b6a831c399e269772661';
const kms = '7d3c1a9e55b04f2e8a61c0d4b9f3e215';
const obj = (etag: string, lastModified?: string, size = 10): ListedObject => ({
  key: 'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.zip',
  size,
  etag,
  lastModified,
});

describe('compareListed with an SSE-KMS (opaque ETag) destination', () => {
  it('skips a copy written after the source, though its ETag differs', () => {
    expect(compareListed(obj(md5, '2024-01-02T00:00:00Z'), obj(kms, '2024-01-02T00:00:01Z'), 'opaque')).toEqual({ same: true });
  });
  it('copies a same-size in-place replacement: the source was written after the copy', () => {
    expect(compareListed(obj(md5, '2024-01-05T00:00:00Z'), obj(kms, '2024-01-02T00:00:01Z'), 'opaque')).toEqual({ same: false, reason: 'etag' });
  });
  it('copies when both were written in the same second (the next copy is then later)', () => {
    expect(compareListed(obj(md5, '2024-01-02T00:00:01Z'), obj(kms, '2024-01-02T00:00:01Z'), 'opaque')).toEqual({ same: false, reason: 'etag' });
  });
  it('copies when either side has no LastModified', () => {
    expect(compareListed(obj(md5), obj(kms, '2024-01-02T00:00:01Z'), 'opaque')).toEqual({ same: false, reason: 'etag' });
    expect(compareListed(obj(md5, '2024-01-02T00:00:00Z'), obj(kms), 'opaque')).toEqual({ same: false, reason: 'etag' });
  });
  it('still copies on a different size, whatever the timestamps', () => {
    expect(compareListed(obj(md5, '2024-01-02T00:00:00Z', 10), obj(kms, '2024-01-03T00:00:00Z', 11), 'opaque')).toEqual({ same: false, reason: 'size' });
  });
  it('still skips equal ETags, whatever the timestamps', () => {
    expect(compareListed(obj(md5, '2024-01-05T00:00:00Z'), obj(md5, '2024-01-02T00:00:00Z'), 'opaque')).toEqual({ same: true });
  });
  it('leaves multipart ETags to the recorded source ETag (check), even with a later copy', () => {
    expect(compareListed(obj(`${md5}-3`, '2024-01-02T00:00:00Z'), obj(kms, '2024-01-03T00:00:00Z'), 'opaque')).toEqual({ same: 'unknown' });
    expect(compareListed(obj(md5, '2024-01-02T00:00:00Z'), obj(`${kms}-3`, '2024-01-03T00:00:00Z'), 'opaque')).toEqual({ same: 'unknown' });
  });
});

describe('compareListed with an MD5 (SSE-S3 or unencrypted) destination', () => {
  it('copies on any ETag difference, even when the copy is later', () => {
    expect(compareListed(obj(md5, '2024-01-02T00:00:00Z'), obj(kms, '2024-01-03T00:00:00Z'), 'md5')).toEqual({ same: false, reason: 'etag' });
  });
  it('skips equal ETags', () => {
    expect(compareListed(obj(md5, '2024-01-05T00:00:00Z'), obj(md5, '2024-01-02T00:00:00Z'), 'md5')).toEqual({ same: true });
  });
});

describe('diffListings passes the setting to the comparison', () => {
  async function* one(o: ListedObject): AsyncGenerator<ListedObject[]> {
    yield [o];
  }
  async function kinds(destinationEtags: 'opaque' | 'md5'): Promise<string[]> {
    const out: string[] = [];
    const actions = diffListings(one(obj(md5, '2024-01-02T00:00:00Z')), one(obj(kms, '2024-01-03T00:00:00Z')), { deleteExtras: false, destinationEtags });
    for await (const a of actions as AsyncIterable<Action>) out.push(a.kind);
    return out;
  }
  it('opaque skips, md5 copies', async () => {
    expect(await kinds('opaque')).toEqual(['skip']);
    expect(await kinds('md5')).toEqual(['copy']);
  });
});
