import { describe, expect, it } from 'vitest';
import { ChecksumCorrections } from '../../../src/verify/corrections.js';

describe('ChecksumCorrections', () => {
  it('a copied .CHECKSUM right after its skipped zip asks for the zip to be verified again', () => {
    const c = new ChecksumCorrections();
    expect(c.next('skip', 'd/X.zip')).toBeUndefined();
    expect(c.next('copy', 'd/X.zip.CHECKSUM')).toBe('d/X.zip');
  });

  it('not when the zip was copied too (it is verified anyway), the .CHECKSUM skipped, or another zip came between', () => {
    const copied = new ChecksumCorrections();
    copied.next('copy', 'd/X.zip');
    expect(copied.next('copy', 'd/X.zip.CHECKSUM')).toBeUndefined();
    const unchanged = new ChecksumCorrections();
    unchanged.next('skip', 'd/X.zip');
    expect(unchanged.next('skip', 'd/X.zip.CHECKSUM')).toBeUndefined();
    const other = new ChecksumCorrections();
    other.next('skip', 'd/W.zip');
    expect(other.next('copy', 'd/X.zip.CHECKSUM')).toBeUndefined();
    expect(new ChecksumCorrections().next('copy', 'd/X.zip.CHECKSUM')).toBeUndefined();
  });
});
