import { describe, expect, it } from 'vitest';
import { chooseEngine, hasControlCharacter, needsSha256, routeObject, shouldFallBackToStream } from '../../../src/engines/select.js';
import { batchLine, parseS5cmdError, shellQuote } from '../../../src/engines/s5cmd.js';
import { partSizeFor } from '../../../src/engines/sdk.js';
import { copySource } from '../../../src/engines/copy-source.js';

const yes = { available: true, reason: 's5cmd v2.3.0' };
const no = { available: false, reason: 's5cmd not found' };
const same = { possible: true, reason: 'both on AWS' };
const apart = { possible: false, reason: 'different endpoints' };

describe('chooseEngine', () => {
  it('auto: s5cmd when present and server-side possible', () => {
    expect(chooseEngine({ mode: 'auto', s5cmd: yes, serverSide: same })).toMatchObject({ ok: true, engine: 's5cmd' });
  });
  it('auto: sdk when zips are verified, since its copies return the SHA-256', () => {
    const c = chooseEngine({ mode: 'auto', s5cmd: yes, serverSide: same, verify: true });
    expect(c).toMatchObject({ ok: true, engine: 'sdk' });
    expect(c.ok && c.reason).toMatch(/SHA-256/);
    expect(c.ok && c.reason).toMatch(/need no SHA-256 go to s5cmd/);
    expect(chooseEngine({ mode: 'auto', forced: 's5cmd', s5cmd: yes, serverSide: same, verify: true })).toMatchObject({ ok: true, engine: 's5cmd' });
  });
  it('auto: sdk when s5cmd is missing, saying why', () => {
    const c = chooseEngine({ mode: 'auto', s5cmd: no, serverSide: same });
    expect(c).toMatchObject({ ok: true, engine: 'sdk' });
    expect(c.ok && c.reason).toMatch(/s5cmd not found/);
  });
  it('auto: stream when server-side copy is impossible', () => {
    expect(chooseEngine({ mode: 'auto', s5cmd: yes, serverSide: apart })).toMatchObject({ ok: true, engine: 'stream' });
  });
  it('traditional: always stream', () => {
    expect(chooseEngine({ mode: 'traditional', s5cmd: yes, serverSide: same })).toMatchObject({ ok: true, engine: 'stream' });
  });
  it('direct_sync refuses when server-side is impossible', () => {
    expect(chooseEngine({ mode: 'direct_sync', s5cmd: yes, serverSide: apart })).toMatchObject({ ok: false });
  });
  it('forced engines are honoured or refused with a reason', () => {
    expect(chooseEngine({ mode: 'auto', forced: 'sdk', s5cmd: yes, serverSide: same })).toMatchObject({ ok: true, engine: 'sdk' });
    expect(chooseEngine({ mode: 'auto', forced: 'stream', s5cmd: yes, serverSide: same })).toMatchObject({ ok: true, engine: 'stream' });
    expect(chooseEngine({ mode: 'auto', forced: 's5cmd', s5cmd: no, serverSide: same })).toMatchObject({ ok: false });
    expect(chooseEngine({ mode: 'auto', forced: 'sdk', s5cmd: yes, serverSide: apart })).toMatchObject({ ok: false });
    expect(chooseEngine({ mode: 'direct_sync', forced: 'stream', s5cmd: yes, serverSide: same })).toMatchObject({ ok: false });
    expect(chooseEngine({ mode: 'traditional', forced: 'sdk', s5cmd: yes, serverSide: same })).toMatchObject({ ok: false });
  });
});

