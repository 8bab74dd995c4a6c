import { describe, expect, it } from 'vitest';
import { SimBucket } from '../../../scripts/list-sim/bucket.js';
import { KeySpace } from '../../../scripts/list-sim/keyspace.js';
import { compareKeys } from '../../../src/key-order.js';

const AWKWARD = ['币安人生USDT', 'A+B', 'X%41Y', '[BR]', 'ST*R', 'A&B', 'SP ACE', 'NEW\nLINE', 'A', 'AB', 'A-B', 'A.B', 'Z\u{1F600}', 'Z\uFFFD'];

function allKeys(space: KeySpace): string[] {
  return Array.from({ length: space.size }, (_, i) => space.keyAt(i));
}

/** The first index where pred holds, by a linear scan (the reference for the binary searches). */
const scan = (keys: string[], pred: (k: string) => boolean) => {
  const i = keys.findIndex(pred);
  return i < 0 ? keys.length : i;
};

describe('list-sim key space', () => {
  it.each([
    ['generated symbols', new KeySpace({ keys: 30_000, days: 40 })],
    ['awkward symbols', new KeySpace({ keys: 1_800, days: 5, symbols: AWKWARD })],
    ['fewer keys than one symbol holds', new KeySpace({ keys: 77, days: 3 })],
  ])('lists %s in strictly increasing S3 (UTF-8 byte) order', (_name, space) => {
    const keys = allKeys(space);
    for (let i = 1; i < keys.length; i++) {
      if (compareKeys(keys[i - 1]!, keys[i]!) >= 0) expect.fail(`out of order at ${i}: ${keys[i - 1]} >= ${keys[i]}`);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('holds Binance-shaped keys: every zip with its .CHECKSUM, kline folders with an interval level, every kind of folder', () => {
    const keys = allKeys(new KeySpace({ keys: 5_000, days: 10 }));
    const shape =
      /^data\/(spot|futures\/um|futures\/cm)\/(daily|monthly)\/([A-Za-z]+)\/([A-Z_]+)\/(?:([0-9a-z]+)\/)?\4-(?:\5|\3)-(\d{4}-\d{2}(?:-\d{2})?)\.zip(\.CHECKSUM)?$/;
    for (const k of keys) expect(k).toMatch(shape);
    const zips = keys.filter((k) => k.endsWith('.zip'));
    expect(zips.length * 2).toBe(keys.length);
    for (const z of zips) expect(keys).toContain(`${z}.CHECKSUM`);
    const folders = new Set(
      keys.map((k) =>
        k
          .split('/')
          .slice(0, k.startsWith('data/futures') ? 5 : 4)
          .join('/'),
      ),
    );
    expect(folders.size).toBe(10);
    expect(keys.some((k) => /\/klines\/[A-Z]+USDT\/1h\//.test(k))).toBe(true);
  });

  it('seeks by binary search exactly where a linear scan lands: after a key, at or after it, past a prefix', () => {
    const space = new KeySpace({ keys: 1_400, days: 4, symbols: AWKWARD });
    const keys = allKeys(space);
    const probes = [
      '',
      'data/',
      'data/spot/',
      'data/spot/daily/klines/A',
      'data/spot/daily/klines/A/',
      'data/spot/daily/klines/A+B/',
      'data/futures/um/daily/bookDepth/[BR]/[BR]-bookDepth-2026-11-28.zip',
      'data/zzz',
      '\u{10FFFF}',
      ...keys.filter((_, i) => i % 37 === 0),
      ...keys.filter((_, i) => i % 53 === 0).map((k) => `${k}\0`),
      ...keys.filter((_, i) => i % 41 === 0).map((k) => k.slice(0, k.lastIndexOf('/') + 1)),
    ];
    for (const p of probes) {
      expect(space.firstAfter(p), `after ${p}`).toBe(scan(keys, (k) => compareKeys(k, p) > 0));
      expect(space.firstAtOrAfter(p), `at ${p}`).toBe(scan(keys, (k) => compareKeys(k, p) >= 0));
      expect(space.firstPastPrefix(p), `past ${p}`).toBe(scan(keys, (k) => compareKeys(k, p) > 0 && !k.startsWith(p)));
    }
    keys.forEach((k, i) => i % 11 === 0 && expect(space.indexOf(k)).toBe(i));
    expect(space.indexOf('data/nope')).toBe(-1);
  });

  it('seeks in a 10M-key space without holding it: sampled keys ascend and each seek finds its index', () => {
    const space = new KeySpace({ keys: 10_000_000 });
    let prev = '';
    for (let i = 0; i < space.size; i += 99_991) {
      const k = space.keyAt(i);
      expect(compareKeys(prev, k)).toBeLessThan(0);
      expect(space.indexOf(k)).toBe(i);
      expect(space.firstAfter(k)).toBe(i + 1);
      prev = k;
    }
    expect(space.symbolCount).toBeGreaterThan(100);
  });

  it('drops and changes a deterministic fraction of keys per bucket, and nothing when asked for none', () => {
    const space = new KeySpace({ keys: 20_000, days: 30 });
    const same = new SimBucket(space, { name: 'a' });
    const other = new SimBucket(space, { name: 'b', missing: 0.05, differ: 0.02 });
    const missing = Array.from({ length: space.size }, (_, i) => i).filter((i) => other.missing(i));
    const differ = Array.from({ length: space.size }, (_, i) => i).filter((i) => other.differs(i) && !other.missing(i));
    expect(missing.length / space.size).toBeCloseTo(0.05, 1);
    expect(differ.length / space.size).toBeCloseTo(0.02, 1);
    expect(other.keys()).toHaveLength(space.size - missing.length);
    for (let i = 0; i < space.size; i += 7) {
      const k = space.keyAt(i);
      expect(same.missing(i) || same.differs(i)).toBe(false);
      const [a, b] = [same.meta(i, k), other.meta(i, k)];
      if (other.differs(i)) expect(b.size === a.size || b.etag === a.etag).toBe(false);
      else expect(b).toEqual(a);
      expect(a.etag).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(other.find(space.keyAt(missing[0]!))).toBe(-1);
  });
});
