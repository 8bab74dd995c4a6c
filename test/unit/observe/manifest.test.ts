import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestWriter, manifestLine, uploadManifest, type ManifestEntry } from '../../../src/observe/manifest.js';

const dir = await mkdtemp(join(tmpdir(), 's3ds-manifest-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const entry = (i: number): ManifestEntry => ({
  key: `data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-${String((i % 28) + 1).padStart(2, '0')}-${i}.zip`,
  size: 1000 + i,
  ...(i % 2 === 0 ? { sha256: createHash('sha256').update(String(i)).digest('hex') } : {}),
  source_etag: `"${createHash('md5').update(String(i)).digest('hex')}"`,
  copied_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  engine: i % 3 === 0 ? 'stream' : 's5cmd',
});

describe('ManifestWriter', () => {
  it('writes one JSON line per entry in order, and only shows the file once closed', async () => {
    const path = join(dir, 'plain.jsonl');
    const w = new ManifestWriter(path);
    for (let i = 0; i < 1000; i++) await w.add(entry(i));
    // Before close only a hidden temporary file exists.
    const before = await readdir(dir);
    expect(before).not.toContain('plain.jsonl');
    expect(before.some((f) => f.startsWith('.plain.jsonl.') && f.endsWith('.tmp'))).toBe(true);
    const summary = await w.close();
    const text = await readFile(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(lines.map((l) => JSON.parse(l))).toEqual(Array.from({ length: 1000 }, (_, i) => entry(i)));
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['key', 'size', 'sha256', 'source_etag', 'copied_at', 'engine']);
    expect(summary).toEqual({ path, entries: 1000, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex'), gzip: false });
    expect((await readdir(dir)).filter((f) => f.includes('plain.jsonl'))).toEqual(['plain.jsonl']);
  });

  it('keeps order when adds are not awaited one by one', async () => {
    const path = join(dir, 'concurrent.jsonl');
    const w = new ManifestWriter(path, { highWaterMark: 256 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => w.add(entry(i))));
    await w.close();
    const keys = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).key);
    expect(keys).toEqual(Array.from({ length: 500 }, (_, i) => entry(i).key));
  });

  it('bounded memory: a slow disk makes add() wait instead of piling lines up', async () => {
    const path = join(dir, 'bounded.jsonl');
    const w = new ManifestWriter(path, { highWaterMark: 1024 });
    const stream = (w as unknown as { file: NodeJS.WritableStream & { writableLength: number } }).file;
    let maxBuffered = 0;
    for (let i = 0; i < 5000; i++) {
      await w.add(entry(i));
      maxBuffered = Math.max(maxBuffered, stream.writableLength);
    }
    await w.close();
    // At most the high-water mark plus one line is ever buffered.
    expect(maxBuffered).toBeLessThan(1024 + 400);
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(5001);
  });

  it('gzips when asked (or when the name ends in .gz)', async () => {
    const path = join(dir, 'zipped.jsonl.gz');
    const w = new ManifestWriter(path);
    expect(w.gzip).toBe(true);
    for (let i = 0; i < 300; i++) await w.add(entry(i));
    const summary = await w.close();
    const raw = await readFile(path);
    expect(summary.bytes).toBe(raw.length);
    expect(summary.sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    const lines = gunzipSync(raw).toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(Array.from({ length: 300 }, (_, i) => entry(i)));
  });

  it('an empty manifest is an empty file', async () => {
    const path = join(dir, 'empty.jsonl');
    const summary = await new ManifestWriter(path).close();
    expect(summary.entries).toBe(0);
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('abort leaves no file behind and keeps an older manifest intact', async () => {
    const path = join(dir, 'kept.jsonl');
    await writeFile(path, 'previous\n');
    const w = new ManifestWriter(path);
    await w.add(entry(1));
    await w.abort();
    expect(await readFile(path, 'utf8')).toBe('previous\n');
    expect((await readdir(dir)).filter((f) => f.startsWith('.kept.jsonl'))).toEqual([]);
    await expect(w.add(entry(2))).rejects.toThrow(/aborted/);
  });

  it('abort right after opening (the file still being created) leaves nothing behind', async () => {
    const sub = await mkdtemp(join(dir, 'race-'));
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const w = new ManifestWriter(join(sub, `m${i}.jsonl`));
        void w.add(entry(i)).catch(() => undefined);
        await w.abort();
      }),
    );
    // A file created by an open that was still in flight would show up a moment later.
    await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(sub)).toEqual([]);
  });

  it('refuses malformed entries with the field named', async () => {
    const w = new ManifestWriter(join(dir, 'bad.jsonl'));
    expect(() => w.add({ ...entry(1), size: -1 })).toThrow(/size must be an integer ≥ 0/);
    expect(() => w.add({ ...entry(1), sha256: 'abc' })).toThrow(/sha256 must be 64 lowercase hex digits/);
    expect(() => w.add({ ...entry(1), copied_at: 'yesterday' })).toThrow(/copied_at/);
    expect(() => w.add({ ...entry(1), key: '' })).toThrow(/key/);
    await w.abort();
  });

  it('manifestLine escapes keys safely', () => {
    const line = manifestLine({ key: 'a "quoted"\nkey', size: 0, source_etag: '', copied_at: '2026-01-01T00:00:00.000Z', engine: 'sdk' });
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line).key).toBe('a "quoted"\nkey');
  });
});

