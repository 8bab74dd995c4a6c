import { describe, expect, it } from 'vitest';
import { ExitCode, JobError, LeaseHeldError } from '../../../src/exit-codes.js';
import { exitCodeOf, type ExitInput } from '../../../src/run/exit-code.js';

const clean: ExitInput = { interrupted: false, checksumMismatches: 0, failed: 0, deletesRefused: false };

describe('exitCodeOf', () => {
  it('a clean run is 0', () => expect(exitCodeOf(clean)).toBe(ExitCode.ok));

  it('a fatal error wins over everything else', () => {
    const all = { interrupted: true, checksumMismatches: 3, failed: 2, deletesRefused: true };
    expect(exitCodeOf({ ...all, fatal: new LeaseHeldError('lost') })).toBe(ExitCode.leaseHeld);
    expect(exitCodeOf({ ...all, fatal: new JobError('x', ExitCode.preflight) })).toBe(ExitCode.preflight);
  });

  it('then an interruption, then checksum mismatches, then failures or refused deletes', () => {
    expect(exitCodeOf({ ...clean, interrupted: true, checksumMismatches: 1, failed: 1 })).toBe(ExitCode.interrupted);
    expect(exitCodeOf({ ...clean, checksumMismatches: 1, failed: 1 })).toBe(ExitCode.integrity);
    expect(exitCodeOf({ ...clean, failed: 1 })).toBe(ExitCode.someFailed);
    expect(exitCodeOf({ ...clean, deletesRefused: true })).toBe(ExitCode.someFailed);
  });
});
