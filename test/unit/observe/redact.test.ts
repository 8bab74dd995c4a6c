import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observe/logger.js';
import { maskUrlUserInfo, redact } from '../../../src/observe/redact.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('redact', () => {
  it('masks secret-named fields, known values and AWS key shapes', () => {
    const out = redact(
      { secretAccessKey: 'x1', nested: { note: `key is ${SECRET}`, token: 'abc' }, list: ['AKIAIOSFODNN7EXAMPLE'], ok: 'data/spot/x.zip' },
      [],
    );
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(JSON.stringify(out)).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out.secretAccessKey).toBe('[REDACTED]');
    expect(out.nested.token).toBe('[REDACTED]');
    expect(out.ok).toBe('data/spot/x.zip');
  });
  it('masks values known at run time wherever they appear', () => {
    expect(redact({ message: 'failed with hunter2-password inside' }, ['hunter2-password']).message).toBe('failed with [REDACTED] inside');
  });
});

describe('logger', () => {
  it('never writes a secret, in JSON lines', () => {
    let out = '';
    const stream = new Writable({
      write(chunk, _e, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = createLogger({ json: true, stream, secrets: () => ['s3cr3t-value-123'] });
    log.info('using credentials', { secret_access_key: SECRET, detail: 'token s3cr3t-value-123', err: new Error(`bad ${SECRET}`) });
    expect(out).toContain('using credentials');
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('s3cr3t-value-123');
    expect(() => JSON.parse(out.trim())).not.toThrow();
  });
});

describe('URL user info', () => {
  it('is masked in any text, and in log records', () => {
    expect(maskUrlUserInfo('endpoint http://u:p4ss@host:9000/x and https://h/')).toBe('endpoint http://[REDACTED]@host:9000/x and https://h/');
    expect(JSON.stringify(redact({ message: 'to https://me:s3cret-pw@s3.example.com' }, []))).not.toContain('s3cret-pw');
  });
});

describe('redact of a report', () => {
  it('masks known values but keeps 40-character keys and dates as they are', () => {
    const key = 'data/spot/daily/klines/BNBBTC/1m/BNBBTC1'; // 40 characters of the AWS secret key alphabet
    const at = new Date('2026-01-02T03:04:05Z');
    const out = redact({ failures: [{ key, message: 'copy to s3://b/hunter2-known/ failed' }], at }, ['hunter2-known'], { byShape: false });
    expect(out.failures[0]).toEqual({ key, message: 'copy to s3://b/[REDACTED]/ failed' });
    expect(out.at).toBe(at);
    expect(key).toHaveLength(40);
    expect(redact({ key }, []).key).toBe('[REDACTED]'); // what log lines do with it
  });
});
