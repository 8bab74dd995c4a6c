/**
 * Pure: may a sync-mode run carry out the deletes its plan found? Deletes come last, after every
 * copy and verification, and either all run or none do.
 */

export interface DeleteGuardInput {
  plannedDeletes: number;
  /** Selected source objects the plan saw (0: the source selection is empty). */
  sourceObjects: number;
  /** Selected destination objects the plan saw; the deletes are some of them. */
  destObjects: number;
  failedCopies: number;
  checksumMismatches: number;
  maxDelete: number;
  maxDeletePercent: number;
  /** The source as the user gave it, for the message. */
  source?: string;
  /** --force-deletes: overrides the empty-source and percent guards, not the others. */
  force: boolean;
}

export type DeleteRefusalReason = 'copies-failed' | 'checksum-mismatch' | 'max-delete' | 'empty-source' | 'max-delete-percent';

export type DeleteVerdict =
  | { ok: true; /** The guard --force-deletes overrode, if one would have refused. */ forced?: { reason: DeleteRefusalReason; message: string } }
  | { ok: false; reason: DeleteRefusalReason; message: string };

/**
 * In order: failed copies and checksum mismatches (the source may not be what it seems), the
 * absolute cap `max_delete`, then the two guards against a wrong or empty source that
 * `--force-deletes` may override: an empty source selection, and deletes above
 * `max_delete_percent` of the destination. `max_delete` is never overridden: it also bounds the
 * memory the spooled delete list takes.
 */
export function judgeDeletes(i: DeleteGuardInput): DeleteVerdict {
  const n = i.plannedDeletes;
  if (n === 0) return { ok: true };
  const of = `${n} of the destination's ${i.destObjects} objects`;
  if (i.failedCopies > 0)
    return { ok: false, reason: 'copies-failed', message: `${n} deletes skipped because copies failed (${i.failedCopies}); nothing was deleted` };
  if (i.checksumMismatches > 0) {
    return {
      ok: false,
      reason: 'checksum-mismatch',
      message: `${n} deletes skipped because copied objects did not match their .CHECKSUM (${i.checksumMismatches} mismatches); nothing was deleted`,
    };
  }
  if (n > i.maxDelete)
    return { ok: false, reason: 'max-delete', message: `sync would delete ${n} objects, more than --max-delete ${i.maxDelete}; nothing was deleted (${of})` };
  let guard: { reason: DeleteRefusalReason; message: string } | undefined;
  if (n > 0 && i.sourceObjects === 0) {
    guard = {
      reason: 'empty-source',
      message: `sync would delete ${of} because the source selection${i.source ? ` under ${i.source}` : ''} listed no objects (a mistyped or emptied source?)`,
    };
  } else if (n * 100 > i.maxDeletePercent * i.destObjects) {
    guard = {
      reason: 'max-delete-percent',
      message: `sync would delete ${of} (${percent(n, i.destObjects)}), more than --max-delete-percent ${i.maxDeletePercent}`,
    };
  }
  if (!guard) return { ok: true };
  if (i.force) return { ok: true, forced: guard };
  return { ok: false, reason: guard.reason, message: `${guard.message}; nothing was deleted (--force-deletes to delete anyway)` };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? 'all' : `${((part * 100) / whole).toFixed(1)}%`;
}