/** A fake S3 client that records commands and keeps uploaded bytes. */
function fakeS3(opts: { failPart?: number } = {}) {
  const commands: string[] = [];
  const parts = new Map<number, Buffer>();
  let single: Buffer | undefined;
  const client = {
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      commands.push(cmd.constructor.name);
      if (cmd instanceof PutObjectCommand) {
        // A Buffer, not a stream: the SDK retries only requests whose body it can send again.
        expect(Buffer.isBuffer(cmd.input.Body)).toBe(true);
        single = Buffer.from(cmd.input.Body as Buffer);
        expect(cmd.input.ContentLength).toBe(single.length);
        return { ETag: '"single"' };
      }
      if (cmd instanceof CreateMultipartUploadCommand) return { UploadId: 'u-1' };
      if (cmd instanceof UploadPartCommand) {
        const n = cmd.input.PartNumber as number;
        if (n === opts.failPart) throw new Error('connection reset');
        parts.set(n, Buffer.from(cmd.input.Body as Buffer));
        return { ETag: `"p${n}"` };
      }
      if (cmd instanceof CompleteMultipartUploadCommand) {
        expect((cmd.input.MultipartUpload as { Parts: Array<{ PartNumber: number; ETag: string }> }).Parts).toEqual(
          [...parts.keys()].map((n) => ({ PartNumber: n, ETag: `"p${n}"` })),
        );
        return { ETag: '"multi-3"' };
      }
      if (cmd instanceof AbortMultipartUploadCommand) return {};
      throw new Error(`unexpected ${cmd.constructor.name}`);
    },
  } as unknown as S3Client;
  return { client, commands, parts, single: () => single };
}

describe('uploadManifest', () => {
  it('puts a small manifest in one request', async () => {
    const file = join(dir, 'small.jsonl');
    await writeFile(file, manifestLine(entry(1)).repeat(10));
    const s3 = fakeS3();
    const res = await uploadManifest(s3.client, 'bucket', '_manifests/run.jsonl', file);
    expect(s3.commands).toEqual(['PutObjectCommand']);
    expect(s3.single()!.equals(await readFile(file))).toBe(true);
    expect(res).toEqual({ bucket: 'bucket', key: '_manifests/run.jsonl', bytes: (await readFile(file)).length, etag: '"single"', parts: 1 });
  });

  it('uploads a large manifest in parts that add up to the file', async () => {
    const file = join(dir, 'large.jsonl');
    const content = Buffer.alloc(12 * 1024 * 1024 + 123, 'x');
    await writeFile(file, content);
    const s3 = fakeS3();
    const res = await uploadManifest(s3.client, 'bucket', 'm.jsonl', file, { partSizeBytes: 5 * 1024 * 1024 });
    expect(s3.commands).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    expect(Buffer.concat([...s3.parts.values()]).equals(content)).toBe(true);
    expect([...s3.parts.values()].map((b) => b.length)).toEqual([5 * 1024 * 1024, 5 * 1024 * 1024, 2 * 1024 * 1024 + 123]);
    expect(res.parts).toBe(3);
  });

  it('aborts the multipart upload when a part fails, and throws', async () => {
    const file = join(dir, 'fails.jsonl');
    await writeFile(file, Buffer.alloc(11 * 1024 * 1024, 'y'));
    const s3 = fakeS3({ failPart: 2 });
    await expect(uploadManifest(s3.client, 'bucket', 'm.jsonl', file, { partSizeBytes: 5 * 1024 * 1024 })).rejects.toThrow('connection reset');
    expect(s3.commands).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand']);
  });
});
