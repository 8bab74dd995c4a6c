/**
 * Setting a run up, one named step each: what it covers (selection, refusals), the one preflight,
 * the machine's resources, the engine, and the sizing with every number derived from it.
 */
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { existsSync } from 'node:fs';
import { settingSource, type LayerName } from '../config/load.js';
import type { SyncConfig } from '../config/schema.js';
import { compileSelection, type CompiledSelection } from '../config/selection.js';
import { probeS5cmd, s5cmdCandidates, type S5cmdProbe } from '../engines/s5cmd-locate.js';
import { chooseEngine, effectiveMode } from '../engines/select.js';
import type { EngineName } from '../engines/types.js';
import { PreflightError, UsageError } from '../exit-codes.js';
import type { ShardSpec } from '../plan/shard.js';
import { sidesRefusal } from '../storage/overlap.js';
import type { Sides } from '../storage/sides.js';
import { s3Url } from '../storage/types.js';
import { probeResources, type Resources } from '../system/probe.js';
import { explicitPerformance, formatExplain, SIZED_SETTINGS, sizePool, type Sizing, type SizingInput } from '../system/sizing.js';
import { preflightChecks, preflightFailure } from '../validate/checks.js';
import type { RunClients } from './clients.js';
import type { RunState } from './run-state.js';

export interface RunScope {
  selection: CompiledSelection;
  /** The selection's listing prefixes, relative to the source prefix. */
  relPrefixes: string[];
}

/** What the run covers (the selection compiled once), logged; overlapping or bucket-root locations refused (exit 2). */
export function runScope(
  config: SyncConfig,
  sides: Sides,
  run: RunState,
  o: { command: 'sync' | 'plan'; dryRun: boolean; selection?: CompiledSelection; shard?: ShardSpec },
): RunScope {
  const selection = o.selection ?? compileSelection(config);
  const relPrefixes = selection.prefixes.map((p) => p.slice(sides.source.location.prefix.length));
  const where = { source: s3Url(sides.source.location), destination: s3Url(sides.dest.location) };
  run.log.info('starting', { command: o.command, dry_run: o.dryRun, ...where, selection: selection.describe(), shard: o.shard });
  const unsafe = sidesRefusal(sides, config);
  if (unsafe) throw new UsageError(unsafe.message);
  return { selection, relPrefixes };
}

/**
 * The read half of the one preflight (validate's checks, with the run's clients): the source can be
 * listed and the destination exists, else exit 4 naming bucket and endpoint. `sync` runs the full
 * preflight (with the write probe) before the job and tells it so (JobOptions.preflighted).
 */
export async function preflight(
  config: SyncConfig,
  sides: Sides,
  scope: RunScope,
  clients: RunClients,
  o: { explicit?: ReadonlySet<string>; env: Record<string, string | undefined>; destCredentials?: AwsCredentialIdentityProvider },
): Promise<void> {
  const results = await preflightChecks({
    config,
    explicit: o.explicit ?? new Set(),
    env: o.env,
    destCredentials: o.destCredentials,
    sides,
    selection: scope.selection,
    clients: { source: clients.source, dest: clients.dest },
    needWrite: false,
    // The engine step probes s5cmd itself.
    checkS5cmd: false,
  });
  const failure = preflightFailure(results);
  if (failure) throw new PreflightError(failure);
}

/** This machine's CPUs and memory (cgroup, ECS task metadata), or the ones given (tests). */
export async function runResources(given: Resources | undefined, run: RunState): Promise<Resources> {
  const resources = given ?? (await probeResources());
  run.log.info('resources', { cpus: resources.cpus, memory_bytes: resources.memoryBytes, sources: resources.sources, notes: resources.notes });
  return resources;
}

export interface EngineStep {
  engine: EngineName;
  mode: 'auto' | 'direct_sync' | 'traditional';
  s5: S5cmdProbe;
}

