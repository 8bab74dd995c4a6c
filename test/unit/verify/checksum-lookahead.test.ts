import { describe, expect, it } from 'vitest';
import { ChecksumLookahead, type Released } from '../../../src/verify/checksum-lookahead.js';

/** Feeds keys in order (`*` marks a copied key) and returns copied key → checksumFile. */
function decide(keys: string[], opts: { maxWait?: number; planned?: (k: string) => boolean } = {}): Record<string, boolean | undefined> {
  const l = new ChecksumLookahead<string>(opts.maxWait ?? 100, opts.planned);
  const out: Released<string>[] = [];
  for (const k of keys) out.push(...(k.endsWith('*') ? l.push(k.slice(0, -1), `etag ${k}`, k.slice(0, -1)) : l.push(k, `etag ${k}`)));
  out.push(...l.flush());
  return Object.fromEntries(out.map((r) => [r.item, r.checksumFile]));
}

describe('ChecksumLookahead', () => {
  it('marks a copied zip by whether its .CHECKSUM follows, copied or not', () => {
    expect(decide(['a/X.zip*', 'a/X.zip.CHECKSUM*', 'a/Y.zip*', 'a/Y.zip.CHECKSUM', 'a/Z.zip*', 'b/W.zip*'])).toEqual({
      'a/X.zip': true,
      'a/X.zip.CHECKSUM': undefined,
      'a/Y.zip': true,
      'a/Z.zip': false,
      'b/W.zip': undefined,
    });
  });

  it("carries the .CHECKSUM's listed ETag with the zip", () => {
    const l = new ChecksumLookahead<string>(10);
    expect(l.push('a/X.zip', 'zip-etag', 'x')).toEqual([]);
    expect(l.push('a/X.zip.CHECKSUM', 'sum-etag')).toEqual([{ item: 'x', checksumFile: true, checksumEtag: 'sum-etag' }]);
  });

  it('waits past keys that sort between X.zip and X.zip.CHECKSUM', () => {
    expect(decide(['a/X.zip*', 'a/X.zip-part', 'a/X.zip.A', 'a/X.zip.CHECKSUM'])).toMatchObject({ 'a/X.zip': true });
    expect(decide(['a/X.zip*', 'a/X.zip-part', 'a/X.zip.CHECKSUMS'])).toMatchObject({ 'a/X.zip': false });
    expect(decide(['a/X.zip*', 'a/X.zip-part', 'a/X.zip-more', 'a/X.zip.CHECKSUM'], { maxWait: 1 })).toMatchObject({ 'a/X.zip': undefined });
  });

  it('does not assume adjacency: an unsorted neighbour does not decide absence unless it sorts after the .CHECKSUM', () => {
    expect(decide(['a/X.zip*', 'a/A.zip'])).toMatchObject({ 'a/X.zip': false });
    expect(decide(['a/X.zip*', 'a/X.zip.CHECKSUM'])).toMatchObject({ 'a/X.zip': true });
  });

  it('cannot tell when the selection leaves the .CHECKSUM out of the plan', () => {
    const planned = (k: string) => !k.endsWith('.CHECKSUM');
    expect(decide(['a/X.zip*', 'a/Y.csv*'], { planned })).toEqual({ 'a/X.zip': undefined, 'a/Y.csv': undefined });
  });

  it('releases what it holds at the end as unknown, and copies of other keys at once', () => {
    const l = new ChecksumLookahead<string>(10);
    expect(l.push('a/X.zip', 'e1', 'x')).toEqual([]);
    expect(l.push('a/X.zip-1', 'e2', 'y')).toEqual([{ item: 'y' }]);
    expect(l.flush()).toEqual([{ item: 'x' }]);
    expect(l.flush()).toEqual([]);
  });
});
