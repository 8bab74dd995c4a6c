/**
 * The sync job, top to bottom as the data flows:
 * config → sides and clients → preflight → engine choice → plan (merge-join of both listings)
 * → batches → engine → results (per-object fallback) → verify → deletes → report.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { DeleteObjectsCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SyncConfig } from './config/schema.js';
import { compileSelection } from './config/selection.js';
import { Dispatcher } from './engines/dispatcher.js';
import { probeS5cmd } from './engines/s5cmd-locate.js';
import { S5cmdEngine } from './engines/s5cmd.js';
import { SdkEngine } from './engines/sdk.js';
import { chooseEngine, routeObject, shouldFallBackToStream } from './engines/select.js';
import { StreamEngine } from './engines/stream.js';
import type { CopyEngine, CopyResult, CopyTask, EngineName, EngineSettings } from './engines/types.js';
import { UploadRegistry } from './engines/uploads.js';
import { ExitCode, JobError, UsageError } from './exit-codes.js';
import { BoundedList, RunCounters, type Degradation, type FailureRecord, type MismatchRecord } from './observe/counters.js';
import type { Logger } from './observe/logger.js';
import { ProgressReporter } from './observe/progress.js';
import { buildReport, type RunReport } from './observe/report.js';
import { compareRecorded, isPlainEtag, SOURCE_ETAG_METADATA } from './plan/compare.js';
import type { Action } from './plan/diff.js';
import { planActions } from './plan/planner.js';
import type { ShardSpec } from './plan/shard.js';
import { classifyError } from './resilience/errors.js';
import { makeS3Client } from './storage/clients.js';
import { ListingOrderError } from './storage/listing.js';
import { preflight } from './storage/preflight.js';
import { resolveSides } from './storage/sides.js';
import { s3Url } from './storage/types.js';
import { zipKeyFor } from './verify/checksum-file.js';
import { Verifier } from './verify/verifier.js';

export interface JobOptions {
  command: 'sync' | 'plan';
  dryRun: boolean;
  logger: Logger;
  env: Record<string, string | undefined>;
  /** Aborted on SIGTERM/SIGINT: no new copies start; the run ends as interrupted. */
  signal?: AbortSignal;
  /** Aborted at the shutdown deadline: in-flight requests are cut and their uploads aborted. */
  abortSignal?: AbortSignal;
  progress?: 'tty' | 'log' | 'off';
  /** Called with every copy and delete the plan decides (the `plan` command prints them). */
  onAction?: (a: Action) => void;
  runId?: string;
  /** Only this shard of the key space (`--shard i/N`), split at `depth` levels below each prefix. */
  shard?: ShardSpec & { depth: number };
  /** Config fields set explicitly (not defaults), from the config loader. */
  explicit?: ReadonlySet<string>;
}

const MANIFEST_DIR = '_manifests/';
const MAX_LISTED_FAILURES = 10_000;

