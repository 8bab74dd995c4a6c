import { createHash } from 'node:crypto';

/** A `.CHECKSUM` companion in `sha256sum` format: `<64 hex>  <file name>\n`. */
export interface ChecksumFile {
  sha256: string;
  fileName: string;
}

export class ChecksumFileError extends Error {}

export function parseChecksumFile(text: string, expectedFileName?: string): ChecksumFile {
  const line = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .find((l) => l.trim() !== '');
  if (line === undefined) throw new ChecksumFileError('checksum file is empty');
  // sha256sum writes two spaces, or a space and '*' in binary mode.
  const m = /^([0-9a-fA-F]{64})\s[ *]?(.+?)\s*$/.exec(line);
  if (!m) throw new ChecksumFileError(`checksum file line is not '<64 hex chars>  <file name>': '${line.slice(0, 120)}'`);
  const sha256 = m[1]!.toLowerCase();
  const fileName = m[2]!;
  if (expectedFileName !== undefined && fileName !== expectedFileName && !fileName.endsWith('/' + expectedFileName)) {
    throw new ChecksumFileError(`checksum file names '${fileName}', expected '${expectedFileName}'`);
  }
  return { sha256, fileName };
}

export const CHECKSUM_SUFFIX = '.CHECKSUM';

/** `a/b/X.zip` → `a/b/X.zip.CHECKSUM` when the key is a zip, else undefined. */
export function checksumKeyFor(key: string): string | undefined {
  return key.endsWith('.zip') ? key + CHECKSUM_SUFFIX : undefined;
}

/** `a/b/X.zip.CHECKSUM` → `a/b/X.zip`, else undefined. */
export function zipKeyFor(checksumKey: string): string | undefined {
  return checksumKey.endsWith('.zip' + CHECKSUM_SUFFIX) ? checksumKey.slice(0, -CHECKSUM_SUFFIX.length) : undefined;
}

/**
 * The MD5s (plain S3 ETags) of the `.CHECKSUM` files that would say `sha256` for `fileName`, in
 * the `sha256sum` format, with and without the final newline: a listed ETag among them proves
 * what the file says without reading it.
 */
export function checksumFileEtags(sha256: string, fileName: string): string[] {
  const line = `${sha256}  ${fileName}`;
  return [line + '\n', line].map((text) => createHash('md5').update(text, 'utf8').digest('hex'));
}

export function base64ToHex(b64: string): string {
  return Buffer.from(b64, 'base64').toString('hex');
}
