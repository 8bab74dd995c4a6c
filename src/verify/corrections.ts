import { zipKeyFor } from './checksum-file.js';

/**
 * A corrected `.CHECKSUM` next to an unchanged zip: the zip is verified again against the new one.
 * Fed every planned action in key order (a zip comes just before its `.CHECKSUM`).
 */
export class ChecksumCorrections {
  private lastZip?: { key: string; skipped: boolean };

  /** Notes one decided action; returns the zip to verify again when this copies the .CHECKSUM of a zip just skipped. */
  next(kind: 'copy' | 'skip' | 'check' | 'delete', key: string): string | undefined {
    if (key.endsWith('.zip')) this.lastZip = { key, skipped: kind === 'skip' };
    const zip = zipKeyFor(key);
    return kind === 'copy' && zip !== undefined && this.lastZip?.key === zip && this.lastZip.skipped ? zip : undefined;
  }
}