export async function runJob(config: SyncConfig, opts: JobOptions): Promise<RunReport> {
  const startedAt = new Date();
  const runId = opts.runId ?? `${startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const log = opts.logger.child({ run_id: runId });
  // Every in-flight request listens on these signals; thousands at once are expected, not a leak.
  for (const s of [opts.signal, opts.abortSignal]) if (s) setMaxListeners(1_000_000, s);
  const writes = opts.command === 'sync' && !opts.dryRun;
  const counters = new RunCounters();
  const failures = new BoundedList<FailureRecord>(MAX_LISTED_FAILURES);
  const mismatches = new BoundedList<MismatchRecord>(MAX_LISTED_FAILURES);
  const degradations: Degradation[] = [];
  const sides = resolveSides(config, opts.explicit);
  const po = config.performance_optimization;
  let engineName: EngineName | 'none' = 'none';
  let engineReason = '';
  let plannedDeletes = 0;
  let interrupted = false;
  let fatal: JobError | undefined;

  // Clients per side, sized so the SDK never queues below our own concurrency.
  const maxSockets = po.max_concurrent * 8 + 16;
  const source = makeS3Client({ ...sides.source.client, maxSockets, maxAttempts: po.retry_count + 1 });
  const dest = makeS3Client({ ...sides.dest.client, maxSockets, maxAttempts: po.retry_count + 1 });
  const uploads = new UploadRegistry();
  const engines: CopyEngine[] = [];
  const progress =
    opts.progress && opts.progress !== 'off' && writes
      ? new ProgressReporter(counters, log, { tty: opts.progress === 'tty', detail: () => `engine ${engineName}` })
      : undefined;

  try {
    const selection = compileSelection(config);
    log.info('starting', { command: opts.command, dry_run: opts.dryRun, source: s3Url(sides.source.location), destination: s3Url(sides.dest.location), selection: selection.describe() });

    // Preflight: both buckets reachable with the access the run needs.
    await preflight({ source, dest, sides, prefixes: selection.prefixes, needWrite: writes });

    // Engine choice.
    const s5 = await probeS5cmd(opts.env);
    // enable_s3_direct_sync=false (the seed's switch) means every object goes through this machine.
    const mode = config.enable_s3_direct_sync ? config.operation_mode : 'traditional';
    const choice = chooseEngine({ mode, forced: config.engine, s5cmd: s5, serverSide: sides.serverSide, verify: config.verify_checksums });
    if (!choice.ok) throw new UsageError(choice.message);
    engineName = choice.engine;
    engineReason = choice.reason;
    log.info('engine chosen', { engine: engineName, reason: engineReason });

    const settings: EngineSettings = {
      source: sides.source.location,
      dest: sides.dest.location,
      storageClass: po.storage_class,
      partSizeBytes: po.part_size_mb * 1024 * 1024,
      multipartThresholdBytes: po.enable_multipart_threshold_mb * 1024 * 1024,
      concurrency: po.max_concurrent,
      retryCount: po.retry_count,
      checksumSha256: true,
    };
    const clients = { source, dest };
    const sdk = new SdkEngine(settings, clients, uploads);
    const stream = new StreamEngine(settings, clients, uploads);
    const s5cmd =
      engineName === 's5cmd'
        ? new S5cmdEngine({ ...settings, concurrency: Math.max(1, Math.ceil(po.max_concurrent / 2)) }, {
            binary: s5.path!,
            endpointUrl: sides.dest.client.endpoint,
            env: sides.dest.childEnv,
          })
        : undefined;
    engines.push(sdk, stream, ...(s5cmd ? [s5cmd] : []));
    const engineByName: Record<EngineName, CopyEngine | undefined> = { s5cmd, sdk, stream };
    const runEngine = engineByName[engineName]!;

    // Verification of copied zips against their source .CHECKSUM.
    const verifier = new Verifier({
      source: { client: source, location: sides.source.location },
      dest: { client: dest, location: sides.dest.location },
      counters,
      mismatches,
      failures,
      concurrency: Math.max(4, po.max_concurrent),
      signal: opts.abortSignal,
    });

    // Results: count, fall back per object where a server-side copy was refused, verify zips.
    const onResults = async (results: CopyResult[], tasks: Map<string, CopyTask>, from: EngineName): Promise<void> => {
      for (const r0 of results) {
        let r = r0;
        const task = tasks.get(r.key)!;
        if (!r.ok && r.error && from === 's5cmd' && r.error.class === 'unknown') {
          // s5cmd gave no usable result: the SDK engine tries that object once more.
          r = await sdk.copyOne(task, opts.abortSignal);
        }
        if (!r.ok && r.error && from !== 'stream' && shouldFallBackToStream(mode, config.engine, r.error, sides.sameCredentials)) {
          log.warn('server-side copy refused; copying this object by download and upload', { key: r.key, code: r.error.code });
          degradations.push({ at: new Date().toISOString(), from, to: 'stream', reason: `${r.key}: ${r.error.code ?? r.error.class}` });
          r = await stream.copyOne(task, opts.abortSignal);
        }
        if (r.ok) {
          counters.recordCopy(r.engine, r.bytes, r.attempts);
          if (config.enable_detailed_logging) log.info('copied', { key: r.key, bytes: r.bytes, engine: r.engine, latency_ms: Math.round(r.latencyMs), attempts: r.attempts });
          if (config.verify_checksums && r.key.endsWith('.zip')) await verifier.submit(r.key, r.sha256);
        } else if (opts.abortSignal?.aborted) {
          // Cut at the shutdown deadline: not a failure; the next run copies it.
          continue;
        } else if (r.error?.class === 'vanished') {
          counters.vanished++;
          failures.push({ key: r.key, error_class: 'vanished', code: r.error.code, message: 'source object disappeared before it was copied', engine: r.engine });
        } else {
          counters.failed++;
          counters.retries += Math.max(0, r.attempts - 1);
          failures.push({ key: r.key, error_class: r.error?.class ?? 'unknown', code: r.error?.code, message: r.error?.message ?? 'failed', engine: r.engine });
          log.warn('copy failed', { key: r.key, error_class: r.error?.class, code: r.error?.code, message: r.error?.message });
        }
      }
    };

    const dispatcher = new Dispatcher({
      batchSize: po.batch_size,
      maxInFlight: engineName === 's5cmd' ? 2 : Math.max(2, Math.ceil(po.max_concurrent / po.batch_size) + 1),
      engineFor: (t) =>
        engineByName[
          routeObject(
            engineName as EngineName,
            { size: t.size, plainSourceEtag: isPlainEtag(t.etag) },
            settings.multipartThresholdBytes,
            runEngine.maxObjectBytes,
          )
        ]!,
      onResults,
      signal: opts.abortSignal,
    });

    // The plan: both listings merged in key order. A server that lists out of S3's order makes
    // the plan start again with listings sorted on disk; deletes wait until the plan is complete.
    const deletes: string[] = [];
    const relPrefixes = selection.prefixes.map((p) => p.slice(sides.source.location.prefix.length));
    const selected = (rel: string) => !rel.startsWith(MANIFEST_DIR) && selection.matches(sides.source.location.prefix + rel);
    progress?.start();
    for (let sortListings = false; ; sortListings = true) {
      counters.listed = counters.planned = counters.plannedBytes = counters.skipped = 0;
      deletes.length = plannedDeletes = 0;
      try {
        let lastZip: { key: string; skipped: boolean } | undefined;
        for await (const action of planActions({
          source: { client: source, location: sides.source.location },
          dest: { client: dest, location: sides.dest.location },
          prefixes: relPrefixes,
          shard: opts.shard,
          incremental: config.enable_incremental,
          deleteExtras: config.sync_mode === 'sync',
          selected,
          sortListings,
          onListed: () => counters.listed++,
          signal: opts.signal,
        })) {
          if (opts.signal?.aborted) {
            interrupted = true;
            break;
          }
          const decided = action.kind === 'check' ? await resolveCheck(dest, sides.dest.location, action) : action;
          if (decided.kind === 'skip') {
            counters.skipped++;
          } else if (decided.kind === 'delete') {
            plannedDeletes++;
            if (deletes.length <= config.max_delete) deletes.push(decided.key);
            opts.onAction?.(decided);
          } else if (decided.kind === 'copy') {
            counters.planned++;
            counters.plannedBytes += decided.source.size;
            opts.onAction?.(decided);
            if (writes) await dispatcher.add({ key: decided.key, size: decided.source.size, etag: decided.source.etag });
          }
          if (decided.key.endsWith('.zip')) lastZip = { key: decided.key, skipped: decided.kind === 'skip' };
          // A corrected .CHECKSUM next to an unchanged zip: the zip is checked against the new one.
          const zip = zipKeyFor(decided.key);
          if (writes && config.verify_checksums && decided.kind === 'copy' && zip && lastZip?.key === zip && lastZip.skipped) await verifier.submit(zip);
        }
        break;
      } catch (err) {
        if (err instanceof ListingOrderError && !sortListings) {
          log.warn('listing is not in S3 key order; planning again with listings sorted on disk', { detail: err.message });
          degradations.push({ at: new Date().toISOString(), from: 'streamed listing', to: 'sorted listing', reason: err.message });
          continue;
        }
        throw err;
      }
    }
    counters.listingDone = true;
    await dispatcher.drain();
    await verifier.drain();

    // Deletes (sync mode), only after every copy, never beyond the cap, never after failures.
    if (writes && plannedDeletes > 0 && !interrupted) {
      if (plannedDeletes > config.max_delete) {
        failures.push({ key: s3Url(sides.dest.location), error_class: 'delete-cap', message: `sync would delete ${plannedDeletes} objects, more than --max-delete ${config.max_delete}; nothing was deleted` });
        log.error('delete cap exceeded; nothing deleted', { planned_deletes: plannedDeletes, max_delete: config.max_delete });
      } else if (counters.failed > 0) {
        log.warn('copies failed; not deleting anything this run', { planned_deletes: plannedDeletes });
        failures.push({ key: s3Url(sides.dest.location), error_class: 'delete-cap', message: `${plannedDeletes} deletes skipped because copies failed` });
      } else {
        await deleteKeys(dest, sides.dest.location.bucket, deletes.map((k) => sides.dest.location.prefix + k), counters, failures);
      }
    }
    if (opts.signal?.aborted) interrupted = true;
  } catch (err) {
    if (opts.signal?.aborted) interrupted = true;
    else if (err instanceof JobError) fatal = err;
    else {
      const c = classifyError(err);
      fatal = new JobError(`${c.class} error: ${c.message}`, ExitCode.someFailed);
    }
  } finally {
    progress?.stop();
    if (uploads.size > 0) await uploads.abortAll(dest).catch(() => undefined);
    for (const e of engines) await e.close?.();
    source.destroy();
    dest.destroy();
  }

  const exitCode = fatal
    ? fatal.exitCode
    : interrupted
      ? ExitCode.interrupted
      : counters.checksumMismatches > 0
        ? ExitCode.integrity
        : counters.failed > 0 || failures.items.some((f) => f.error_class === 'delete-cap')
          ? ExitCode.someFailed
          : ExitCode.ok;
  const report = buildReport({
    runId,
    command: opts.command,
    dryRun: opts.dryRun,
    startedAt,
    finishedAt: new Date(),
    mode: config.operation_mode,
    syncMode: config.sync_mode,
    engine: engineName,
    engineReason,
    source: s3Url(sides.source.location),
    destination: s3Url(sides.dest.location),
    counters,
    plannedDeletes,
    failures,
    mismatches,
    degradations,
    interrupted,
    exitCode,
    error: fatal?.message,
  });
  log.info('finished', { exit_code: exitCode, counts: report.counts });
  return report;
}

/** Same size, ETags not comparable: the source ETag recorded on the destination object decides. */
async function resolveCheck(dest: S3Client, location: { bucket: string; prefix: string }, a: Extract<Action, { kind: 'check' }>): Promise<Action> {
  const h = await dest.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.prefix + a.key }));
  const verdict = compareRecorded(a.source, h.Metadata?.[SOURCE_ETAG_METADATA]);
  if (verdict.same === true) return { kind: 'skip', key: a.key, source: a.source, dest: a.dest };
  return { kind: 'copy', key: a.key, source: a.source, dest: a.dest, reason: verdict.same === false ? verdict.reason : 'no-fingerprint' };
}

async function deleteKeys(client: S3Client, bucket: string, keys: string[], counters: RunCounters, failures: BoundedList<FailureRecord>): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const res = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
    const errors = res.Errors ?? [];
    counters.deleted += chunk.length - errors.length;
    for (const e of errors) {
      counters.failed++;
      failures.push({ key: e.Key ?? '?', error_class: classifyError({ name: e.Code }).class, code: e.Code, message: `delete failed: ${e.Message ?? e.Code}` });
    }
  }
}
