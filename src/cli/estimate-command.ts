import type { S3Client } from '@aws-sdk/client-s3';
import { performance } from 'node:perf_hooks';
import type { LoadedConfig } from '../config/load.js';
import type { SyncConfig } from '../config/schema.js';
import { compileSelection, type CompiledSelection } from '../config/selection.js';
import { enginesFor, estimateCapacity } from '../cost/estimate.js';
import { formatEstimateDocument, ratesSource, type EstimateDocument } from '../cost/estimate-document.js';
import type { AccessFrequency, EstimateInput, GrowthMultipliers } from '../cost/estimate-types.js';
import { costGuard, projectedCost } from '../cost/guard.js';
import type { PricingTable } from '../cost/pricing.js';
import { fitRates, ratesFromReportFile, RatesFileError, type EngineRate, type FittedRates } from '../cost/rates.js';
import { sourceOwnerPays } from '../cost/run-context.js';
import { tallySelection, TallyError } from '../cost/tally.js';
import { FARGATE_TASK_SIZES } from '../cost/task-size.js';
import { probeS5cmd } from '../engines/s5cmd-locate.js';
import { chooseEngine, effectiveMode, type EngineChoice } from '../engines/select.js';
import type { EngineName } from '../engines/types.js';
import { ExitCode } from '../exit-codes.js';
import type { Logger } from '../observe/logger.js';
import { makeS3Client } from '../storage/clients.js';
import { scrubSecrets } from '../storage/secret-registry.js';
import type { Sides } from '../storage/sides.js';
import { MIB, parseByteSize } from '../units.js';
import { explainS3Error } from '../validate/s3-errors.js';
import { createCliLogger, processIo, Refusal, withRefusals, type CommandIo, type CommonArgs } from './command-io.js';
import { ACCESS_FREQUENCIES } from './estimate-options.js';
import { destinationCredentials, loadLayers, pricingOption, refuseUnsafeLocations } from './command-inputs.js';

export interface EstimateArgs extends CommonArgs {
  objects?: string | number;
  bytes?: string | number;
  'avg-object-bytes'?: string | number;
  'from-report'?: string;
  'growth-files'?: string | number;
  'growth-size'?: string | number;
  'growth-frequency'?: string | number;
  'runs-per-month'?: string | number;
  'deadline-hours'?: string | number;
  'max-workers'?: string | number;
  workers?: string | number;
  'task-vcpu'?: string | number;
  'access-frequency'?: string;
  spot?: boolean;
  'job-region'?: string;
  'list-concurrency'?: string | number;
}

export interface EstimateOptions {
  /** Given on the command line: nothing is listed. */
  workload?: { objects: number; bytes: number; avgObjectBytes?: number };
  reportFile?: string;
  growth?: GrowthMultipliers;
  runsPerMonth?: number;
  deadlineHours?: number;
  maxWorkers?: number;
  workers?: number;
  taskVcpu?: number;
  accessFrequency?: AccessFrequency;
  spot: boolean;
  jobRegion?: string;
  listConcurrency: number;
  maxCostUsd?: number;
}

function positive(raw: string | number | undefined, flag: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'number' ? raw : /^\s*[+]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : Number.NaN;
  const min = opts.min ?? 0;
  const ok = Number.isFinite(n) && (min === 0 ? n > 0 : n >= min) && (!opts.integer || Number.isInteger(n));
  if (!ok)
    throw new Refusal(
      `--${flag} must be ${opts.integer ? 'a whole number' : 'a number'} ${min === 0 ? 'above 0' : `≥ ${min}`}, got '${String(raw)}'`,
      ExitCode.badConfig,
    );
  return n;
}

function bytesOption(raw: string | number | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseByteSize(raw);
  } catch (err) {
    throw new Refusal(`--${flag}: ${(err as Error).message}`, ExitCode.badConfig);
  }
}

