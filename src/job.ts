/**
 * The sync job, top to bottom as the data flows:
 * config → sides and clients → preflight → resources, engine, sizing → leftovers of a crash
 * → governor and engines → plan (merge-join of both listings) → batches → engine → results
 * (per-object fallback) → verify → deletes → report.
 */
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { SyncConfig } from './config/schema.js';
import { compileSelection } from './config/selection.js';
import { assembleEngines } from './engines/assemble.js';
import { Dispatcher } from './engines/dispatcher.js';
import type { CopyRuntime } from './engines/runtime.js';
import { probeS5cmd } from './engines/s5cmd-locate.js';
import { chooseEngine, shouldFallBackToStream } from './engines/select.js';
import type { CopyResult, CopyTask, EngineName, EngineSettings } from './engines/types.js';
import { UploadRegistry } from './engines/uploads.js';
import { ExitCode, JobError, LeaseHeldError, PreflightError, UsageError } from './exit-codes.js';
import { BoundedList, RunCounters, type Degradation, type FailureRecord, type MismatchRecord } from './observe/counters.js';
import type { Logger } from './observe/logger.js';
import { computeKpis, LatencyRecorder } from './observe/kpi.js';
import { ManifestWriter, uploadManifest } from './observe/manifest.js';
import { DEFAULT_PRICING, type PricingTable } from './cost/pricing.js';
import { ProgressReporter } from './observe/progress.js';
import { marginalCost, overheadCost, runCost, type RunCostContext } from './cost/run-cost.js';
import { buildReport, type RunReport } from './observe/report.js';
import { resolveCheck } from './plan/check.js';
import { judgeDeletes } from './plan/delete-guard.js';
import type { Action } from './plan/diff.js';
import { planActions } from './plan/planner.js';
import { shardOf, unitKeyOf, type ShardSpec } from './plan/shard.js';
import { AdaptiveLimiter } from './resilience/adaptive-limit.js';
import { abortStaleUploads } from './resilience/cleanup.js';
import { classifyError } from './resilience/errors.js';
import { Governor, memoryPressure, networkInstability, outcomeOf, prefixOf } from './resilience/governor.js';
import type { RetryInfo } from './resilience/retry.js';
import { bandwidthLimiter, priorityBandwidth, RequestRateLimiter } from './resilience/rate-limit.js';
import { makeS3Client } from './storage/clients.js';
import { deleteKeys } from './storage/deletes.js';
import { LEASE_DIR, LeaseHolder } from './storage/lease.js';
import { ListingOrderError } from './storage/listing.js';
import { sidesRefusal } from './storage/overlap.js';
import { countRequests, RequestTally } from './storage/request-tally.js';
import { preflight } from './storage/preflight.js';
import { resolveSides } from './storage/sides.js';
import { s3Url } from './storage/types.js';
import { probeResources, type Resources } from './system/probe.js';
import { explicitPerformance, formatExplain, sizePool } from './system/sizing.js';
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
  /** Called with the sizing table (`plan --explain`). */
  onExplain?: (text: string) => void;
  runId?: string;
  /** Only this shard of the key space (`--shard i/N`), split at `depth` levels below each prefix. */
  shard?: ShardSpec & { depth: number };
  /** Config fields set explicitly (not defaults), from the config loader. */
  explicit?: ReadonlySet<string>;
  /** Resources to size for, instead of probing this machine (tests). */
  resources?: Resources;
  /** Credentials for the destination side (e.g. from a Secrets Manager secret); default chain otherwise. */
  destCredentials?: AwsCredentialIdentityProvider;
  /** Prices for the cost estimate (default: the built-in public prices). */
  pricing?: PricingTable;
  /** Stop before the estimated cost of the run would pass this (exit 4, with the estimate). */
  maxCostUsd?: number;
  /** Write a JSON Lines manifest of every object copied to this file. */
  manifestPath?: string;
  /** Also upload it as `<destination prefix>_manifests/<run_id>.jsonl`. */
  uploadManifest?: boolean;
}

const MANIFEST_DIR = '_manifests/';
const MAX_LISTED_FAILURES = 10_000;
/** Levels of a relative key that make its concurrency group (the Binance symbol folder). */
const GROUP_DEPTH = 4;

