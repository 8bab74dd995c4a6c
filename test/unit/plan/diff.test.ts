import { describe, expect, it } from 'vitest';
import { compareListed, compareRecorded, isPlainEtag } from '../../../src/plan/compare.js';
import { copyAll, diffListings, type Action } from '../../../src/plan/diff.js';
import type { ListedObject } from '../../../src/storage/types.js';

const md5a = '0cc175b9c0f1b6a831c399e269772661';
const md5b = '92eb5ffee6ae2fec3ad71c777531578f';
const obj = (key: string, size = 10, etag = md5a): ListedObject => ({ key, size, etag });

/** A listing as pages of up to 2 objects (pages are what the planner merges). */
async function* from(items: ListedObject[]): AsyncGenerator<ListedObject[]> {
  for (let i = 0; i < items.length; i += 2) yield items.slice(i, i + 2);
}
async function collect(it: AsyncIterable<Action>): Promise<string[]> {
  const out: string[] = [];
  for await (const a of it) out.push(`${a.kind}:${a.key}${a.kind === 'copy' ? ':' + a.reason : ''}`);
  return out;
}

describe('compareListed', () => {
  it('same size and equal plain ETags are the same', () => {
    expect(compareListed(obj('k'), obj('k'), 'opaque')).toEqual({ same: true });
  });
  it('a different size is a change', () => {
    expect(compareListed(obj('k', 10), obj('k', 11), 'opaque')).toEqual({ same: false, reason: 'size' });
  });
  it('a same-size replacement is caught by the ETag', () => {
    expect(compareListed(obj('k', 10, md5a), obj('k', 10, md5b), 'opaque')).toEqual({ same: false, reason: 'etag' });
  });
  it('multipart ETags cannot be compared: unknown, never "same"', () => {
    expect(compareListed(obj('k', 10, `${md5a}-3`), obj('k', 10, md5a), 'opaque')).toEqual({ same: 'unknown' });
    expect(compareListed(obj('k', 10, md5a), obj('k', 10, `${md5b}-2`), 'opaque')).toEqual({ same: 'unknown' });
  });
  it('a recorded source ETag decides unknown cases', () => {
    expect(compareRecorded(obj('k', 10, `${md5a}-3`), `${md5a}-3`)).toEqual({ same: true });
    expect(compareRecorded(obj('k', 10, `${md5a}-3`), `${md5b}-3`)).toEqual({ same: false, reason: 'recorded-etag' });
    expect(compareRecorded(obj('k', 10, `${md5a}-3`), undefined)).toEqual({ same: false, reason: 'no-fingerprint' });
  });
  it('recognises plain ETags', () => {
    expect(isPlainEtag(md5a)).toBe(true);
    expect(isPlainEtag(`${md5a}-2`)).toBe(false);
    expect(isPlainEtag(md5a.toUpperCase())).toBe(true);
    for (const bad of ['g', '@', '/', ':', '\u0010', ' ', 'G', '`']) expect(isPlainEtag(bad + md5a.slice(1)), JSON.stringify(bad)).toBe(false);
    expect(isPlainEtag(md5a.slice(1))).toBe(false);
    expect(isPlainEtag('')).toBe(false);
  });
});

