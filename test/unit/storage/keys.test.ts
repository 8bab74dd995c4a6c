import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../../src/key-order.js';
import { externalSort } from '../../../src/storage/external-sort.js';
import { checkOrder, ListingOrderError } from '../../../src/storage/listing.js';
import type { ListedObject } from '../../../src/storage/types.js';

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('compareKeys', () => {
  it('agrees with UTF-8 byte order on awkward keys', () => {
    const keys = ['a/b', 'a-b', 'a b', 'a+b', 'a~', 'ab', 'a\uff5e', 'a\u{1f600}', 'a\u00e9', 'A', '', 'a', 'a%20', "a'", 'a(1)', 'a!'];
    const ours = [...keys].sort(compareKeys);
    const bytes = [...keys].sort(byteOrder);
    expect(ours).toEqual(bytes);
  });
  it('is a strict order', () => {
    expect(compareKeys('x', 'x')).toBe(0);
    expect(compareKeys('x', 'xy')).toBe(-1);
    expect(compareKeys('xy', 'x')).toBe(1);
  });
});

async function* from(keys: string[]): AsyncGenerator<ListedObject> {
  for (const key of keys) yield { key, size: key.length, etag: 'e' };
}
async function keysOf(it: AsyncIterable<ListedObject>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of it) out.push(o.key);
  return out;
}

describe('checkOrder', () => {
  it('passes sorted listings through', async () => {
    expect(await keysOf(checkOrder('b', from(['a', 'b', 'c'])))).toEqual(['a', 'b', 'c']);
  });
  it('throws at the first key out of order (directory-walk order)', async () => {
    await expect(keysOf(checkOrder('b', from(['a/b', 'a-b'])))).rejects.toBeInstanceOf(ListingOrderError);
  });
});

describe('externalSort', () => {
  it('sorts in memory when small and across spilled runs when large', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `k/${(i * 7919) % 2500}/${i % 3 === 0 ? 'a-b' : 'a/b'}`);
    const expected = [...keys].sort(byteOrder);
    expect(await keysOf(externalSort(from(keys), { runSize: 100_000 }))).toEqual(expected);
    expect(await keysOf(externalSort(from(keys), { runSize: 97 }))).toEqual(expected);
  });
  it('keeps every field through a spill', async () => {
    const date = '2024-01-02T03:04:05.000Z';
    async function* one(): AsyncGenerator<ListedObject> {
      yield { key: 'z', size: 5, etag: 'x-2', lastModified: date, storageClass: 'STANDARD_IA' };
      yield { key: 'y', size: 0, etag: '' };
    }
    const out: ListedObject[] = [];
    for await (const o of externalSort(one(), { runSize: 1 })) out.push(o);
    expect(out).toEqual([
      { key: 'y', size: 0, etag: '', lastModified: undefined, storageClass: undefined },
      { key: 'z', size: 5, etag: 'x-2', lastModified: date, storageClass: 'STANDARD_IA' },
    ]);
  });
});