describe('routeObject', () => {
  const MB = 1024 * 1024;
  const s5 = { run: 's5cmd' as const, s5cmdForRest: false, multipartThreshold: 100 * MB, s5cmdMax: 5 * 1024 * MB };
  const verified = { ...s5, run: 'sdk' as const, s5cmdForRest: true };
  const engineOf = (o: Parameters<typeof routeObject>[0], p: Parameters<typeof routeObject>[1] = s5) => routeObject(o, p).engine;

  it('sends large and multipart-sourced objects from s5cmd to the sdk engine', () => {
    expect(routeObject({ key: 'data/k.zip', size: MB, plainSourceEtag: true }, s5)).toEqual({ engine: 's5cmd', reason: 'run engine' });
    expect(routeObject({ key: 'data/k.zip', size: 200 * MB, plainSourceEtag: true }, s5)).toEqual({ engine: 'sdk', reason: 'too large for s5cmd' });
    expect(routeObject({ key: 'data/k.zip', size: MB, plainSourceEtag: false }, s5)).toEqual({ engine: 'sdk', reason: 'multipart source ETag' });
    expect(engineOf({ key: 'data/k.zip', size: 200 * MB, plainSourceEtag: false }, { ...s5, run: 'sdk' })).toBe('sdk');
    expect(engineOf({ key: 'data/k.zip', size: 1, plainSourceEtag: true }, { ...s5, run: 'stream' })).toBe('stream');
  });

  it('in a verified run sends only zips with a .CHECKSUM (or not known to lack one) to CopyObject, the rest to s5cmd', () => {
    const sha = { engine: 'sdk', reason: 'zip with a .CHECKSUM: CopyObject returns its SHA-256' };
    const rest = { engine: 's5cmd', reason: 'needs no SHA-256' };
    expect(routeObject({ key: 'd/X.zip', size: MB, plainSourceEtag: true, checksumFile: true }, verified)).toEqual(sha);
    expect(routeObject({ key: 'd/X.zip', size: MB, plainSourceEtag: true }, verified)).toEqual(sha);
    expect(routeObject({ key: 'd/X.zip', size: MB, plainSourceEtag: true, checksumFile: false }, verified)).toEqual(rest);
    expect(routeObject({ key: 'd/X.zip.CHECKSUM', size: 90, plainSourceEtag: true }, verified)).toEqual(rest);
    expect(routeObject({ key: 'd/notes.csv', size: 90, plainSourceEtag: true }, verified)).toEqual(rest);
    // s5cmd's own limits still hold for the rest.
    expect(routeObject({ key: 'd/big.csv', size: 200 * MB, plainSourceEtag: true }, verified)).toEqual({ engine: 'sdk', reason: 'too large for s5cmd' });
    expect(routeObject({ key: 'd/a\nb.CHECKSUM', size: 9, plainSourceEtag: true }, verified)).toEqual({ engine: 'sdk', reason: 'control character in key' });
    // No s5cmd for the rest (forced engine, s5cmd missing, or not verifying): the sdk engine takes everything.
    expect(engineOf({ key: 'd/X.zip.CHECKSUM', size: 90, plainSourceEtag: true }, { ...verified, s5cmdForRest: false })).toBe('sdk');
  });

  it('needsSha256: zips unless the plan saw they have no .CHECKSUM', () => {
    expect(needsSha256({ key: 'a/X.zip' })).toBe(true);
    expect(needsSha256({ key: 'a/X.zip', checksumFile: false })).toBe(false);
    expect(needsSha256({ key: 'a/X.zip.CHECKSUM' })).toBe(false);
  });

  it.each(['a\nb', 'a\rb', 'tab\there', 'nul\u0000', 'unit\u001fsep', 'del\u007f', '\u0001start'])(
    'never puts a key with a control character (%j) into the s5cmd run file',
    (name) => {
      const key = `data/${name}.csv`;
      expect(hasControlCharacter(key)).toBe(true);
      expect(engineOf({ key, size: 10, plainSourceEtag: true })).toBe('sdk');
    },
  );

  it('keeps s5cmd for keys with spaces, quotes, U+0080 and beyond', () => {
    for (const key of ['data/a b\'c".csv', 'data/\u0080x', 'data/\u2028line-sep', 'data/ünï😀']) {
      expect(hasControlCharacter(key)).toBe(false);
      expect(engineOf({ key, size: 10, plainSourceEtag: true })).toBe('s5cmd');
    }
  });
});

