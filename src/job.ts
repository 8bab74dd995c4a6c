/**
 * The sync job, top to bottom as the data flows (each stage in src/run/):
 * set up (sides, clients, preflight, lease, resources, engine, sizing) → plan (merge-join of both
 * listings) → copy and verify (batches → engine → results with per-object fallback → verifier)
 * → finish (manifest, deletes) → report.
 */
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { LayerName } from './config/load.js';
import type { SyncConfig } from './config/schema.js';
import type { CompiledSelection } from './config/selection.js';
import { CostBudget, overheadMeter } from './cost/budget.js';
import { DEFAULT_PRICING, type PricingTable } from './cost/pricing.js';
import { runCostContext } from './cost/run-context.js';
import { marginalCost, type RunCostContext } from './cost/run-cost.js';
import { UploadRegistry } from './engines/uploads.js';
import type { Logger } from './observe/logger.js';
import { ManifestWriter } from './observe/manifest.js';
import { ProgressReporter } from './observe/progress.js';
import type { RunReport } from './observe/report.js';
import type { Action } from './plan/diff.js';
import { shardSplit, type ShardSpec } from './plan/shard.js';
import { openClients } from './run/clients.js';
import { buildCopier } from './run/copy-stage.js';
import { closeManifest, runDeletes } from './run/finish.js';
import { takeLease } from './run/lease-stage.js';
import { cleanUpLeftovers } from './run/leftovers.js';
import { planAndCopy } from './run/plan-stage.js';
import { reportRun } from './run/report-stage.js';
import { RunState } from './run/run-state.js';
import { preflight, runEngine, runResources, runScope, runSizing } from './run/setup.js';
import { release, type Held } from './run/teardown.js';
import { resolveSides, type Sides } from './storage/sides.js';
import type { Resources } from './system/probe.js';

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
  /** Only this shard of the key space (`--shard i/N`): the selection's groups, or a key's first `depth` folders. */
  shard?: ShardSpec;
  /** Config fields set explicitly (not defaults), from the config loader. */
  explicit?: ReadonlySet<string>;
  /** The layer each config field came from (the loader's `origin`): `plan --explain` says who set a number. */
  origin?: Readonly<Record<string, LayerName>>;
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
  /** The sides and selection when the caller already resolved them (resolved from the config otherwise). */
  sides?: Sides;
  selection?: CompiledSelection;
  /** The caller already ran the preflight checks (`sync` does, with the write probe): the job probes nothing again. */
  preflighted?: boolean;
}

export async function runJob(config: SyncConfig, opts: JobOptions): Promise<RunReport> {
  const run = new RunState(opts);
  const pricing = opts.pricing ?? DEFAULT_PRICING;
  const sides = opts.sides ?? resolveSides(config, opts.explicit, opts.destCredentials);
  const held: Held = { clients: openClients(sides, run, config.performance_optimization.retry_count), uploads: new UploadRegistry() };
  const { clients } = held;
  if (opts.progress && opts.progress !== 'off' && run.writes) {
    const live = { engine: () => run.engine, concurrency: () => held.copier?.governor.limit ?? 0 };
    held.progress = new ProgressReporter(run.counters, run.log, { tty: opts.progress === 'tty', ...live });
  }
  let costContext: RunCostContext | undefined;
  try {
    // Set up: what the run covers, the one preflight, the lease, then engine and sizing.
    const scope = runScope(config, sides, run, opts);
    if (!opts.preflighted) await preflight(config, sides, scope, clients, opts);
    if (run.writes) held.lease = await takeLease(config, run, clients.copy.dest, sides.dest.location, opts.shard);
    const resources = await runResources(opts.resources, run);
    const step = await runEngine(config, sides, opts.env, run);
    const sizing = runSizing(config, sides, resources, step.engine, run, opts);
    costContext = runCostContext(config, sides, resources, opts.env);
    if (run.writes && opts.manifestPath) held.manifest = new ManifestWriter(opts.manifestPath);
    if (run.writes && held.lease) await cleanUpLeftovers(run, clients.dest, sides.dest.location, scope, opts.shard);
    // The selection's groups, or with --shard-depth the folders the shards are cut at.
    const groupOf = shardSplit(scope.selection, opts.shard?.depth).groupOf;
    const copier = buildCopier({ config, run, sides, clients, step, sizing, resources, uploads: held.uploads, manifest: held.manifest, groupOf });
    held.copier = copier;

    // Plan, copy and verify: the plan feeds the dispatcher as it is made.
    const lease = held.lease;
    const budget = new CostBudget(
      opts.maxCostUsd,
      overheadMeter(costContext, run.tally, pricing, () => (lease ? lease.puts + 1 : 0)),
    );
    held.progress?.start();
    const totals = await planAndCopy({
      config,
      run,
      sides,
      clients,
      scope,
      engine: step.engine,
      copier,
      budget,
      costOf: marginalCost(costContext, pricing),
      listPrefetch: sizing.derived.values.list_prefetch,
      listConcurrency: sizing.derived.values.list_concurrency,
      shard: opts.shard,
      onAction: opts.onAction,
    });
    run.counters.listingDone = !run.stop.aborted;
    await copier.dispatcher.drain();
    await copier.verifier.drain();
    if (run.stop.aborted) run.interrupted = true;

    // Finish: the manifest, then the deletes, only after every copy and verification.
    await closeManifest(held, run, clients.dest, sides.dest.location, Boolean(opts.uploadManifest));
    await runDeletes(config, run, totals, sides, clients.dest);
  } catch (err) {
    run.recordError(err);
  } finally {
    await release(held, run);
  }
  return reportRun(config, opts, run, sides, costContext, pricing);
}