describe('diffListings', () => {
  it('copies missing, skips same, copies changed, in one pass', async () => {
    const src = [obj('a'), obj('b'), obj('c', 10, md5b), obj('d', 12)];
    const dst = [obj('a'), obj('c', 10, md5a), obj('d', 11)];
    expect(await collect(diffListings(from(src), from(dst), { destinationEtags: 'opaque', deleteExtras: false }))).toEqual([
      'skip:a',
      'copy:b:missing',
      'copy:c:etag',
      'copy:d:size',
    ]);
  });
  it('deletes extras only in sync mode', async () => {
    const src = [obj('b')];
    const dst = [obj('a'), obj('b'), obj('c')];
    expect(await collect(diffListings(from(src), from(dst), { destinationEtags: 'opaque', deleteExtras: false }))).toEqual(['skip:b']);
    expect(await collect(diffListings(from(src), from(dst), { destinationEtags: 'opaque', deleteExtras: true }))).toEqual(['delete:a', 'skip:b', 'delete:c']);
  });
  it('emits check for same-size objects with incomparable ETags', async () => {
    const out = await collect(diffListings(from([obj('a', 10, `${md5a}-2`)]), from([obj('a', 10, md5a)]), { destinationEtags: 'opaque', deleteExtras: false }));
    expect(out).toEqual(['check:a']);
  });
  it('ignores unselected keys on both sides (never deletes them)', async () => {
    const src = [obj('keep/a'), obj('other/b')];
    const dst = [obj('keep/z'), obj('other/y')];
    const out = await collect(diffListings(from(src), from(dst), { destinationEtags: 'opaque', deleteExtras: true, selected: (k) => k.startsWith('keep/') }));
    expect(out).toEqual(['copy:keep/a:missing', 'delete:keep/z']);
  });
  it('handles empty sides', async () => {
    expect(await collect(diffListings(from([]), from([obj('x')]), { destinationEtags: 'opaque', deleteExtras: true }))).toEqual(['delete:x']);
    expect(await collect(diffListings(from([obj('x')]), from([]), { destinationEtags: 'opaque', deleteExtras: true }))).toEqual(['copy:x:missing']);
    expect(await collect(diffListings(from([]), from([]), { destinationEtags: 'opaque', deleteExtras: true }))).toEqual([]);
  });
  it('orders by UTF-8 bytes, as S3 lists', async () => {
    // U+FF5E (fullwidth tilde) sorts before U+1F600 (emoji) in UTF-8, after it in UTF-16.
    const src = [obj('a\uff5e'), obj('a\u{1f600}')];
    const dst = [obj('a\uff5e'), obj('a\u{1f600}')];
    expect(await collect(diffListings(from(src), from(dst), { destinationEtags: 'opaque', deleteExtras: true }))).toEqual(['skip:a\uff5e', 'skip:a\u{1f600}']);
  });
  it('keeps constant memory over a long listing', async () => {
    async function* many(n: number, offset: number): AsyncGenerator<ListedObject[]> {
      for (let i = 0; i < n; i += 1000) yield Array.from({ length: 1000 }, (_, j) => obj(`k${String((i + j) * 2 + offset).padStart(9, '0')}`));
    }
    let count = 0;
    const before = process.memoryUsage().heapUsed;
    for await (const a of diffListings(many(300_000, 0), many(300_000, 1), { destinationEtags: 'opaque', deleteExtras: true })) if (a) count++;
    expect(count).toBe(600_000);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
  it('copyAll copies every selected object', async () => {
    expect(await collect(copyAll(from([obj('a'), obj('b')]), (k) => k === 'b'))).toEqual(['copy:b:full']);
  });
});

import type { FolderStep } from '../../../src/config/selection.js';
import { parseShard, shardOf, shardSplit, unitGroup } from '../../../src/plan/shard.js';

describe('shards', () => {
  it('parses i/N and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/0 <= i < N/);
    expect(() => parseShard('x')).toThrow();
    expect(() => parseShard('0/0')).toThrow();
  });
  it('hashes a unit to a stable shard', () => {
    expect(shardOf('spot/daily/klines/BTCUSDT/', 7)).toBe(shardOf('spot/daily/klines/BTCUSDT/', 7));
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 4000; i++) counts[shardOf(`spot/daily/klines/SYM${i}/`, 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
  it('with --shard-depth groups a key by its first folders and discovers every folder listed whole above that depth', () => {
    const selection = { folderStep: () => ({ kind: 'list' }) as const, groupOf: () => 'selection' };
    const split = shardSplit(selection, 4);
    expect(split.groupOf('spot/daily/klines/BTCUSDT/1m/x.zip')).toBe('spot/daily/klines/BTCUSDT/');
    expect(split.groupOf('spot/notes.txt')).toBe('spot/');
    expect(split.step('spot/daily/')).toEqual({ kind: 'discover' });
    expect(split.step('spot/daily/klines/BTCUSDT/')).toEqual({ kind: 'list' });
    // A unit's group is its folder's, so a key and the unit listing it land on the same shard.
    expect(unitGroup({ rel: 'spot/', recursive: false }, split.groupOf)).toBe(split.groupOf('spot/notes.txt'));
    expect(unitGroup({ rel: 'spot/daily/klines/BTC', recursive: true }, split.groupOf)).toBe('spot/daily/klines/');
  });
  it("without --shard-depth uses the selection's groups and its steps split by group", () => {
    const asked: unknown[] = [];
    const skip: FolderStep = { kind: 'skip' };
    const selection = { folderStep: (_rel: string, o?: object) => (asked.push(o), skip), groupOf: (rel: string) => `g:${rel}` };
    const split = shardSplit(selection, undefined);
    expect(split.step('spot/')).toEqual({ kind: 'skip' });
    expect(asked).toEqual([{ byGroup: true }]);
    expect(split.groupOf('x/y.zip')).toBe('g:x/y.zip');
  });
});