describe('shouldFallBackToStream', () => {
  it('falls back for copies the server cannot do, only in auto mode', () => {
    expect(shouldFallBackToStream('auto', undefined, { class: 'client', code: 'NotImplemented', status: 501 }, true)).toBe(true);
    expect(shouldFallBackToStream('direct_sync', undefined, { class: 'client', code: 'NotImplemented' }, true)).toBe(false);
    expect(shouldFallBackToStream('auto', 'sdk', { class: 'client', code: 'NotImplemented' }, true)).toBe(false);
  });
  it('falls back on AccessDenied only when the source has its own credentials', () => {
    expect(shouldFallBackToStream('auto', undefined, { class: 'permission', code: 'AccessDenied' }, true)).toBe(false);
    expect(shouldFallBackToStream('auto', undefined, { class: 'permission', code: 'AccessDenied' }, false)).toBe(true);
  });
  it('does not fall back on throttling or missing sources', () => {
    expect(shouldFallBackToStream('auto', undefined, { class: 'throttling', code: 'SlowDown' }, false)).toBe(false);
    expect(shouldFallBackToStream('auto', undefined, { class: 'vanished', code: 'NoSuchKey' }, false)).toBe(false);
  });
});

describe('s5cmd batch lines and errors', () => {
  it('quotes keys so the run file splits them back exactly', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const line = batchLine({ key: "a b/it's (1)+%=~!.zip", size: 1, etag: 'e' }, {
      source: { bucket: 'src', prefix: 'data/' },
      dest: { bucket: 'dst', prefix: 'm/' },
      storageClass: 'STANDARD_IA',
    } as never);
    expect(line).toBe(
      `cp --raw --metadata-directive COPY --storage-class STANDARD_IA 's3://src/data/a b/it'\\''s (1)+%=~!.zip' 's3://dst/m/a b/it'\\''s (1)+%=~!.zip'`,
    );
  });
  it('refuses to write a key with a newline into the run file', () => {
    const settings = { source: { bucket: 'src', prefix: 'data/' }, dest: { bucket: 'dst', prefix: 'm/' } } as never;
    expect(() => batchLine({ key: 'a\ncp s3://other/x s3://dst/m/x', size: 1, etag: 'e' }, settings)).toThrow(/control character/);
  });
  it('classifies s5cmd error text by code and status', () => {
    expect(parseS5cmdError('AccessDenied: Access Denied status code: 403, request id: X, host id: Y')).toMatchObject({
      class: 'permission',
      code: 'AccessDenied',
      status: 403,
    });
    expect(parseS5cmdError('SlowDown: Please reduce your request rate. status code: 503, request id: X')).toMatchObject({
      class: 'throttling',
      retryable: true,
    });
    expect(parseS5cmdError('NoSuchKey: The specified key does not exist. status code: 404, request id: X')).toMatchObject({ class: 'vanished' });
  });
});

describe('sizes and copy sources', () => {
  it('grows the part size to stay within 10,000 parts', () => {
    const MB = 1024 * 1024;
    expect(partSizeFor(100 * MB, 64 * MB)).toBe(64 * MB);
    expect(partSizeFor(1024 * 1024 * MB, 64 * MB)).toBe(Math.ceil((1024 * 1024 * MB) / 10_000));
    expect(partSizeFor(10, 1)).toBe(5 * MB);
  });
  it('URL-encodes keys but keeps slashes in CopySource', () => {
    expect(copySource('b', "a b/c+d%e=f~g!h'i(j).zip")).toBe("b/a%20b/c%2Bd%25e%3Df~g!h'i(j).zip");
    expect(copySource('b', 'dir/ü.zip')).toBe('b/dir/%C3%BC.zip');
  });
});