/** --task-vcpu: one of Fargate's vCPU sizes. */
function taskVcpuOption(raw: string | number | undefined): number | undefined {
  const vcpu = positive(raw, 'task-vcpu');
  if (vcpu !== undefined && !FARGATE_TASK_SIZES.some((s) => s.vcpu === vcpu)) {
    const sizes = [...new Set(FARGATE_TASK_SIZES.map((s) => s.vcpu))].join(', ');
    throw new Refusal(`--task-vcpu must be one of Fargate's sizes (${sizes}), got '${String(raw)}'`, ExitCode.badConfig);
  }
  return vcpu;
}

/** The workload given as --objects with --bytes or --avg-object-bytes (or --bytes with --avg-object-bytes); undefined: list the source. */
function workloadOption(argv: EstimateArgs): EstimateOptions['workload'] {
  const objects = argv.objects === undefined ? undefined : positive(argv.objects, 'objects', { integer: true, min: 0 });
  const bytes = bytesOption(argv.bytes, 'bytes');
  const avg = bytesOption(argv['avg-object-bytes'], 'avg-object-bytes');
  if (avg !== undefined && !(avg > 0)) throw new Refusal(`--avg-object-bytes must be above 0, got '${String(argv['avg-object-bytes'])}'`, ExitCode.badConfig);
  if (objects !== undefined && bytes !== undefined) return { objects, bytes, ...(avg !== undefined ? { avgObjectBytes: avg } : {}) };
  if (objects !== undefined && avg !== undefined) return { objects, bytes: objects * avg };
  if (bytes !== undefined && avg !== undefined) return { objects: Math.ceil(bytes / avg), bytes };
  if (objects !== undefined || bytes !== undefined || avg !== undefined) {
    throw new Refusal(
      'give --objects with --bytes or --avg-object-bytes (or --bytes with --avg-object-bytes), or none of them to list the source',
      ExitCode.badConfig,
    );
  }
  return undefined;
}

function growthOption(argv: EstimateArgs): GrowthMultipliers | undefined {
  const growthGiven = argv['growth-files'] !== undefined || argv['growth-size'] !== undefined || argv['growth-frequency'] !== undefined;
  return growthGiven
    ? {
        fileCount: positive(argv['growth-files'], 'growth-files'),
        fileSize: positive(argv['growth-size'], 'growth-size'),
        frequency: positive(argv['growth-frequency'], 'growth-frequency'),
      }
    : undefined;
}

function accessFrequencyOption(argv: EstimateArgs): AccessFrequency | undefined {
  const access = argv['access-frequency'];
  if (access !== undefined && !(ACCESS_FREQUENCIES as readonly string[]).includes(access)) {
    throw new Refusal(`--access-frequency must be one of ${ACCESS_FREQUENCIES.join(', ')}, got '${access}'`, ExitCode.badConfig);
  }
  return access as AccessFrequency | undefined;
}

function jobRegionOption(argv: EstimateArgs): string | undefined {
  const jobRegion = argv['job-region'];
  if (jobRegion !== undefined && jobRegion !== 'outside-aws' && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(jobRegion)) {
    throw new Refusal(`--job-region must be an AWS region such as us-east-1, or outside-aws, got '${jobRegion}'`, ExitCode.badConfig);
  }
  return jobRegion;
}

/** The estimate options from flags (and S3DS_MAX_COST_USD, S3DS_CAPACITY_PROVIDER); a bad value is a Refusal (exit 2). */
export function parseEstimateOptions(argv: EstimateArgs, environ: Record<string, string | undefined>): EstimateOptions {
  const workload = workloadOption(argv);
  const growth = growthOption(argv);
  const accessFrequency = accessFrequencyOption(argv);
  const jobRegion = jobRegionOption(argv);
  const rawMax = argv['max-cost-usd'] ?? (environ.S3DS_MAX_COST_USD?.trim() ? environ.S3DS_MAX_COST_USD : undefined);
  const maxCostUsd = rawMax === undefined ? undefined : positive(rawMax, 'max-cost-usd');

  return {
    workload,
    reportFile: argv['from-report'],
    growth,
    runsPerMonth: positive(argv['runs-per-month'], 'runs-per-month'),
    deadlineHours: positive(argv['deadline-hours'], 'deadline-hours'),
    maxWorkers: positive(argv['max-workers'], 'max-workers', { integer: true, min: 1 }),
    workers: positive(argv.workers, 'workers', { integer: true, min: 1 }),
    taskVcpu: taskVcpuOption(argv['task-vcpu']),
    accessFrequency,
    spot: argv.spot ?? environ.S3DS_CAPACITY_PROVIDER === 'FARGATE_SPOT',
    jobRegion,
    listConcurrency: positive(argv['list-concurrency'], 'list-concurrency', { integer: true, min: 1 }) ?? 8,
    maxCostUsd,
  };
}

