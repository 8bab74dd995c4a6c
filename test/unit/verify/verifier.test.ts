/** The verifier over an in-memory S3 (test/helpers/memory-s3.ts): each copied zip against its source .CHECKSUM. */
import { NoSuchKey } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BoundedList, RunCounters, type FailureRecord, type MismatchRecord } from '../../../src/observe/counters.js';
import { Verifier, type VerifierDeps } from '../../../src/verify/verifier.js';
import { memoryS3, type MemoryObject, type MemoryS3Options } from '../../helpers/memory-s3.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const checksumFile = (body: string, name: string) => `${sha256(body)}  ${name}\n`;

/** Source objects `data/<key>.CHECKSUM` for each zip, destination objects `mirror/<key>`. */
function buckets(src: MemoryObject[], dst: MemoryObject[], s3: MemoryS3Options = {}) {
  return memoryS3({ src: src.map((o) => ({ ...o, key: `data/${o.key}` })), dst: dst.map((o) => ({ ...o, key: `mirror/${o.key}` })) }, s3);
}

/** The verifier's options in one place, so a change of its options is a change here only. */
function verifierOptions(client: VerifierDeps['source']['client'], over: Partial<VerifierDeps> = {}): VerifierDeps {
  return {
    source: { client, location: { bucket: 'src', prefix: 'data/' } },
    dest: { client, location: { bucket: 'dst', prefix: 'mirror/' } },
    counters: new RunCounters(),
    mismatches: new BoundedList<MismatchRecord>(100),
    failures: new BoundedList<FailureRecord>(100),
    concurrency: 4,
    ...over,
  };
}

async function verifyAll(deps: VerifierDeps, keys: Array<string | [string, string]>): Promise<Verifier> {
  const v = new Verifier(deps);
  for (const k of keys) await (Array.isArray(k) ? v.submit(k[0], k[1]) : v.submit(k));
  await v.drain();
  return v;
}

