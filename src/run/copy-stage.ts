/**
 * The copy machinery around the sized pool: governor and limiter, the engines' shared runtime
 * (live retry policy, rate caps, outcome recording), the engines, the verifier, the results
 * handler and the dispatcher that feeds it.
 */
import type { SyncConfig } from '../config/schema.js';
import { assembleEngines, type EngineSet } from '../engines/assemble.js';
import { Dispatcher } from '../engines/dispatcher.js';
import type { CopyRuntime } from '../engines/runtime.js';
import type { CopyTask, EngineSettings } from '../engines/types.js';
import type { UploadRegistry } from '../engines/uploads.js';
import type { ManifestWriter } from '../observe/manifest.js';
import { AdaptiveLimiter } from '../resilience/adaptive-limit.js';
import type { Governor } from '../resilience/governor.js';
import { BatchSizer } from '../resilience/pressure.js';
import { bandwidthLimiter, priorityBandwidth, RequestRateLimiter, type TokenBucket } from '../resilience/rate-limit.js';
import { NetworkRetries, outcomeRecorder, runGovernor } from '../resilience/run-governor.js';
import type { Sides } from '../storage/sides.js';
import { stillListed } from '../storage/still-listed.js';
import type { Resources } from '../system/probe.js';
import { s5cmdWorkers, type Sizing } from '../system/sizing.js';
import { ChecksumLookahead, type Released } from '../verify/checksum-lookahead.js';
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
  /** One walk of the plan feeding the dispatcher; `planned` says whether a relative key is in the plan (the selection). */
  planFeed(planned: (key: string) => boolean): PlanFeed;
}

/** The plan's source keys in listing order, copies with a task; `end` when the listing is done. */
export interface PlanFeed {
  listed(key: string, etag: string, copy?: CopyTask): Promise<void>;
  end(): Promise<void>;
}

/** Keys a zip waits for its .CHECKSUM (only keys between `X.zip` and `X.zip.CHECKSUM` in S3 order count). */
const CHECKSUM_LOOKAHEAD_KEYS = 100;

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
  /** The concurrency group of a relative key: the selection's (the symbol folder in the Binance layout). */
  groupOf: (key: string) => string;
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
  const runtime = copyRuntime(config, run, { governor, limiter, groupOf: i.groupOf }, bandwidth, sized.retry_count);
  const s5cmd = step.s5.available
    ? { binary: step.s5.path!, endpointUrl: sides.dest.client.endpoint, env: sides.dest.childEnv, workers: () => s5cmdWorkers(governor.limit) }
    : undefined;
  const engines = assembleEngines(
    step.engine,
    config.engine !== undefined,
    engineSettings(config, sides, sizing),
    i.clients.copy,
    i.uploads,
    runtime,
    s5cmd,
    degrade,
    (engine, reason) => run.counters.recordRoute(engine, reason),
  );
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
    sourceStillLists: (key) => stillListed(i.clients.source, sides.source.location, key, run.abort),
  });
  const batches = new BatchSizer(sized.batch_size, () => process.memoryUsage().rss / i.resources.memoryBytes, degrade);
  const dispatcher = new Dispatcher({
    batchSize: () => batches.size(),
    maxInFlight: derived.dispatcher_in_flight,
    engineFor: engines.engineFor,
    onResults: results.handle,
    signal: run.abort,
  });
  const planFeed = (planned: (key: string) => boolean) => feedPlan(config.verify_checksums, run.writes, engines, dispatcher, planned);
  return { governor, limiter, engines, verifier, dispatcher, planFeed };
}

/**
 * Copies to the dispatcher (or only routed and counted when the run writes nothing), each zip of a
 * verified run marked with whether the source lists its .CHECKSUM, so routing sends only those to
 * CopyObject with a SHA-256.
 */
function feedPlan(verify: boolean, writes: boolean, engines: EngineSet, dispatcher: Dispatcher, planned: (key: string) => boolean): PlanFeed {
  const lookahead = verify ? new ChecksumLookahead<CopyTask>(CHECKSUM_LOOKAHEAD_KEYS, planned) : undefined;
  const send = async (released: Released<CopyTask>[]) => {
    for (const r of released) {
      r.item.checksumFile = r.checksumFile;
      r.item.checksumEtag = r.checksumEtag;
      if (writes) await dispatcher.add(r.item);
      else engines.engineFor(r.item);
    }
  };
  return {
    listed: async (key, etag, copy) => {
      if (lookahead) await send(lookahead.push(key, etag, copy));
      else if (copy) await send([{ item: copy }]);
    },
    end: async () => {
      if (lookahead) await send(lookahead.flush());
    },
  };
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
  { governor, limiter, groupOf }: { governor: Governor; limiter: AdaptiveLimiter; groupOf: (key: string) => string },
  bandwidth: TokenBucket | undefined,
  retryCount: number,
): CopyRuntime {
  const rps = config.performance_optimization.max_requests_per_second;
  const logRetry = run.retryLogger('retrying');
  return {
    limiter,
    retry: { retryCount },
    groupOf,
    record: outcomeRecorder(governor, groupOf),
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
