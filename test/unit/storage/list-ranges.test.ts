import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../../src/key-order.js';
import type { ListPage } from '../../../src/storage/list-page-parser.js';
import { boundariesAfter, evenly, leafFolders, listRanges, rangeCount, rangesBetween, type PageFetch } from '../../../src/storage/list-ranges.js';

/** Pages computed from a key list the way ListObjectsV2 defines them (a pure function; `ignoreStartAfter` breaks it). */
function pages(keys: string[], opts: { pageSize: number; ignoreStartAfter?: boolean; calls?: string[] }): PageFetch {
  const sorted = [...keys].sort(compareKeys);
  return async (q) => {
    opts.calls?.push(q.delimiter ? `delimiter ${q.prefix}` : `list ${q.prefix} after ${q.startAfter ?? q.continuationToken ?? '-'}`);
    const after = q.continuationToken ?? (opts.ignoreStartAfter ? undefined : q.startAfter);
    const entries: Array<{ key?: string; prefix?: string }> = [];
    for (const k of sorted) {
      if (!k.startsWith(q.prefix) || (after !== undefined && compareKeys(k, after) <= 0)) continue;
      const cut = q.delimiter ? k.indexOf(q.delimiter, q.prefix.length) : -1;
      const entry = cut < 0 ? { key: k } : { prefix: k.slice(0, cut + 1) };
      if (entry.prefix !== undefined && entries.at(-1)?.prefix === entry.prefix) continue;
      entries.push(entry);
    }
    const page = entries.slice(0, opts.pageSize);
    const last = page.at(-1);
    const page2: ListPage = {
      objects: page.filter((e) => e.key !== undefined).map((e) => ({ key: e.key!, size: 1, etag: 'e' })),
      prefixes: page.filter((e) => e.prefix !== undefined).map((e) => e.prefix!),
      isTruncated: entries.length > page.length,
      nextContinuationToken: entries.length > page.length ? (last!.key ?? last!.prefix! + '\uffff') : undefined,
      keyCount: page.length,
    };
    return page2;
  };
}

async function all(fetch: PageFetch, prefix: string, concurrency = 3, maxRanges?: number): Promise<string[]> {
  const out: string[] = [];
  const onDisorder = (a: string, b: string) => new Error(`out of order: ${a} then ${b}`);
  for await (const page of listRanges(fetch, prefix, { concurrency, bufferPages: 2, onDisorder, maxRanges, splitAboveMs: 0 }))
    out.push(...page.map((o) => o.key));
  return out;
}

const KEYS = [
  'p/a.txt',
  'p/a/',
  'p/a/1',
  'p/a/b/',
  'p/a/b/c/d/e',
  'p/a/b/x',
  'p/a/c',
  'p/a0',
  'p/b/\u{1f600}',
  'p/b/\uff5e',
  'p/b/z',
  'p/c/',
  ...Array.from({ length: 40 }, (_, i) => `p/d/${String(i).padStart(3, '0')}/k`),
  'p/e',
];