export async function runJob(config: SyncConfig, opts: JobOptions): Promise<RunReport> {
  const startedAt = new Date();
  const runId = opts.runId ?? `${startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const log = opts.logger.child({ run_id: runId });
  // Losing the destination's lease stops the run like SIGTERM does, and cuts what is in flight.
  const leaseLost = new AbortController();
  opts = { ...opts, signal: anySignal(opts.signal, leaseLost.signal), abortSignal: anySignal(opts.abortSignal, leaseLost.signal) };
  // Every in-flight request listens on these signals; thousands at once are expected, not a leak.
  for (const s of [opts.signal, opts.abortSignal]) if (s) setMaxListeners(1_000_000, s);
  const writes = opts.command === 'sync' && !opts.dryRun;
  const counters = new RunCounters();
  const failures = new BoundedList<FailureRecord>(MAX_LISTED_FAILURES);
  const mismatches = new BoundedList<MismatchRecord>(MAX_LISTED_FAILURES);
  const degradations: Degradation[] = [];
  const degrade = (from: string, to: string, reason: string) => {
    degradations.push({ at: new Date().toISOString(), from, to, reason });
    log.warn('degraded', { from, to, reason });
  };
  let engineName: EngineName | 'none' = 'none';
  let engineReason = '';
  let settingsReport: Record<string, unknown> = {};
  let plannedDeletes = 0;
  let interrupted = false;
  const tally = new RequestTally();
  const latency = new LatencyRecorder();
  const pricing = opts.pricing ?? DEFAULT_PRICING;
  let costContext: RunCostContext | undefined;
  let manifest: ManifestWriter | undefined;
  let manifestInfo: { path: string; entries: number; uploaded_to?: string } | undefined;
  const stopForBudget = new AbortController();
  let fatal: JobError | undefined;
  let lease: LeaseHolder | undefined;

  // Sides and clients. Listing, HEADs, verification, deletes, cleanup and the manifest upload are
  // retried by the SDK with the run's error-class policy; the engines' clients make one attempt per
  // request and retry through the run's policy themselves (and feed the governor).
  const sides = resolveSides(config, opts.explicit, opts.destCredentials);
  const po = config.performance_optimization;
  const sdkRetries = {
    maxSockets: 1024,
    retries: {
      policy: { retryCount: po.retry_count },
      onRetry: (info: RetryInfo) => {
        counters.retries++;
        log.debug('retrying a request', { attempt: info.attempt, error_class: info.error.class, code: info.error.code, delay_ms: info.delayMs });
      },
    },
  };
  const source = makeS3Client({ ...sides.source.client, ...sdkRetries });
  const dest = makeS3Client({ ...sides.dest.client, ...sdkRetries });
  const copyClients = {
    source: makeS3Client({ ...sides.source.client, maxSockets: 1024, retries: 'none' }),
    dest: makeS3Client({ ...sides.dest.client, maxSockets: 1024, retries: 'none' }),
  };
  for (const c of [source, copyClients.source]) countRequests(c, tally.source);
  for (const c of [dest, copyClients.dest]) countRequests(c, tally.dest);
  const uploads = new UploadRegistry();
  let closeEngines = async () => {};
  let disposeLimiter = () => {};
  let governorLimit = () => 0;
  const progress =
    opts.progress && opts.progress !== 'off' && writes
      ? new ProgressReporter(counters, log, { tty: opts.progress === 'tty', engine: () => engineName, concurrency: () => governorLimit() })
      : undefined;

  try {
    const selection = compileSelection(config);
    const relPrefixes = selection.prefixes.map((p) => p.slice(sides.source.location.prefix.length));
    log.info('starting', { command: opts.command, dry_run: opts.dryRun, source: s3Url(sides.source.location), destination: s3Url(sides.dest.location), selection: selection.describe(), shard: opts.shard });
    const unsafe = sidesRefusal(sides, config);
    if (unsafe) throw new UsageError(unsafe.message);

    // Preflight: both buckets reachable with the access the run needs.
    await preflight({ source, dest, sides, prefixes: selection.prefixes, needWrite: writes });
    // The destination's lease, before anything is written: exit 6 when another run holds it.
    if (writes) lease = await takeLease();

    // Resources, engine and sizing: explicit settings win over computed ones.
    const resources = opts.resources ?? (await probeResources());
    log.info('resources', { cpus: resources.cpus, memory_bytes: resources.memoryBytes, sources: resources.sources, notes: resources.notes });
    const s5 = await probeS5cmd(opts.env);
    if (config.engine === 's5cmd' && !s5.available) throw new PreflightError(`--engine s5cmd: ${s5.reason}`);
    if (!s5.available && s5.path) log.warn('s5cmd not used', { reason: s5.reason });
    // enable_s3_direct_sync=false (the seed's switch) means every object goes through this machine.
    const mode = config.enable_s3_direct_sync ? config.operation_mode : 'traditional';
    const choice = chooseEngine({ mode, forced: config.engine, s5cmd: s5, serverSide: sides.serverSide, verify: config.verify_checksums });
    if (!choice.ok) throw new UsageError(choice.message);
    engineName = choice.engine;
    engineReason = choice.reason;
    if (!s5.available && !config.verify_checksums && choice.engine === 'sdk') degrade('s5cmd', 'sdk', s5.reason);
    log.info('engine chosen', { engine: engineName, reason: engineReason });
    const sizing = sizePool({
      resources,
      workload: {},
      engine: engineName,
      sameRegion: sides.serverSide.possible && sides.source.client.region === sides.dest.client.region,
      explicit: explicitPerformance(po, opts.explicit ?? new Set()),
    });
    const sized = sizing.values;
    settingsReport = { ...sized, cpus: resources.cpus, memory_bytes: resources.memoryBytes, cpus_from: resources.sources.cpus, memory_from: resources.sources.memoryBytes };
    opts.onExplain?.(formatExplain(sizing.explain));
    log.info('sized', { ...sized });
    costContext = {
      sourceRegion: sides.source.client.region,
      destRegion: sides.dest.client.region,
      storageClass: po.storage_class,
      sourceBucketOwnerPays: config.source_no_sign_request || config.source_bucket === 'data.binance.vision',
      ...(resources.limits.ecs ? { fargate: { vcpu: resources.cpus, memoryGb: resources.memoryBytes / 1024 ** 3, spot: opts.env.S3DS_CAPACITY_PROVIDER === 'FARGATE_SPOT' } } : {}),
    };
    const costOf = marginalCost(costContext, pricing);
    let copiesUsd = 0;
    // Listing and checking cost too: recomputed only when their request counts move.
    let overheadKey = '';
    let overheadUsd = 0;
    const overhead = (ctx: RunCostContext) => {
      // The lease's writes so far and the one that releases it.
      const leasePuts = lease ? lease.puts + 1 : 0;
      const key = `${tally.source.list}/${tally.dest.list}/${tally.source.head}/${tally.dest.head}/${leasePuts}`;
      if (key !== overheadKey) {
        overheadKey = key;
        overheadUsd = overheadCost(ctx, tally, pricing, leasePuts);
      }
      return overheadUsd;
    };
    if (writes && opts.manifestPath) manifest = new ManifestWriter(opts.manifestPath);

    // Leftovers of a crashed run: incomplete multipart uploads in our own leased prefix (and shard) only.
    if (writes && lease) await cleanUpLeftovers();

    // Governor: AIMD concurrency, per destination prefix too; its changes are degradations.
    const governor = new Governor({
      initial: sized.max_concurrent,
      min: 1,
      max: opts.explicit?.has('performance_optimization.max_concurrent') ? po.max_concurrent : Math.min(1024, Math.max(sized.max_concurrent, 256)),
      windowSize: 200,
      errorRateThreshold: 0.05,
      throttleThreshold: 0.05,
      increaseStep: Math.max(1, Math.ceil(sized.max_concurrent / 16)),
      cooldownMs: 5_000,
    });
    governorLimit = () => governor.limit;
    // A cut is a degradation (logged, reported); growing back is routine (debug log only).
    governor.onChange((e) => {
      const reason = e.key ? `${e.reason} (prefix ${e.key})` : e.reason;
      if (e.to < e.from) degrade(`concurrency ${e.from}`, `concurrency ${e.to}`, reason);
      else log.debug('concurrency raised', { from: e.from, to: e.to, reason });
    });
    const limiter = new AdaptiveLimiter(governor);
    disposeLimiter = () => limiter.dispose();
    const bandwidthMbps = po.rate_limit_mbps ?? (po.available_bandwidth_mbps && po.bandwidth_priority ? priorityBandwidth(po.available_bandwidth_mbps, po.bandwidth_priority) : undefined);
    // Starts empty: the run's sustained rate is the cap; the 2× burst only lets it catch up after a pause.
    const bandwidth = bandwidthLimiter(bandwidthMbps, { initialTokens: 0 });
    const runtime: CopyRuntime = {
      limiter,
      retry: { retryCount: sized.retry_count },
      groupOf: (key) => prefixOf(key, GROUP_DEPTH),
      record: (key, error) => {
        const outcome = outcomeOf(error);
        if (!outcome) return;
        governor.record(outcome);
        governor.forKey(prefixOf(key, GROUP_DEPTH)).record(outcome);
      },
      onRetry: (key, info) => {
        counters.retries++;
        log.debug('retrying', { key, attempt: info.attempt, error_class: info.error.class, code: info.error.code, delay_ms: info.delayMs });
      },
      requests: po.max_requests_per_second ? new RequestRateLimiter({ ratePerSecond: po.max_requests_per_second }) : undefined,
      bandwidth,
    };

    // Engines around that runtime.
    const settings: EngineSettings = {
      source: sides.source.location,
      dest: sides.dest.location,
      storageClass: po.storage_class,
      partSizeBytes: sized.part_size_mb * 1024 * 1024,
      multipartThresholdBytes: po.enable_multipart_threshold_mb * 1024 * 1024,
      concurrency: sized.max_concurrent,
      retryCount: sized.retry_count,
      checksumSha256: config.verify_checksums,
    };
    const engines = assembleEngines(
      engineName,
      settings,
      copyClients,
      uploads,
      runtime,
      s5.available ? { binary: s5.path!, endpointUrl: sides.dest.client.endpoint, env: sides.dest.childEnv, workers: () => Math.ceil(governor.limit / 2) } : undefined,
      (from, to, reason) => degrade(from, to, reason),
    );
    closeEngines = engines.close;

    // Verification of copied zips against their source .CHECKSUM.
    const verifier = new Verifier({
      source: { client: source, location: sides.source.location },
      dest: { client: dest, location: sides.dest.location },
      counters,
      mismatches,
      failures,
      concurrency: Math.max(4, Math.min(64, sized.max_concurrent)),
      signal: opts.abortSignal,
      bandwidth,
      retryCount: sized.retry_count,
    });

    // Results: count, fall back per object where a server-side copy was refused, verify zips.
    let extraRetries = 0;
    const onResults = async (results: CopyResult[], tasks: Map<string, CopyTask>, from: EngineName): Promise<void> => {
      for (let r of results) {
        const task = tasks.get(r.key)!;
        if (!r.ok && r.error && from === 's5cmd' && r.error.retryable && !opts.abortSignal?.aborted) {
          // s5cmd gave up on it (or said nothing): the SDK engine tries it with the run's retry policy.
          r = await engines.sdk.copyOne(task, opts.abortSignal);
        }
        if (!r.ok && r.error && r.engine !== 'stream' && shouldFallBackToStream(mode, config.engine, r.error, sides.sameCredentials)) {
          degrade(r.engine, 'stream', `${r.key}: server-side copy refused (${r.error.code ?? r.error.class})`);
          r = await engines.stream.copyOne(task, opts.abortSignal);
        }
        if (r.ok) {
          counters.recordCopy(r.engine, r.bytes);
          latency.record(r.latencyMs);
          await manifest?.add({ key: r.key, size: task.size, sha256: r.sha256, source_etag: task.etag, copied_at: new Date().toISOString(), engine: r.engine });
          if (config.enable_detailed_logging) log.info('object', { key: r.key, bytes: r.bytes, engine: r.engine, latency_ms: Math.round(r.latencyMs), attempts: r.attempts, result: 'copied' });
          if (config.verify_checksums && r.key.endsWith('.zip')) await verifier.submit(r.key, r.sha256);
        } else if (opts.abortSignal?.aborted) {
          // Cut at the shutdown deadline: not a failure; the next run copies it.
        } else if (r.error?.class === 'vanished') {
          counters.vanished++;
          failures.push({ key: r.key, error_class: 'vanished', code: r.error.code, message: 'source object disappeared before it was copied', engine: r.engine });
        } else {
          counters.failed++;
          failures.push({ key: r.key, error_class: r.error?.class ?? 'unknown', code: r.error?.code, message: r.error?.message ?? 'failed', engine: r.engine });
          log.warn('object', { key: r.key, bytes: 0, engine: r.engine, latency_ms: Math.round(r.latencyMs), attempts: r.attempts, result: 'failed', error_class: r.error?.class, code: r.error?.code, message: r.error?.message });
        }
      }
      // Network instability: more retries while connection errors are frequent.
      const extra = networkInstability(governor.rates.network).extraRetries;
      if (extra !== extraRetries) {
        degrade(`retry_count ${sized.retry_count + extraRetries}`, `retry_count ${sized.retry_count + extra}`, `network error rate ${(governor.rates.network * 100).toFixed(1)}%`);
        extraRetries = extra;
        runtime.retry.retryCount = sized.retry_count + extra;
      }
    };

    // Memory pressure: smaller batches as the process nears its memory limit.
    let batchFactor = 1;
    const batchSize = () => {
      const factor = memoryPressure(process.memoryUsage().rss / resources.memoryBytes);
      if (factor !== batchFactor) {
        degrade(`batch_size ${Math.round(sized.batch_size * batchFactor)}`, `batch_size ${Math.round(sized.batch_size * factor)}`, 'memory pressure');
        batchFactor = factor;
      }
      return Math.max(1, Math.floor(sized.batch_size * factor));
    };
    const dispatcher = new Dispatcher({
      batchSize,
      maxInFlight: engineName === 's5cmd' ? 2 : Math.max(2, Math.ceil(sized.max_concurrent / sized.batch_size) + 1),
      engineFor: engines.engineFor,
      onResults,
      signal: opts.abortSignal,
    });

    // The plan: both listings merged in key order. A server that lists out of S3's order makes
    // the plan start again with listings sorted on disk; deletes wait until the plan is complete.
    const deletes: string[] = [];
    // Selected objects per side, as the merge-join sees them: what the delete guards weigh.
    let sourceSeen = 0;
    let destSeen = 0;
    const selected = (rel: string) => !rel.startsWith(MANIFEST_DIR) && !rel.startsWith(LEASE_DIR) && selection.matches(sides.source.location.prefix + rel);
    progress?.start();
    for (let sortListings = false; ; sortListings = true) {
      counters.listed = counters.planned = counters.plannedBytes = counters.skipped = 0;
      deletes.length = plannedDeletes = sourceSeen = destSeen = 0;
      try {
        let lastZip: { key: string; skipped: boolean } | undefined;
        for await (const action of planActions({
          source: { client: source, location: sides.source.location },
          dest: { client: dest, location: sides.dest.location },
          prefixes: relPrefixes,
          shard: opts.shard,
          prefetch: Math.max(1, sized.list_parallelism - 1),
          incremental: config.enable_incremental,
          deleteExtras: config.sync_mode === 'sync',
          destinationEtags: config.destination_etags,
          selected,
          sortListings,
          onListed: () => counters.listed++,
          signal: opts.signal,
        })) {
          if (opts.signal?.aborted || stopForBudget.signal.aborted) break;
          if (action.kind !== 'delete') sourceSeen++;
          if (action.kind !== 'copy' || action.dest) destSeen++;
          const decided = action.kind === 'check' ? await resolveCheck(dest, sides.dest.location, action) : action;
          if (decided.kind === 'skip') {
            counters.skipped++;
          } else if (decided.kind === 'delete') {
            plannedDeletes++;
            if (deletes.length <= config.max_delete) deletes.push(decided.key);
            opts.onAction?.(decided);
          } else if (decided.kind === 'copy') {
            // The budget: stop before an object whose copy would take the estimate past it.
            const usd = costOf(decided.source.size, engineName !== 'stream', config.verify_checksums && decided.key.endsWith('.zip'));
            const committedUsd = copiesUsd + overhead(costContext);
            if (opts.maxCostUsd !== undefined && committedUsd + usd > opts.maxCostUsd) {
              stopForBudget.abort();
              fatal = new PreflightError(
                `stopped before exceeding --max-cost-usd ${opts.maxCostUsd}: ${counters.planned} objects copied or in flight, $${committedUsd.toFixed(6)} estimated so far; the next (${decided.key}) would add $${usd.toFixed(6)}`,
              );
              log.error('cost budget reached; starting no more copies', { max_cost_usd: opts.maxCostUsd, committed_usd: committedUsd });
              break;
            }
            copiesUsd += usd;
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
          degrade('streamed listing', 'sorted listing', `${err.message}; planning again with listings sorted on disk`);
          continue;
        }
        throw err;
      }
    }
    counters.listingDone = !opts.signal?.aborted;
    await dispatcher.drain();
    await verifier.drain();
    if (opts.signal?.aborted) interrupted = true;
    if (manifest) {
      const m = await manifest.close();
      manifestInfo = { path: m.path, entries: m.entries };
      manifest = undefined;
      if (opts.uploadManifest) {
        const key = `${sides.dest.location.prefix}_manifests/${runId}.jsonl`;
        await uploadManifest(dest, sides.dest.location.bucket, key, m.path, { abortSignal: opts.abortSignal });
        manifestInfo.uploaded_to = `s3://${sides.dest.location.bucket}/${key}`;
      }
    }

    // Deletes (sync mode), only after every copy and verification, all or none (plan/delete-guard).
    if (plannedDeletes > 0 && !interrupted && !stopForBudget.signal.aborted) {
      const verdict = judgeDeletes({
        plannedDeletes,
        sourceObjects: sourceSeen,
        destObjects: destSeen,
        failedCopies: counters.failed,
        checksumMismatches: counters.checksumMismatches,
        maxDelete: config.max_delete,
        maxDeletePercent: config.max_delete_percent,
        force: config.force_deletes,
        source: s3Url(sides.source.location),
      });
      const numbers = { planned_deletes: plannedDeletes, destination_objects: destSeen, source_objects: sourceSeen, max_delete: config.max_delete, max_delete_percent: config.max_delete_percent };
      if (!writes) {
        if (!verdict.ok) log.warn('sync would refuse these deletes', { reason: verdict.reason, message: verdict.message, ...numbers });
      } else if (!verdict.ok) {
        failures.push({ key: s3Url(sides.dest.location), error_class: 'delete-cap', code: verdict.reason, message: verdict.message });
        log.error('deletes refused; nothing deleted', { reason: verdict.reason, message: verdict.message, ...numbers });
      } else {
        if (verdict.forced) log.warn('deleting despite a delete guard (--force-deletes)', { reason: verdict.forced.reason, message: verdict.forced.message, ...numbers });
        const out = await deleteKeys(dest, sides.dest.location.bucket, deletes.map((k) => sides.dest.location.prefix + k), opts.abortSignal);
        counters.deleted += out.deleted;
        for (const f of out.failed) {
          counters.failed++;
          failures.push({ key: f.key, error_class: classifyError({ name: f.code }).class, code: f.code, message: f.message });
        }
      }
    }
  } catch (err) {
    if (opts.signal?.aborted) interrupted = true;
    else if (err instanceof JobError) fatal ??= err;
    else {
      const c = classifyError(err);
      fatal = new JobError(`${c.class} error: ${c.message}`, ExitCode.someFailed);
    }
  } finally {
    progress?.stop();
    await manifest?.abort().catch(() => undefined);
    // Multipart uploads this run started and could not finish are aborted, never left behind.
    if (uploads.size > 0) {
      const n = await uploads.abortAll(dest).catch(() => 0);
      log.warn('aborted unfinished multipart uploads', { aborted: n });
    }
    // Given up last, once nothing of this run can still write.
    await lease?.release();
    disposeLimiter();
    await closeEngines();
    for (const c of [source, dest, copyClients.source, copyClients.dest]) c.destroy();
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
  const finishedAt = new Date();
  const durationSeconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  const cost = costContext ? runCost(costContext, tally, counters, durationSeconds, pricing) : undefined;
  const kpis = computeKpis({
    durationSeconds,
    copiedBytes: counters.copiedBytes,
    copiedObjects: counters.copied,
    failedObjects: counters.failed,
    attemptedObjects: counters.copied + counters.failed,
    serverSideBytes: (counters.byEngine.s5cmd?.bytes ?? 0) + (counters.byEngine.sdk?.bytes ?? 0),
    costUsd: cost?.direct.total_usd,
    latency,
  });
  const report = buildReport({
    runId,
    command: opts.command,
    dryRun: opts.dryRun,
    startedAt,
    finishedAt,
    mode: config.enable_s3_direct_sync ? config.operation_mode : 'traditional',
    syncMode: config.sync_mode,
    engine: engineName,
    engineReason,
    source: s3Url(sides.source.location),
    destination: s3Url(sides.dest.location),
    settings: settingsReport,
    counters,
    plannedDeletes,
    failures,
    mismatches,
    degradations,
    cost,
    kpis,
    manifest: manifestInfo,
    interrupted,
    exitCode,
    error: fatal?.message,
  });
  log.info('finished', { exit_code: exitCode, counts: report.counts });
  return report;

  async function takeLease(): Promise<LeaseHolder | undefined> {
    if (!config.lease) {
      log.warn('running without a destination lease (lease: false): nothing stops another run writing here at the same time, and left-over multipart uploads are not cleaned up');
      return undefined;
    }
    const shard = opts.shard;
    let held: LeaseHolder;
    try {
      held = await LeaseHolder.take({
        client: copyClients.dest,
        bucket: sides.dest.location.bucket,
        prefix: sides.dest.location.prefix,
        scope: shard ? { kind: 'shard', index: shard.index, count: shard.count, depth: shard.depth } : { kind: 'all' },
        runId,
        ttlSeconds: config.lease_ttl_seconds,
        retry: { retryCount: po.retry_count },
        onRetry: (info) => {
          counters.retries++;
          log.debug('retrying a lease request', { attempt: info.attempt, error_class: info.error.class, code: info.error.code, delay_ms: info.delayMs });
        },
        signal: opts.signal,
        log,
      });
    } catch (err) {
      if (err instanceof LeaseHeldError) log.error('lease held by another run; writing nothing', { error: err.message });
      throw err;
    }
    log.info('lease taken', { key: held.key, expires_at: held.lease.expires_at, ttl_seconds: config.lease_ttl_seconds });
    held.startRenewing((reason) => {
      fatal = new LeaseHeldError(`lost the destination's lease mid-run (${reason}); started no more copies and cut those in flight`);
      log.error('lost the lease; stopping', { reason });
      leaseLost.abort();
    });
    return held;
  }

  async function cleanUpLeftovers(): Promise<void> {
    const { bucket, prefix } = sides.dest.location;
    if (prefix === '') {
      log.info('not cleaning incomplete multipart uploads: the destination has no prefix, so the whole bucket would be touched');
      return;
    }
    const relPrefixes = compileSelection(config).prefixes.map((p) => p.slice(sides.source.location.prefix.length));
    const shard = opts.shard;
    const keep = (key: string) => {
      const rel = key.slice(prefix.length);
      if (!shard) return relPrefixes.some((p) => rel.startsWith(p));
      const unit = unitKeyOf(rel, relPrefixes, shard.depth);
      return unit !== undefined && shardOf(unit, shard.count) === shard.index;
    };
    try {
      const out = await abortStaleUploads(dest, bucket, prefix, { olderThan: startedAt, keep, signal: opts.abortSignal });
      if (out.aborted.length > 0) log.warn('aborted incomplete multipart uploads left by an earlier run', { aborted: out.aborted.length, keys: out.aborted.slice(0, 20).map((u) => u.key) });
      for (const f of out.failed) log.warn('could not abort an incomplete multipart upload', { key: f.upload.key, error: classifyError(f.error).code });
    } catch (err) {
      const c = classifyError(err);
      log.warn('could not list incomplete multipart uploads; leaving them', { error_class: c.class, code: c.code });
    }
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}
