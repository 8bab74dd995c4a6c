import { describe, expect, it } from 'vitest';
import { bytesPerCopyInFlight, copiesServerSide, SERVER_SIDE_COPY_BYTES, STREAM_PARTS_IN_MEMORY } from '../../../src/system/memory-model.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('memory per copy in flight', () => {
  it('a server-side copy holds 64 KiB whatever the object or part size', () => {
    expect(SERVER_SIDE_COPY_BYTES).toBe(64 * KiB);
    for (const engine of ['sdk', 's5cmd'] as const) {
      expect(copiesServerSide(engine)).toBe(true);
      expect(bytesPerCopyInFlight(engine, { avgObjectBytes: 5 * GiB, partSizeBytes: 100 * MiB })).toBe(64 * KiB);
      expect(bytesPerCopyInFlight(engine, { partSizeBytes: 5 * MiB })).toBe(64 * KiB);
    }
  });

  it('a stream copy of an object that fits in one part buffers it, plus 1 MiB', () => {
    expect(copiesServerSide('stream')).toBe(false);
    expect(bytesPerCopyInFlight('stream', { avgObjectBytes: 300 * KiB, partSizeBytes: 100 * MiB })).toBe(300 * KiB + MiB);
    expect(bytesPerCopyInFlight('stream', { avgObjectBytes: 100 * MiB, partSizeBytes: 100 * MiB })).toBe(101 * MiB);
  });

  it('a multipart stream copy (or an unknown size) keeps the upload queue of 4 parts plus the one being filled', () => {
    expect(STREAM_PARTS_IN_MEMORY).toBe(5);
    expect(bytesPerCopyInFlight('stream', { avgObjectBytes: 100 * MiB + 1, partSizeBytes: 100 * MiB })).toBe(500 * MiB);
    expect(bytesPerCopyInFlight('stream', { partSizeBytes: 16 * MiB })).toBe(80 * MiB);
  });
});