/**
 * s5cmd as this run may use it, spawning `s5cmd version` only when it may copy with it: not for a
 * forced sdk or stream engine, nor when nothing can be copied server-side; a plan (or --dry-run),
 * which copies nothing, only looks for the binary.
 */
async function s5cmdForRun(
  config: SyncConfig,
  sides: Sides,
  env: Record<string, string | undefined>,
  writes: boolean,
): Promise<S5cmdProbe & { notNeeded?: true }> {
  const mayCopy = config.engine === 's5cmd' || (config.engine === undefined && effectiveMode(config) !== 'traditional' && sides.serverSide.possible);
  if (!mayCopy) return { available: false, notNeeded: true, reason: 'not needed: this run copies without s5cmd' };
  if (writes) return probeS5cmd(env);
  const path = s5cmdCandidates(env).find((p) => existsSync(p));
  if (!path) return { available: false, reason: `s5cmd not found (looked in ${env.S3DS_S5CMD_PATH ? '$S3DS_S5CMD_PATH' : 'PATH and the tool cache'})` };
  return { available: true, path, reason: `s5cmd at ${path} (its version is checked when a sync runs)` };
}

/** The run's engine and why (recorded on the run for the report); a forced engine that cannot run is exit 2 or 4. */
export async function runEngine(config: SyncConfig, sides: Sides, env: Record<string, string | undefined>, run: RunState): Promise<EngineStep> {
  const s5 = await s5cmdForRun(config, sides, env, run.writes);
  if (config.engine === 's5cmd' && !s5.available) throw new PreflightError(`--engine s5cmd: ${s5.reason}`);
  if (!s5.available && s5.path) run.log.warn('s5cmd not used', { reason: s5.reason });
  const mode = effectiveMode(config);
  const choice = chooseEngine({ mode, forced: config.engine, s5cmd: s5, serverSide: sides.serverSide, verify: config.verify_checksums });
  if (!choice.ok) throw new UsageError(choice.message);
  run.engine = choice.engine;
  run.engineReason = choice.reason;
  if (!s5.available && !s5.notNeeded && !config.verify_checksums && choice.engine === 'sdk') run.degrade('s5cmd', 'sdk', s5.reason);
  run.log.info('engine chosen', { engine: choice.engine, reason: choice.reason });
  return { engine: choice.engine, mode, s5 };
}

/** Where each sized setting the configuration set came from (the loader's layer per leaf). */
function explicitSources(origin: Readonly<Record<string, LayerName>>): SizingInput['explicitFrom'] {
  const out: NonNullable<SizingInput['explicitFrom']> = {};
  for (const k of SIZED_SETTINGS) {
    const path = `performance_optimization.${k}`;
    const layer = origin[path];
    if (layer !== undefined && layer !== 'default') out[k] = settingSource(path, layer);
  }
  return out;
}

/** The pool's size and every number derived from it; explicit settings win over computed ones. */
export function runSizing(
  config: SyncConfig,
  sides: Sides,
  resources: Resources,
  engine: EngineName,
  run: RunState,
  o: { explicit?: ReadonlySet<string>; origin?: Readonly<Record<string, LayerName>>; onExplain?: (text: string) => void },
): Sizing {
  const po = config.performance_optimization;
  const sizing = sizePool({
    resources,
    engine,
    sameRegion: sides.serverSide.possible && sides.source.client.region === sides.dest.client.region,
    explicit: explicitPerformance(po, o.explicit ?? new Set()),
    explicitFrom: explicitSources(o.origin ?? {}),
    multipartThresholdMb: po.enable_multipart_threshold_mb,
  });
  const sized = sizing.values;
  const machine = { cpus: resources.cpus, memory_bytes: resources.memoryBytes, cpus_from: resources.sources.cpus, memory_from: resources.sources.memoryBytes };
  run.settings = { ...sized, ...machine };
  o.onExplain?.(formatExplain([...sizing.explain, ...sizing.derived.explain]));
  run.log.info('sized', { ...sized });
  return sizing;
}
