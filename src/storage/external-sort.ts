import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareKeys } from '../key-order.js';
import type { ListedObject } from './types.js';

/**
 * Sorts a listing of any size in S3 key order with bounded memory: sorted runs of `runSize`
 * objects spill to temp files, then a k-way merge streams them back. Used when a server does not
 * list in S3's order (a POSIX-backed server may list in directory-walk order).
 */
export async function* externalSort(source: AsyncIterable<ListedObject>, opts: { runSize?: number; tmpDir?: string } = {}): AsyncGenerator<ListedObject> {
  const runSize = opts.runSize ?? 200_000;
  const dir = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 's3ds-sort-'));
  try {
    const runs: string[] = [];
    let chunk: ListedObject[] = [];
    const spill = async () => {
      chunk.sort((a, b) => compareKeys(a.key, b.key));
      const file = join(dir, `run-${runs.length}.jsonl`);
      const out = createWriteStream(file);
      for (const o of chunk) {
        if (!out.write(serialize(o) + '\n')) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      runs.push(file);
      chunk = [];
    };
    for await (const o of source) {
      chunk.push(o);
      if (chunk.length >= runSize) await spill();
    }
    if (runs.length === 0) {
      chunk.sort((a, b) => compareKeys(a.key, b.key));
      yield* chunk;
      return;
    }
    if (chunk.length > 0) await spill();
    yield* mergeRuns(runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function serialize(o: ListedObject): string {
  return JSON.stringify([o.key, o.size, o.etag, o.lastModified ?? null, o.storageClass ?? null]);
}

function deserialize(line: string): ListedObject {
  const [key, size, etag, lm, sc] = JSON.parse(line) as [string, number, string, string | null, string | null];
  return { key, size, etag, lastModified: lm ?? undefined, storageClass: sc ?? undefined };
}

/**
 * The lines of a run file, split on '\n' only. readline also ends lines at U+2028 and U+2029 (on
 * Node 24), which JSON.stringify leaves unescaped inside keys.
 */
async function* readLines(file: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest !== '') yield rest;
}

async function* mergeRuns(files: string[]): AsyncGenerator<ListedObject> {
  const readers = files.map((f) => readLines(f));
  // A small binary heap of the head of each run.
  const heap: { o: ListedObject; r: number }[] = [];
  const less = (i: number, j: number) => compareKeys(heap[i]!.o.key, heap[j]!.o.key) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const push = (item: { o: ListedObject; r: number }) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(i, p)) break;
      swap(i, p);
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
    return top;
  };
  const advance = async (r: number) => {
    const next = await readers[r]!.next();
    if (!next.done) push({ o: deserialize(next.value), r });
  };
  for (let r = 0; r < readers.length; r++) await advance(r);
  while (heap.length > 0) {
    const { o, r } = pop();
    yield o;
    await advance(r);
  }
}