/** Everything read before any request: options, configuration layers, credentials, prices and measured rates. */
interface Prepared {
  options: EstimateOptions;
  loaded: LoadedConfig;
  sides: Sides;
  pricing: PricingTable;
  rates: Partial<Record<EngineName, EngineRate>>;
}

/** Throws a Refusal (exit 2) for a bad option, configuration, pricing file or report. */
async function prepare(argv: EstimateArgs, environ: Record<string, string | undefined>): Promise<Prepared> {
  const options = parseEstimateOptions(argv, environ);
  const loaded = await loadLayers(argv, environ);
  const destCredentials = await destinationCredentials(argv, environ, loaded);
  const sides = refuseUnsafeLocations(loaded, destCredentials);
  const pricing = await pricingOption(argv, environ);
  let rates: Partial<Record<EngineName, EngineRate>> = {};
  if (options.reportFile) {
    rates = await ratesFromReportFile(options.reportFile).catch((err: unknown) => {
      throw err instanceof RatesFileError ? new Refusal(err.message, ExitCode.badConfig) : err;
    });
  }
  return { options, loaded, sides, pricing, rates };
}

/** The workload from the flags, or counted from a listing of the source; a failed listing is written to stderr and gives exit 4. */
async function measureWorkload(
  sides: Sides,
  selection: CompiledSelection,
  config: SyncConfig,
  options: EstimateOptions,
  ctx: { logger: Logger; io: CommandIo },
): Promise<EstimateDocument['workload'] | number> {
  const source = `s3://${sides.source.location.bucket}/${sides.source.location.prefix}`;
  if (options.workload) {
    return { from: 'flags', source, selection: selection.describe(), objects: options.workload.objects, bytes: options.workload.bytes };
  }
  const client: S3Client = makeS3Client({
    ...sides.source.client,
    maxSockets: Math.max(8, options.listConcurrency * 2),
    retries: { policy: { retryCount: config.performance_optimization.retry_count } },
  });
  const t0 = performance.now();
  try {
    const root = sides.source.location.prefix;
    const scope = { root, prefixes: selection.prefixes.map((p) => p.slice(root.length)), step: (rel: string) => selection.folderStep(rel) };
    const t = await tallySelection(client, sides.source.location.bucket, scope, selection.matches, {
      concurrency: options.listConcurrency,
      onProgress: (p) => ctx.logger.info('listing the source', { objects: p.objects, bytes: p.bytes }),
    });
    return {
      from: 'listing',
      source,
      selection: selection.describe(),
      objects: t.objects,
      bytes: t.bytes,
      zips: t.zips,
      checksums: t.checksums,
      largest_bytes: t.largestBytes,
      prefixes: t.prefixes,
      listing_seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
  } catch (err) {
    if (!(err instanceof TallyError)) throw err;
    const why = explainS3Error(err.error, {
      side: 'source',
      action: 's3:ListBucket',
      bucket: sides.source.location.bucket,
      key: err.prefix,
      endpoint: sides.source.client.endpoint,
      region: sides.source.client.region,
      anonymous: Boolean(sides.source.client.anonymous),
    });
    ctx.io.stderr.write(scrubSecrets(`s3-direct-sync: estimate: cannot list the source: ${why.detail}${why.hint ? `\n  hint: ${why.hint}` : ''}\n`));
    return ExitCode.preflight;
  } finally {
    client.destroy();
  }
}

function estimateInputFor(
  config: SyncConfig,
  sides: Sides,
  workload: EstimateDocument['workload'],
  options: EstimateOptions,
  fitted: FittedRates,
): EstimateInput {
  const po = config.performance_optimization;
  return {
    objectCount: workload.objects,
    totalBytes: workload.bytes,
    ...(options.workload?.avgObjectBytes !== undefined ? { avgObjectBytes: options.workload.avgObjectBytes } : {}),
    rates: fitted.applied,
    engines: enginesFor(config),
    serverSidePossible: sides.serverSide.possible,
    sourceRegion: sides.source.client.region,
    destRegion: sides.dest.client.region,
    jobRegion: options.jobRegion,
    sourceBucketOwnerPays: sourceOwnerPays(config),
    storageClass: po.storage_class,
    concurrency: po.max_concurrent,
    partSizeBytes: po.part_size_mb * MIB,
    multipartThresholdBytes: po.enable_multipart_threshold_mb * MIB,
    // Verification reads one .CHECKSUM per zip; none when not verifying or when the listing found none.
    checksumPairs: config.verify_checksums && (workload.checksums === undefined || workload.checksums > 0),
    spot: options.spot,
    deadlineHours: options.deadlineHours,
    maxWorkers: options.maxWorkers,
    workers: options.workers,
    taskSizes: options.taskVcpu === undefined ? undefined : FARGATE_TASK_SIZES.filter((s) => s.vcpu === options.taskVcpu),
    runsPerMonth: options.runsPerMonth,
    accessFrequency: options.accessFrequency,
    growth: options.growth ? [options.growth] : undefined,
  };
}

/** The cost guard as sync --max-cost-usd would judge it: for the engine the run would use, the recommended one when it would refuse. */
function costGuardFor(doc: EstimateDocument, choice: EngineChoice, maxCostUsd: number): NonNullable<EstimateDocument['cost_guard']> {
  const projected = projectedCost(doc.estimate, choice.ok ? choice.engine : undefined);
  return { ...projected, ...costGuard(projected.usd, maxCostUsd), max_usd: maxCostUsd };
}

/**
 * `estimate`: capacity, duration and cost of mirroring the configured selection, from a listing of
 * the source (or --objects/--bytes), measured or default rates and the pricing table. Exit 0; 2 for
 * a bad option, configuration, pricing file or report; 4 when the source cannot be listed.
 */
export async function estimateCommand(argv: EstimateArgs, io: CommandIo = processIo()): Promise<number> {
  return withRefusals(io, () => estimate(argv, io));
}

async function estimate(argv: EstimateArgs, io: CommandIo): Promise<number> {
  const environ = io.env;
  const logger = createCliLogger(argv, environ);
  const prepared = await prepare(argv, environ);
  const { options, loaded, sides, pricing, rates } = prepared;
  for (const w of loaded.warnings) logger.warn(w);

  const config = loaded.config;
  const workload = await measureWorkload(sides, compileSelection(config), config, options, { logger, io });
  if (typeof workload === 'number') return workload;

  const fitted = fitRates(rates, workload.objects > 0 ? (options.workload?.avgObjectBytes ?? workload.bytes / workload.objects) : 0);
  const choice = chooseEngine({
    mode: effectiveMode(config),
    forced: config.engine,
    s5cmd: await probeS5cmd(environ),
    serverSide: sides.serverSide,
    verify: config.verify_checksums,
  });
  const doc: EstimateDocument = {
    workload,
    rates: { from: ratesSource(options.reportFile, rates), measured: rates, applied: fitted.applied, notes: fitted.notes },
    job_engine: choice.ok ? { engine: choice.engine, reason: choice.reason } : { refused: choice.message },
    estimate: estimateCapacity(estimateInputFor(config, sides, workload, options, fitted), pricing),
  };
  if (options.maxCostUsd !== undefined) doc.cost_guard = costGuardFor(doc, choice, options.maxCostUsd);
  io.stdout.write(scrubSecrets(argv.json ? JSON.stringify(doc, null, 2) + '\n' : formatEstimateDocument(doc) + '\n'));
  return ExitCode.ok;
}
