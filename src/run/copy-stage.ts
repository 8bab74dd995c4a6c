/**
 * The copy machinery around the sized pool: governor and limiter, the engines' shared runtime
 * (live retry policy, rate caps, outcome recording), the engines, the verifier, the results
 * handler and the dispatcher that feeds it.
 */
import type { SyncConfig } from '../config/schema.js';
import { assembleEngines, type EngineSet } from '../engines/assemble.js';
import { Dispatcher } from '../engines/dispatcher.js';
import type { CopyRuntime } from '../engines/runtime.js';
import type { EngineSettings } from '../engines/types.js';
import type { UploadRegistry } from '../engines/uploads.js';
import type { ManifestWriter } from '../observe/manifest.js';
import { AdaptiveLimiter } from '../resilience/adaptive-limit.js';
import type { Governor } from '../resilience/governor.js';
import { BatchSizer } from '../resilience/pressure.js';
import { bandwidthLimiter, priorityBandwidth, RequestRateLimiter, type TokenBucket } from '../resilience/rate-limit.js';
import { groupOf, NetworkRetries, outcomeRecorder, runGovernor } from '../resilience/run-governor.js';
import type { Sides } from '../storage/sides.js';
import type { Resources } from '../system/probe.js';
import { s5cmdWorkers, type Sizing } from '../system/sizing.js';
import { Verifier } from '../verify/verifier.js';
import type { RunClients } from './clients.js';
import { ResultsHandler } from './results.js';
import type { RunState } from './run-state.js';
import type { EngineStep } from './setup.js';

export interface Copier {
  governor: Governor;
  limiter: AdaptiveLimiter;
  engines: EngineSet;
  verifier: Verifier;
  dispatcher: Dispatcher;
}

export interface CopierInput {
  config: SyncConfig;
  run: RunState;
  sides: Sides;
  clients: RunClients;
  step: EngineStep;
  sizing: Sizing;
  resources: Resources;
  uploads: UploadRegistry;
  manifest?: ManifestWriter;
}

export function buildCopier(i: CopierInput): Copier {
  const { config, run, sides, sizing, step } = i;
  const sized = sizing.values;
  const derived = sizing.derived.values;
  const degrade = run.degrade.bind(run);
  const onRaise = (from: number, to: number, reason: string) => run.log.debug('concurrency raised', { from, to, reason });
  const governor = runGovernor({ initial: sized.max_concurrent, max: derived.governor_max, increaseStep: derived.governor_increase_step }, degrade, onRaise);
  const limiter = new AdaptiveLimiter(governor);
  const bandwidth = runBandwidth(config);
  const runtime = copyRuntime(config, run, governor, limiter, bandwidth, sized.retry_count);
  const s5cmd = step.s5.available
    ? { binary: step.s5.path!, endpointUrl: sides.dest.client.endpoint, env: sides.dest.childEnv, workers: () => s5cmdWorkers(governor.limit) }
    : undefined;
  const engines = assembleEngines(step.engine, engineSettings(config, sides, sizing), i.clients.copy, i.uploads, runtime, s5cmd, degrade);
  const verifier = new Verifier({
    source: { client: i.clients.source, location: sides.source.location },
    dest: { client: i.clients.dest, location: sides.dest.location },
    counters: run.counters,
    mismatches: run.mismatches,
    failures: run.failures,
    concurrency: derived.verify_concurrency,
    signal: run.abort,
    bandwidth,
    retry: runtime.retry,
  });
  const networkRetries = new NetworkRetries(runtime.retry, sized.retry_count, degrade);
  const results = new ResultsHandler({
    config,
    run,
    engines,
    fallback: { mode: step.mode, forced: config.engine, sameCredentials: sides.sameCredentials },
    verifier,
    manifest: i.manifest,
    afterBatch: () => networkRetries.update(governor.rates.network),
  });
  const batches = new BatchSizer(sized.batch_size, () => process.memoryUsage().rss / i.resources.memoryBytes, degrade);
  const dispatcher = new Dispatcher({
    batchSize: () => batches.size(),
    maxInFlight: derived.dispatcher_in_flight,
    engineFor: engines.engineFor,
    onResults: results.handle,
    signal: run.abort,
  });
  return { governor, limiter, engines, verifier, dispatcher };
}

/** The bandwidth cap: rate_limit_mbps, or a share of the available bandwidth by priority. */
function runBandwidth(config: SyncConfig): TokenBucket | undefined {
  const po = config.performance_optimization;
  const byPriority = po.available_bandwidth_mbps && po.bandwidth_priority ? priorityBandwidth(po.available_bandwidth_mbps, po.bandwidth_priority) : undefined;
  const mbps = po.rate_limit_mbps ?? byPriority;
  // Starts empty: the run's sustained rate is the cap; the 2× burst only lets it catch up after a pause.
  return bandwidthLimiter(mbps, { initialTokens: 0 });
}

/** What the engines share: the limiter, the live retry policy, outcome recording, retry logging and the caps. */
function copyRuntime(
  config: SyncConfig,
  run: RunState,
  governor: Governor,
  limiter: AdaptiveLimiter,
  bandwidth: TokenBucket | undefined,
  retryCount: number,
): CopyRuntime {
  const rps = config.performance_optimization.max_requests_per_second;
  const logRetry = run.retryLogger('retrying');
  return {
    limiter,
    retry: { retryCount },
    groupOf,
    record: outcomeRecorder(governor),
    onRetry: (key, info) => logRetry(info, key),
    requests: rps ? new RequestRateLimiter({ ratePerSecond: rps }) : undefined,
    bandwidth,
  };
}

function engineSettings(config: SyncConfig, sides: Sides, sizing: Sizing): EngineSettings {
  return {
    source: sides.source.location,
    dest: sides.dest.location,
    storageClass: config.performance_optimization.storage_class,
    partSizeBytes: sizing.derived.values.part_size_bytes,
    multipartThresholdBytes: sizing.derived.values.multipart_threshold_bytes,
    concurrency: sizing.values.max_concurrent,
    checksumSha256: config.verify_checksums,
  };
}
