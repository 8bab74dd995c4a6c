/**
 * Finishing a run once every copy and verification is done: the manifest closed (and uploaded),
 * then the deletes of sync mode, all or none (plan/delete-guard).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SyncConfig } from '../config/schema.js';
import { uploadManifest, type ManifestWriter } from '../observe/manifest.js';
import { judgeDeletes } from '../plan/delete-guard.js';
import { classifyError } from '../resilience/errors.js';
import { deleteKeys } from '../storage/deletes.js';
import type { Sides } from '../storage/sides.js';
import { s3Url, type Location } from '../storage/types.js';
import type { PlanTotals } from './plan-stage.js';
import { MANIFEST_DIR } from './plan-stage.js';
import type { RunState } from './run-state.js';

/**
 * Closes the open manifest (recorded on the run for the report; no longer held once closed) and
 * uploads it as `<prefix>_manifests/<run_id>.jsonl` when asked.
 */
export async function closeManifest(held: { manifest?: ManifestWriter }, run: RunState, dest: S3Client, location: Location, upload: boolean): Promise<void> {
  if (!held.manifest) return;
  const m = await held.manifest.close();
  held.manifest = undefined;
  run.manifest = { path: m.path, entries: m.entries };
  if (upload) {
    const key = `${location.prefix}${MANIFEST_DIR}${run.runId}.jsonl`;
    await uploadManifest(dest, location.bucket, key, m.path, { abortSignal: run.abort });
    run.manifest.uploaded_to = `s3://${location.bucket}/${key}`;
  }
}

/** The planned deletes, when the guards allow them (a plan or dry run only says what sync would refuse). */
export async function runDeletes(config: SyncConfig, run: RunState, totals: PlanTotals, sides: Sides, dest: S3Client): Promise<void> {
  const { log, counters, failures, plannedDeletes } = run;
  if (plannedDeletes === 0 || run.interrupted || run.budgetReached) return;
  const verdict = judgeDeletes({
    plannedDeletes,
    sourceObjects: totals.sourceSeen,
    destObjects: totals.destSeen,
    failedCopies: counters.failed,
    checksumMismatches: counters.checksumMismatches,
    maxDelete: config.max_delete,
    maxDeletePercent: config.max_delete_percent,
    force: config.force_deletes,
    source: s3Url(sides.source.location),
  });
  const numbers = {
    planned_deletes: plannedDeletes,
    destination_objects: totals.destSeen,
    source_objects: totals.sourceSeen,
    max_delete: config.max_delete,
    max_delete_percent: config.max_delete_percent,
  };
  if (!run.writes) {
    if (!verdict.ok) log.warn('sync would refuse these deletes', { reason: verdict.reason, message: verdict.message, ...numbers });
    return;
  }
  if (!verdict.ok) {
    failures.push({ key: s3Url(sides.dest.location), error_class: 'delete-cap', code: verdict.reason, message: verdict.message });
    log.error('deletes refused; nothing deleted', { reason: verdict.reason, message: verdict.message, ...numbers });
    return;
  }
  if (verdict.forced) {
    log.warn('deleting despite a delete guard (--force-deletes)', { reason: verdict.forced.reason, message: verdict.forced.message, ...numbers });
  }
  const { bucket, prefix } = sides.dest.location;
  const out = await deleteKeys(
    dest,
    bucket,
    totals.deletes.map((k) => prefix + k),
    run.abort,
  );
  counters.deleted += out.deleted;
  for (const f of out.failed) {
    counters.failed++;
    failures.push({ key: f.key, error_class: classifyError({ name: f.code }).class, code: f.code, message: f.message });
  }
}