describe('rangesBetween and boundariesAfter', () => {
  it('cover the key space exactly: (-, b0], (b0, b1], ..., (bn, -)', () => {
    expect(rangesBetween(['b', 'd'])).toEqual([
      { lo: undefined, hi: 'b' },
      { lo: 'b', hi: 'd' },
      { lo: 'd', hi: undefined },
    ]);
    expect(rangesBetween([])).toEqual([{ lo: undefined, hi: undefined }]);
  });
  it('uses only leaf folders as boundaries: a parent sorts just before its first child', () => {
    expect(leafFolders(['a/', 'a/x/', 'a/y/', 'b/', 'a/x/'])).toEqual(['a/x/', 'a/y/', 'b/']);
    expect(leafFolders(['p/1/', 'p/10/'])).toEqual(['p/1/', 'p/10/']);
  });

  it('cuts ranges to about two pages from the keys the probe page saw per folder', () => {
    // 1,000 keys over 11 boundaries (10 folders read whole): 100 keys a folder; 900 folders after the probe hold ~90,000 keys = 45 ranges of 2 pages.
    expect(rangeCount({ boundaries: 900, boundariesInProbe: 11, probeKeys: 1000 }, 4096)).toBe(45);
    // Folders bigger than a page (the probe ends inside its first folder): every boundary, up to the maximum.
    expect(rangeCount({ boundaries: 900, boundariesInProbe: 1, probeKeys: 1000 }, 4096)).toBe(900);
    expect(rangeCount({ boundaries: 900, boundariesInProbe: 0, probeKeys: 1000 }, 4096)).toBe(900);
    expect(rangeCount({ boundaries: 900, boundariesInProbe: 0, probeKeys: 1000 }, 100)).toBe(100);
    // Tiny folders: at least one range.
    expect(rangeCount({ boundaries: 3, boundariesInProbe: 500, probeKeys: 1000 }, 4096)).toBe(1);
  });

  it('thins boundaries evenly to a maximum', () => {
    expect(evenly(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3)).toEqual(['b', 'd', 'f']);
    expect(evenly(['a', 'b'], 3)).toEqual(['a', 'b']);
  });
  it('keeps boundaries after the keys already read, sorted in S3 order, once each', () => {
    expect(boundariesAfter(['p/c/', 'p/\u{1f600}/', 'p/a/', 'p/\uff5e/', 'p/c/'], 'p/b')).toEqual(['p/c/', 'p/\uff5e/', 'p/\u{1f600}/']);
  });
});

describe('listRanges', () => {
  it('gives exactly the keys of the serial listing, in order, for any page size and concurrency', async () => {
    const expected = [...KEYS].sort(compareKeys);
    for (const pageSize of [1, 2, 3, 7, 1000]) {
      for (const concurrency of [1, 2, 5]) expect(await all(pages(KEYS, { pageSize }), 'p/', concurrency), `${pageSize}/${concurrency}`).toEqual(expected);
      for (const maxRanges of [1, 3]) expect(await all(pages(KEYS, { pageSize }), 'p/', 2, maxRanges), `${pageSize}, ${maxRanges} ranges`).toEqual(expected);
    }
  });

  it('costs one request for a prefix whose first page is the whole listing', async () => {
    const calls: string[] = [];
    expect(await all(pages(KEYS, { pageSize: 1000, calls }), 'p/')).toHaveLength(KEYS.length);
    expect(calls).toEqual(['list p/ after -']);
  });

  it('splits only when the first page was slow: a fast one means planning is bound by the CPU, and ranges would only add requests', async () => {
    const expected = [...KEYS].sort(compareKeys);
    const onDisorder = (a: string, b: string) => new Error(`out of order: ${a} then ${b}`);
    const run = async (probeDelayMs: number) => {
      const calls: string[] = [];
      const fetch = pages(KEYS, { pageSize: 5, calls });
      const slowFirst: PageFetch = async (q) => {
        if (calls.length === 0 && probeDelayMs > 0) await new Promise((r) => setTimeout(r, probeDelayMs));
        return fetch(q);
      };
      const out: string[] = [];
      for await (const page of listRanges(slowFirst, 'p/', { concurrency: 3, onDisorder, splitAboveMs: 20 })) out.push(...page.map((o) => o.key));
      expect(out).toEqual(expected);
      return calls;
    };
    const fast = await run(0);
    expect(fast.filter((c) => c.startsWith('delimiter'))).toEqual([]);
    expect(fast).toHaveLength(Math.ceil(KEYS.length / 5));
    const slow = await run(40);
    expect(slow.some((c) => c.startsWith('delimiter'))).toBe(true);
  });

  it('a server that ignores StartAfter is caught where one range meets the next', async () => {
    await expect(all(pages(KEYS, { pageSize: 3, ignoreStartAfter: true }), 'p/')).rejects.toThrow(/out of order/);
  });
});
