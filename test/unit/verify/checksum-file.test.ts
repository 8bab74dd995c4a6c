import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ChecksumFileError, checksumFileEtags, checksumKeyFor, parseChecksumFile, zipKeyFor, base64ToHex } from '../../../src/verify/checksum-file.js';

const hex = 'a'.repeat(64);

describe('parseChecksumFile', () => {
  it('reads sha256sum format', () => {
    expect(parseChecksumFile(`${hex}  BTCUSDT-1m-2024-01-01.zip\n`, 'BTCUSDT-1m-2024-01-01.zip')).toEqual({
      sha256: hex,
      fileName: 'BTCUSDT-1m-2024-01-01.zip',
    });
  });
  it('reads a file without its trailing newline, as some older ones are, and a non-ASCII name', () => {
    expect(parseChecksumFile(`${hex}  BTCUSDT-1m-2020-8.zip`, 'BTCUSDT-1m-2020-8.zip')).toEqual({ sha256: hex, fileName: 'BTCUSDT-1m-2020-8.zip' });
    const name = '币安人生USDT-1m-2024-01-01.zip';
    expect(parseChecksumFile(`${hex}  ${name}`, name)).toEqual({ sha256: hex, fileName: name });
    expect(parseChecksumFile(`${hex}  ${name}\n`, name)).toEqual({ sha256: hex, fileName: name });
  });
  it('lowercases, accepts binary-mode marker and CRLF', () => {
    expect(parseChecksumFile(`${'A'.repeat(64)} *X.zip\r\n`).sha256).toBe(hex);
  });
  it('rejects empty, malformed and wrong-name files', () => {
    expect(() => parseChecksumFile('')).toThrow(ChecksumFileError);
    expect(() => parseChecksumFile('abc  X.zip')).toThrow(/64 hex/);
    expect(() => parseChecksumFile(`${hex}  Y.zip`, 'X.zip')).toThrow(/expected 'X.zip'/);
  });
  it('maps zip and checksum keys', () => {
    expect(checksumKeyFor('a/X.zip')).toBe('a/X.zip.CHECKSUM');
    expect(checksumKeyFor('a/X.csv')).toBeUndefined();
    expect(zipKeyFor('a/X.zip.CHECKSUM')).toBe('a/X.zip');
    expect(zipKeyFor('a/X.zip')).toBeUndefined();
  });
  it('converts S3 base64 checksums to hex', () => {
    expect(base64ToHex('ARhvzwS0tEfzk+VSlkwIx7QZwa16JcNCoLYxsZZ9Oic=')).toBe('01186fcf04b4b447f393e552964c08c7b419c1ad7a25c342a0b631b1967d3a27');
  });
});

describe('checksumFileEtags', () => {
  it('is the MD5 of the sha256sum line, with and without its newline', () => {
    const sha = 'ab'.repeat(32);
    const md5 = (t: string) => createHash('md5').update(t).digest('hex');
    expect(checksumFileEtags(sha, 'X.zip')).toEqual([md5(`${sha}  X.zip\n`), md5(`${sha}  X.zip`)]);
  });
});
