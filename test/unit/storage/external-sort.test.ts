import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalSort } from '../../../src/storage/external-sort.js';
import { compareKeys } from '../../../src/key-order.js';
import type { ListedObject } from '../../../src/storage/types.js';

// scripts/test.sh runs test/unit under Node 24 as well, whose readline ends lines at U+2028/U+2029.
const dir = mkdtempSync(join(tmpdir(), 's3ds-external-sort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* listing(keys: string[]): AsyncGenerator<ListedObject> {
  for (const [i, key] of keys.entries()) yield { key, size: i, etag: `"e${i}"` };
}

describe('externalSort with any character in a key', () => {
  it('spills and merges keys with line and paragraph separators, newlines and multi-byte characters intact', async () => {
    const odd = ['sep\u2028line', 'sep\u2029para', 'new\nline', 'carriage\rreturn', 'next\u0085line', 'tab\tkey', 'emoji-😀-日本語', 'del\u007f'];
    // Long multi-byte keys make the 64 KiB read chunks end inside characters and lines.
    const keys = Array.from({ length: 3000 }, (_, i) => `data/${odd[i % odd.length]}/${'ü'.repeat(i % 50)}${(i * 7919) % 3000}`);
    const out: ListedObject[] = [];
    for await (const o of externalSort(listing(keys), { runSize: 211, tmpDir: dir })) out.push(o);
    expect(out.map((o) => o.key)).toEqual([...keys].sort(compareKeys));
    expect(out.every((o) => o.etag === `"e${o.size}"` && keys[o.size] === o.key)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });
});