describe('Verifier', () => {
  it('counts a copy whose SHA-256 matches its .CHECKSUM as verified, hashing the destination object', async () => {
    const { client, calls } = buckets([{ key: 'a/X.zip.CHECKSUM', body: checksumFile('zip-x', 'X.zip') }], [{ key: 'a/X.zip', body: 'zip-x' }]);
    const deps = verifierOptions(client);
    const v = await verifyAll(deps, ['a/X.zip']);
    expect(deps.counters).toMatchObject({ verified: 1, checksumMismatches: 0, missingChecksums: 0, failed: 0 });
    expect(v.sources).toEqual({ copy: 0, server: 0, download: 1, listing: 0 });
    expect(calls.map((c) => `${c.command} ${String(c.input.Key)}`)).toEqual([
      'GetObject data/a/X.zip.CHECKSUM',
      'HeadObject mirror/a/X.zip',
      'GetObject mirror/a/X.zip',
    ]);
  });

  it('takes the digest from the copy, else from the server, before reading the object back', async () => {
    const serverSum = Buffer.from(sha256('zip-s'), 'hex').toString('base64');
    const { client, calls } = buckets(
      [
        { key: 'C.zip.CHECKSUM', body: checksumFile('zip-c', 'C.zip') },
        { key: 'S.zip.CHECKSUM', body: checksumFile('zip-s', 'S.zip') },
      ],
      [
        { key: 'C.zip', body: 'zip-c' },
        { key: 'S.zip', body: 'zip-s', checksumSha256: serverSum },
      ],
    );
    const deps = verifierOptions(client);
    const v = await verifyAll(deps, [['C.zip', sha256('zip-c')], 'S.zip']);
    expect(deps.counters.verified).toBe(2);
    expect(v.sources).toEqual({ copy: 1, server: 1, download: 0, listing: 0 });
    expect(calls.filter((c) => c.input.Bucket === 'dst').map((c) => `${c.command} ${String(c.input.Key)}`)).toEqual(['HeadObject mirror/S.zip']);
  });

  it("settles a copy's SHA-256 with no request when the .CHECKSUM's listed ETag is the MD5 of the file that says it", async () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const body = checksumFile('zip-l', 'L.zip');
    const { client, calls } = buckets(
      [
        { key: 'L.zip.CHECKSUM', body },
        { key: 'W.zip.CHECKSUM', body: checksumFile('zip-w', 'W.zip') },
      ],
      [],
    );
    const deps = verifierOptions(client);
    const v = new Verifier(deps);
    await v.submit('L.zip', sha256('zip-l'), md5(body));
    await v.submit('L.zip', sha256('zip-l'), md5(body).toUpperCase());
    expect(calls).toEqual([]);
    // An ETag that is not that MD5 (the copy differs, another format, an SSE-KMS ETag): the file is read.
    await v.submit('W.zip', sha256('corrupted'), md5(checksumFile('zip-w', 'W.zip')));
    await v.drain();
    expect(calls.map((c) => `${c.command} ${String(c.input.Key)}`)).toEqual(['GetObject data/W.zip.CHECKSUM']);
    expect(deps.counters).toMatchObject({ verified: 2, checksumMismatches: 1 });
    expect(v.sources).toMatchObject({ listing: 2 });
  });

  it('records a mismatch with both digests, and an unreadable .CHECKSUM as a mismatch too', async () => {
    const { client } = buckets(
      [
        { key: 'M.zip.CHECKSUM', body: checksumFile('expected', 'M.zip') },
        { key: 'U.zip.CHECKSUM', body: 'not a checksum line' },
      ],
      [
        { key: 'M.zip', body: 'actual' },
        { key: 'U.zip', body: 'u' },
      ],
    );
    const deps = verifierOptions(client);
    await verifyAll(deps, ['M.zip', 'U.zip']);
    expect(deps.counters).toMatchObject({ verified: 0, checksumMismatches: 2, failed: 0 });
    expect([...deps.mismatches.items].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'M.zip', expected_sha256: sha256('expected'), actual_sha256: sha256('actual'), checksum_key: 'M.zip.CHECKSUM' },
      { key: 'U.zip', expected_sha256: expect.stringMatching(/^\(unreadable: /), actual_sha256: '', checksum_key: 'U.zip.CHECKSUM' },
    ]);
  });

  it('counts a zip without a .CHECKSUM as missing, not failed; a vanished copy fails verification', async () => {
    const { client } = buckets([{ key: 'gone.zip.CHECKSUM', body: checksumFile('g', 'gone.zip') }], [{ key: 'lonely.zip', body: 'l' }]);
    const deps = verifierOptions(client);
    await verifyAll(deps, ['lonely.zip', 'gone.zip']);
    expect(deps.counters).toMatchObject({ verified: 0, missingChecksums: 1, checksumMismatches: 0, failed: 1 });
    expect(deps.failures.items).toEqual([
      { key: 'gone.zip', error_class: 'vanished', code: expect.any(String), message: expect.stringMatching(/^verification failed: /) },
    ]);
  });

  it('a .CHECKSUM the source still lists whose read answers NoSuchKey fails the zip, never counts it as without a .CHECKSUM', async () => {
    const { client, calls } = buckets([{ key: 'K.zip.CHECKSUM', body: checksumFile('k', 'K.zip') }], [{ key: 'K.zip', body: 'k' }], {
      beforeAnswer: async (command, input) => {
        if (command === 'GetObject' && input.Key === 'data/K.zip.CHECKSUM') throw new NoSuchKey({ message: 'mangled', $metadata: { httpStatusCode: 404 } });
      },
    });
    const deps = verifierOptions(client);
    await verifyAll(deps, ['K.zip']);
    expect(deps.counters).toMatchObject({ verified: 0, missingChecksums: 0, failed: 1 });
    expect(deps.failures.items).toEqual([
      { key: 'K.zip', error_class: 'client', code: 'NoSuchKey', message: expect.stringMatching(/^verification failed: .*but the source still lists it/) },
    ]);
    expect(calls.filter((c) => c.command === 'ListObjectsV2').map((c) => c.input)).toMatchObject([
      { Bucket: 'src', Prefix: 'data/K.zip.CHECKSUM', MaxKeys: 1 },
    ]);
  });

  it('checks at most `concurrency` zips at once, and submit waits once four times that are queued', async () => {
    const held: Array<() => void> = [];
    let maxHeld = 0;
    const zips = Array.from({ length: 12 }, (_, n) => `z${n}.zip`);
    const { client } = buckets(
      zips.map((k) => ({ key: `${k}.CHECKSUM`, body: checksumFile(k, k) })),
      zips.map((k) => ({ key: k, body: k })),
      {
        beforeAnswer: async (command, input) => {
          if (command !== 'GetObject' || input.Bucket !== 'src') return;
          await new Promise<void>((r) => held.push(r));
        },
      },
    );
    const settle = () => new Promise((r) => setTimeout(r, 20));
    const deps = verifierOptions(client, { concurrency: 2 });
    const v = new Verifier(deps);
    for (const k of zips.slice(0, 8)) await v.submit(k);
    let ninthQueued = false;
    const ninth = v.submit(zips[8]!).then(() => (ninthQueued = true));
    await settle();
    expect(held).toHaveLength(2);
    expect(ninthQueued).toBe(false);

    const rest = (async () => {
      await ninth;
      for (const k of zips.slice(9)) await v.submit(k);
    })();
    for (let round = 0; deps.counters.verified + deps.counters.failed < zips.length && round < 500; round++) {
      maxHeld = Math.max(maxHeld, held.length);
      held.shift()?.();
      await settle();
    }
    await rest;
    await v.drain();
    expect(ninthQueued).toBe(true);
    expect(maxHeld).toBe(2);
    expect(deps.counters.verified).toBe(12);
  });
});
