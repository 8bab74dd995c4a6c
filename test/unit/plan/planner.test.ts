/** The planner over an in-memory S3 (test/helpers/memory-s3.ts): both listings merged unit by unit. */
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/plan/diff.js';
import { planActions, type PlanInput } from '../../../src/plan/planner.js';
import { shardOf } from '../../../src/plan/shard.js';
import { prefixOf } from '../../../src/key-order.js';
import { ListingOrderError } from '../../../src/storage/listing.js';
import { memoryS3, type MemoryObject, type MemoryS3Options } from '../../helpers/memory-s3.js';

const SRC = 'data/';
const DST = 'mirror/';

/** Objects of one side: relative key → body; `root` is the side's prefix. */
function side(root: string, files: Record<string, string>): MemoryObject[] {
  return Object.entries(files).map(([key, body]) => ({ key: root + key, body }));
}

/** Planner input over two buckets; `over` changes what a test is about. */
function input(src: Record<string, string>, dst: Record<string, string>, over: Partial<PlanInput> = {}, s3: MemoryS3Options = {}) {
  const { client, calls } = memoryS3({ src: side(SRC, src), dst: side(DST, dst) }, s3);
  const i: PlanInput = {
    source: { client, location: { bucket: 'src', prefix: SRC } },
    dest: { client, location: { bucket: 'dst', prefix: DST } },
    prefixes: [''],
    selection: { folderStep: () => ({ kind: 'list' }), groupOf: (rel) => prefixOf(rel, 1) },
    incremental: true,
    deleteExtras: true,
    destinationEtags: 'md5',
    selected: () => true,
    sortListings: false,
    ...over,
  };
  return { i, calls };
}

async function plan(i: PlanInput): Promise<Action[]> {
  const out: Action[] = [];
  for await (const a of planActions(i)) out.push(a);
  return out;
}

const summary = (actions: Action[]) => actions.map((a) => `${a.kind} ${a.key}${a.kind === 'copy' ? ` (${a.reason})` : ''}`);

describe('planActions', () => {
  it('merges both listings: copies what is missing or changed, skips what is equal, deletes extras', async () => {
    const { i } = input({ 'a.zip': 'A', 'b.zip': 'B22', 'c.zip': 'C', 'e.zip': 'E' }, { 'b.zip': 'B1', 'c.zip': 'C', 'd.zip': 'D', 'e.zip': 'X' });
    expect(summary(await plan(i))).toEqual(['copy a.zip (missing)', 'copy b.zip (size)', 'skip c.zip', 'delete d.zip', 'copy e.zip (etag)']);
  });

  it('deletes nothing without deleteExtras, and without incremental copies every selected source object', async () => {
    const keep = input({ 'a.zip': 'A' }, { 'a.zip': 'A', 'z.zip': 'Z' }, { deleteExtras: false });
    expect(summary(await plan(keep.i))).toEqual(['skip a.zip']);

    const full = input({ 'a.zip': 'A', 'b.zip': 'B', 'c.zip': 'C' }, { 'a.zip': 'A', 'z.zip': 'Z' }, { incremental: false, selected: (k) => k !== 'c.zip' });
    expect(summary(await plan(full.i))).toEqual(['copy a.zip (full)', 'copy b.zip (full)']);
    // Without incremental comparison the destination is not listed at all.
    expect(full.calls.filter((c) => c.input.Bucket === 'dst')).toEqual([]);
  });

  it('keys of either side outside the selection take no part (an unselected extra is not deleted)', async () => {
    const { i } = input({ 'keep/a.zip': 'A', 'skip/b.zip': 'B' }, { 'keep/old.zip': 'O', 'skip/old.zip': 'O' }, { selected: (k) => k.startsWith('keep/') });
    expect(summary(await plan(i))).toEqual(['copy keep/a.zip (missing)', 'delete keep/old.zip']);
  });

  it('plans only under the given prefixes, one after the other, and reports each source object listed', async () => {
    const listed: string[] = [];
    const { i, calls } = input(
      { 'x/1.zip': '1', 'y/2.zip': '2', 'z/3.zip': '3' },
      { 'y/old.zip': 'O', 'z/old.zip': 'O' },
      { prefixes: ['x/', 'y/'], onListed: (o) => listed.push(o.key) },
    );
    expect(summary(await plan(i))).toEqual(['copy x/1.zip (missing)', 'copy y/2.zip (missing)', 'delete y/old.zip']);
    expect(listed).toEqual(['x/1.zip', 'y/2.zip']);
    expect(calls.every((c) => !String(c.input.Prefix).includes('z/'))).toBe(true);
  });

  describe('with a shard', () => {
    const src: Record<string, string> = {};
    for (const dir of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) for (const n of [1, 2]) src[`${dir}/${n}.zip`] = `${dir}${n}`;
    src['top.zip'] = 'T';
    const dst = { 'a/1.zip': 'a1', 'only-dest/x.zip': 'X', 'b/1.zip': 'changed' };

    it('plans only the units (found on both sides) whose hash falls on it; the shards together plan everything once', async () => {
      const whole = summary(await plan(input(src, dst).i));
      const shards: string[][] = [];
      for (let index = 0; index < 3; index++) {
        const actions = await plan(input(src, dst, { shard: { index, count: 3, depth: 1 } }).i);
        for (const a of actions) expect(shardOf(prefixOf(a.key, 1), 3), a.key).toBe(index);
        shards.push(summary(actions));
      }
      expect(shards.every((s) => s.length > 0 && s.length < whole.length)).toBe(true);
      expect(shards.flat().sort()).toEqual([...whole].sort());
      // A unit only the destination holds is still planned (its delete), by exactly one shard.
      expect(shards.flat().filter((s) => s === 'delete only-dest/x.zip')).toHaveLength(1);
    });

    it('discovers units by delimiter listing instead of listing every key', async () => {
      const { i, calls } = input(src, dst, { shard: { index: 0, count: 3, depth: 1 } });
      await plan(i);
      const listed = calls.map((c) => `${String(c.input.Bucket)}:${String(c.input.Prefix)}${c.input.Delimiter ? ' /' : ''}`);
      expect(listed.slice(0, 2)).toEqual([`src:${SRC} /`, `dst:${DST} /`]);
      expect(listed).not.toContain(`src:${SRC}`);
      expect(listed.filter((l) => !l.endsWith(' /')).length).toBeGreaterThan(0);
    });
  });

  describe('a server that does not list in S3 key order', () => {
    const src = { 'b.zip': 'B', 'a.zip': 'A', 'c.zip': 'C' };
    const dst = { 'c.zip': 'C', 'a.zip': 'old', 'z.zip': 'Z' };

    it('stops the plan with ListingOrderError when the listings are trusted', async () => {
      await expect(plan(input(src, dst, {}, { unordered: true }).i)).rejects.toBeInstanceOf(ListingOrderError);
    });

    it('with sortListings plans exactly what an ordered server gives', async () => {
      const sorted = summary(await plan(input(src, dst, { sortListings: true }, { unordered: true }).i));
      expect(sorted).toEqual(summary(await plan(input(src, dst).i)));
      expect(sorted).toEqual(['copy a.zip (size)', 'copy b.zip (missing)', 'skip c.zip', 'delete z.zip']);
    });
  });
});
