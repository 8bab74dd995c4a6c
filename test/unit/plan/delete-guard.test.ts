import { describe, expect, it } from 'vitest';
import { judgeDeletes, type DeleteGuardInput } from '../../../src/plan/delete-guard.js';

const base: DeleteGuardInput = {
  plannedDeletes: 5,
  sourceObjects: 95,
  destObjects: 100,
  failedCopies: 0,
  checksumMismatches: 0,
  maxDelete: 1000,
  maxDeletePercent: 10,
  force: false,
};
const judge = (over: Partial<DeleteGuardInput>) => judgeDeletes({ ...base, ...over });

describe('judgeDeletes', () => {
  it('lets deletes within every limit through', () => {
    expect(judge({})).toEqual({ ok: true });
    // Exactly the limit is not above it.
    expect(judge({ plannedDeletes: 10 })).toEqual({ ok: true });
    expect(judge({ plannedDeletes: 0, sourceObjects: 0 })).toEqual({ ok: true });
  });

  it('refuses deletes when the source selection is empty, naming the numbers', () => {
    const v = judge({ plannedDeletes: 100, sourceObjects: 0, source: 's3://src/data/typo/' });
    expect(v).toMatchObject({ ok: false, reason: 'empty-source' });
    if (v.ok) throw new Error('unreachable');
    expect(v.message).toBe(
      "sync would delete 100 of the destination's 100 objects because the source selection under s3://src/data/typo/ listed no objects (a mistyped or emptied source?); nothing was deleted (--force-deletes to delete anyway)",
    );
    // Even a single delete: the empty source is the signal, not the share.
    expect(judge({ plannedDeletes: 1, sourceObjects: 0, destObjects: 1000 })).toMatchObject({ ok: false, reason: 'empty-source' });
  });

  it('refuses deletes above max_delete_percent of the destination, naming the numbers', () => {
    const v = judge({ plannedDeletes: 11 });
    expect(v).toMatchObject({ ok: false, reason: 'max-delete-percent' });
    if (v.ok) throw new Error('unreachable');
    expect(v.message).toBe(
      "sync would delete 11 of the destination's 100 objects (11.0%), more than --max-delete-percent 10; " +
        'nothing was deleted (--force-deletes to delete anyway)',
    );
    expect(judge({ plannedDeletes: 11, maxDeletePercent: 100 })).toEqual({ ok: true });
    expect(judge({ plannedDeletes: 1, maxDeletePercent: 0 })).toMatchObject({ ok: false, reason: 'max-delete-percent' });
  });

  it('--force-deletes overrides the empty-source and percent guards, and says which', () => {
    expect(judge({ plannedDeletes: 100, sourceObjects: 0, force: true })).toMatchObject({ ok: true, forced: { reason: 'empty-source' } });
    expect(judge({ plannedDeletes: 50, force: true })).toMatchObject({ ok: true, forced: { reason: 'max-delete-percent' } });
  });

  it('--force-deletes never overrides max_delete, failed copies or checksum mismatches', () => {
    const cap = judge({ plannedDeletes: 1001, destObjects: 2000, force: true });
    expect(cap).toMatchObject({ ok: false, reason: 'max-delete' });
    if (!cap.ok)
      expect(cap.message).toBe("sync would delete 1001 objects, more than --max-delete 1000; nothing was deleted (1001 of the destination's 2000 objects)");
    expect(judge({ failedCopies: 2, force: true })).toMatchObject({
      ok: false,
      reason: 'copies-failed',
      message: '5 deletes skipped because copies failed (2); nothing was deleted',
    });
    expect(judge({ checksumMismatches: 1, force: true })).toMatchObject({
      ok: false,
      reason: 'checksum-mismatch',
      message: '5 deletes skipped because copied objects did not match their .CHECKSUM (1 mismatches); nothing was deleted',
    });
  });
});
