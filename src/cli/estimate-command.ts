import type { S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Options } from 'yargs';
import type { LoadedConfig } from '../config/load.js';
import type { SyncConfig } from '../config/schema.js';
import { compileSelection } from '../config/selection.js';
import { probeS5cmd } from '../engines/s5cmd-locate.js';
import { chooseEngine } from '../engines/select.js';
import type { EngineName } from '../engines/types.js';
import { ExitCode } from '../exit-codes.js';
import {
  DEFAULT_ENGINE_RATES,
  estimateCapacity,
  formatEstimate,
  ratesFromReport,
  type AccessFrequency,
  type EngineRate,
  type Estimate,
  type EstimateInput,
  type GrowthMultipliers,
} from '../cost/estimate.js';
import { DEFAULT_PRICING, loadPricingFile, PricingError, type PricingTable } from '../cost/pricing.js';
import { makeS3Client } from '../storage/clients.js';
import { scrubSecrets, type SecretCredentialsProvider } from '../storage/credentials.js';
import { listPrefix } from '../storage/listing.js';
import { resolveSides } from '../storage/sides.js';
import { costGuard, projectedCost, type CostGuardResult, type ProjectedCost } from '../cost/guard.js';
import { explainS3Error } from '../validate/s3-errors.js';
import { createCliLogger, destinationCredentials, loadLayers, Refusal, refuseUnsafeLocations, type CommonArgs } from './run-command.js';
import type { CommandIo } from './validate-command.js';
import { formatBytes, formatUsd, MIB, parseByteSize } from '../units.js';

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
  'access-frequency'?: string;
  spot?: boolean;
  'job-region'?: string;
  'list-concurrency'?: string | number;
}

const ACCESS_FREQUENCIES: readonly AccessFrequency[] = ['frequent', 'infrequent', 'rare', 'unknown'];
const PROGRESS_EVERY_MS = 10_000;

/** The options `estimate` adds to the common ones (config layers, --json, --pricing-file, --max-cost-usd). */
export const ESTIMATE_OPTIONS = {
  json: { type: 'boolean', describe: 'Print the workload, rates, cost guard and estimate as JSON on stdout.' },
  'max-cost-usd': {
    type: 'number',
    requiresArg: true,
    describe: 'Say whether the estimated cost is within this many dollars, as sync --max-cost-usd would judge it (the exit code stays 0). [env S3DS_MAX_COST_USD]',
  },
  objects: {
    type: 'string',
    requiresArg: true,
    describe: 'Objects per run, instead of listing the source (with --bytes or --avg-object-bytes).',
  },
  bytes: {
    type: 'string',
    requiresArg: true,
    describe: 'Bytes per run, instead of listing the source: a number or with a unit (750GiB, 1.2TB).',
  },
  'avg-object-bytes': {
    type: 'string',
    requiresArg: true,
    describe: 'Typical object size (bytes or with a unit): with --objects it gives the bytes; with both it sizes requests and storage minimums.',
  },
  'from-report': {
    type: 'string',
    requiresArg: true,
    describe: 'A finished run\'s JSON report (--report FILE): its measured objects/s and MB/s replace the planning defaults.',
  },
  'growth-files': { type: 'string', requiresArg: true, describe: 'Growth scenario: objects per run multiplied by this (the seed\'s default 2 when another growth flag is given).' },
  'growth-size': { type: 'string', requiresArg: true, describe: 'Growth scenario: average object size multiplied by this (default 1.5).' },
  'growth-frequency': { type: 'string', requiresArg: true, describe: 'Growth scenario: runs per month multiplied by this (default 1.2).' },
  'runs-per-month': { type: 'string', requiresArg: true, describe: 'Runs per month, for monthly figures and recommendations (default 1).' },
  'deadline-hours': { type: 'string', requiresArg: true, describe: 'Finish a run within this many hours: decides the worker (shard task) count.' },
  'max-workers': { type: 'string', requiresArg: true, describe: 'At most this many parallel tasks (default 10).' },
  'access-frequency': {
    choices: ACCESS_FREQUENCIES,
    describe: 'How often the mirrored data is read, for the storage-class advice.',
  },
  spot: { type: 'boolean', describe: 'Price the tasks on Fargate Spot (default: on when S3DS_CAPACITY_PROVIDER=FARGATE_SPOT).' },
  'job-region': { type: 'string', requiresArg: true, describe: 'Region the tasks run in, or outside-aws (default: the destination\'s region).' },
  'list-concurrency': { type: 'string', requiresArg: true, describe: 'Selected prefixes listed at the same time when counting the source (default 8).' },
} as const satisfies Record<string, Options>;

export interface EstimateOptions {
  /** Given on the command line: nothing is listed. */
  workload?: { objects: number; bytes: number; avgObjectBytes?: number };
  reportFile?: string;
  growth?: GrowthMultipliers;
  runsPerMonth?: number;
  deadlineHours?: number;
  maxWorkers?: number;
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
  if (!ok) throw new Refusal(`--${flag} must be ${opts.integer ? 'a whole number' : 'a number'} ${min === 0 ? 'above 0' : `≥ ${min}`}, got '${String(raw)}'`, ExitCode.badConfig);
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

/** The estimate options from flags (and S3DS_MAX_COST_USD, S3DS_CAPACITY_PROVIDER); a bad value is a Refusal (exit 2). */
export function parseEstimateOptions(argv: EstimateArgs, environ: Record<string, string | undefined>): EstimateOptions {
  const objects = argv.objects === undefined ? undefined : positive(argv.objects, 'objects', { integer: true, min: 0 });
  const bytes = bytesOption(argv.bytes, 'bytes');
  const avg = bytesOption(argv['avg-object-bytes'], 'avg-object-bytes');
  if (avg !== undefined && !(avg > 0)) throw new Refusal(`--avg-object-bytes must be above 0, got '${String(argv['avg-object-bytes'])}'`, ExitCode.badConfig);
  let workload: EstimateOptions['workload'];
  if (objects !== undefined && bytes !== undefined) workload = { objects, bytes, ...(avg !== undefined ? { avgObjectBytes: avg } : {}) };
  else if (objects !== undefined && avg !== undefined) workload = { objects, bytes: objects * avg };
  else if (bytes !== undefined && avg !== undefined) workload = { objects: Math.ceil(bytes / avg), bytes };
  else if (objects !== undefined || bytes !== undefined || avg !== undefined) {
    throw new Refusal('give --objects with --bytes or --avg-object-bytes (or --bytes with --avg-object-bytes), or none of them to list the source', ExitCode.badConfig);
  }

  const growthGiven = argv['growth-files'] !== undefined || argv['growth-size'] !== undefined || argv['growth-frequency'] !== undefined;
  const growth: GrowthMultipliers | undefined = growthGiven
    ? {
        fileCount: positive(argv['growth-files'], 'growth-files'),
        fileSize: positive(argv['growth-size'], 'growth-size'),
        frequency: positive(argv['growth-frequency'], 'growth-frequency'),
      }
    : undefined;

  const access = argv['access-frequency'];
  if (access !== undefined && !(ACCESS_FREQUENCIES as readonly string[]).includes(access)) {
    throw new Refusal(`--access-frequency must be one of ${ACCESS_FREQUENCIES.join(', ')}, got '${access}'`, ExitCode.badConfig);
  }
  const jobRegion = argv['job-region'];
  if (jobRegion !== undefined && jobRegion !== 'outside-aws' && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(jobRegion)) {
    throw new Refusal(`--job-region must be an AWS region such as us-east-1, or outside-aws, got '${jobRegion}'`, ExitCode.badConfig);
  }
  const rawMax = argv['max-cost-usd'] ?? (environ.S3DS_MAX_COST_USD?.trim() ? environ.S3DS_MAX_COST_USD : undefined);
  const maxCostUsd = rawMax === undefined ? undefined : positive(rawMax, 'max-cost-usd');

  return {
    workload,
    reportFile: argv['from-report'],
    growth,
    runsPerMonth: positive(argv['runs-per-month'], 'runs-per-month'),
    deadlineHours: positive(argv['deadline-hours'], 'deadline-hours'),
    maxWorkers: positive(argv['max-workers'], 'max-workers', { integer: true, min: 1 }),
    accessFrequency: access as AccessFrequency | undefined,
    spot: argv.spot ?? environ.S3DS_CAPACITY_PROVIDER === 'FARGATE_SPOT',
    jobRegion,
    listConcurrency: positive(argv['list-concurrency'], 'list-concurrency', { integer: true, min: 1 }) ?? 8,
    maxCostUsd,
  };
}

/** Measured per-engine rates from a run report file; a file that is not a report is a Refusal (exit 2). */
export async function ratesFromReportFile(path: string): Promise<Partial<Record<EngineName, EngineRate>>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Refusal(`--from-report ${path}: ${(err as Error).message}`, ExitCode.badConfig);
  }
  const r = doc as { duration_seconds?: unknown; engine?: unknown; engines?: unknown };
  const engines = r?.engines;
  const enginesOk =
    typeof engines === 'object' &&
    engines !== null &&
    Object.values(engines).every((e: unknown) => typeof (e as { objects?: unknown })?.objects === 'number' && typeof (e as { bytes?: unknown })?.bytes === 'number');
  if (typeof r?.duration_seconds !== 'number' || typeof r.engine !== 'string' || !enginesOk) {
    throw new Refusal(`--from-report ${path}: not a run report (needs duration_seconds, engine and engines {name: {objects, bytes}}; write one with sync --report FILE)`, ExitCode.badConfig);
  }
  return ratesFromReport({ duration_seconds: r.duration_seconds, engine: r.engine, engines: engines as Record<string, { objects: number; bytes: number }> });
}

export interface FittedRates {
  /** What the estimate uses, laid over the planning defaults. */
  applied: Partial<Record<EngineName, EngineRate>>;
  notes: string[];
}

function significant(x: number): number {
  return Number(x.toPrecision(4));
}

/**
 * Measured rates made fit for a workload. A run that copied small objects was held back by its
 * object rate; the MB/s it shows is that rate times its small average size, not a bandwidth limit.
 * So a measured MB/s is kept only for workloads whose average object is at most twice the measured
 * run's; beyond that the planning default bounds bytes, and a note says why. Rates keep four
 * significant digits (a measurement is not more precise than that).
 */
export function fitRates(measured: Partial<Record<EngineName, EngineRate>>, workloadAvgBytes: number): FittedRates {
  const applied: Partial<Record<EngineName, EngineRate>> = {};
  const notes: string[] = [];
  for (const [engine, r] of Object.entries(measured) as Array<[EngineName, EngineRate]>) {
    const out: EngineRate = {};
    if (r.objectsPerSecond !== undefined) out.objectsPerSecond = significant(r.objectsPerSecond);
    if (r.mbPerSecond !== undefined) {
      const measuredAvg = r.objectsPerSecond ? (r.mbPerSecond * MIB) / r.objectsPerSecond : undefined;
      if (measuredAvg !== undefined && workloadAvgBytes > 2 * measuredAvg) {
        notes.push(
          `${engine}: the measured run's objects averaged ${formatBytes(Math.round(measuredAvg))}, this workload's ${formatBytes(Math.round(workloadAvgBytes))}: its ${significant(r.mbPerSecond)} MB/s was set by the object rate, not bandwidth, so the planning ${DEFAULT_ENGINE_RATES[engine].mbPerSecond ?? 0} MB/s bounds bytes`,
        );
      } else {
        out.mbPerSecond = significant(r.mbPerSecond);
      }
    }
    applied[engine] = out;
  }
  return { applied, notes };
}

export interface SelectionTally {
  objects: number;
  bytes: number;
  zips: number;
  checksums: number;
  largestBytes: number;
  prefixes: number;
}

/** A listing that failed, with the prefix it was listing. */
export class TallyError extends Error {
  constructor(
    readonly prefix: string,
    readonly error: unknown,
  ) {
    super(`listing ${prefix} failed: ${error instanceof Error ? error.message : String(error)}`);
    this.name = 'TallyError';
  }
}

/**
 * Counts the selected objects and their bytes under `prefixes`, `concurrency` prefixes at a time,
 * page by page: memory stays flat whatever the size of the listing.
 */
export async function tallySelection(
  client: S3Client,
  bucket: string,
  prefixes: readonly string[],
  matches: (key: string) => boolean,
  opts: { concurrency: number; onProgress?: (t: SelectionTally) => void; progressEveryMs?: number },
): Promise<SelectionTally> {
  const t: SelectionTally = { objects: 0, bytes: 0, zips: 0, checksums: 0, largestBytes: 0, prefixes: prefixes.length };
  const stop = new AbortController();
  let next = 0;
  let failure: TallyError | undefined;
  const worker = async () => {
    while (next < prefixes.length && !stop.signal.aborted) {
      const prefix = prefixes[next++]!;
      try {
        for await (const o of listPrefix(client, bucket, prefix, { root: '', signal: stop.signal })) {
          if (!matches(o.key)) continue;
          t.objects++;
          t.bytes += o.size;
          if (o.size > t.largestBytes) t.largestBytes = o.size;
          if (o.key.endsWith('.CHECKSUM')) t.checksums++;
          else if (o.key.endsWith('.zip')) t.zips++;
        }
      } catch (err) {
        failure ??= new TallyError(prefix, err);
        stop.abort();
      }
    }
  };
  const timer = opts.onProgress ? setInterval(() => opts.onProgress!({ ...t }), opts.progressEveryMs ?? PROGRESS_EVERY_MS) : undefined;
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, prefixes.length)) }, worker));
  } finally {
    if (timer) clearInterval(timer);
  }
  if (failure) throw failure;
  return t;
}

/** The engines a run with this configuration may use (undefined: let the estimate consider all). */
export function enginesFor(config: SyncConfig): EngineName[] | undefined {
  if (config.engine) return [config.engine];
  if (!config.enable_s3_direct_sync || config.operation_mode === 'traditional') return ['stream'];
  if (config.operation_mode === 'direct_sync') return ['s5cmd', 'sdk'];
  return undefined;
}

export interface EstimateDocument {
  workload: {
    from: 'listing' | 'flags';
    source: string;
    selection: string;
    objects: number;
    bytes: number;
    zips?: number;
    checksums?: number;
    largest_bytes?: number;
    prefixes?: number;
    listing_seconds?: number;
  };
  rates: { from: string; measured: Partial<Record<EngineName, EngineRate>>; applied: Partial<Record<EngineName, EngineRate>>; notes: string[] };
  /** The engine sync would choose with this configuration on this machine, or why it would refuse. */
  job_engine: { engine: EngineName; reason: string } | { refused: string };
  cost_guard?: CostGuardResult & ProjectedCost & { max_usd: number };
  estimate: Estimate;
}

function describeRates(doc: EstimateDocument['rates']): string {
  const measured = Object.entries(doc.measured).map(
    ([engine, r]) => `${engine} ${significant(r.objectsPerSecond ?? 0)} objects/s, ${significant(r.mbPerSecond ?? 0)} MB/s`,
  );
  const head = measured.length > 0 ? `measured by ${doc.from}: ${measured.join('; ')}` : doc.from;
  return [head, ...doc.notes.map((n) => `  note: ${n}`)].join('\n');
}

export function formatEstimateDocument(d: EstimateDocument): string {
  const w = d.workload;
  const n = (x: number) => x.toLocaleString('en-US');
  const how =
    w.from === 'listing'
      ? `listed under ${w.source} in ${n(w.prefixes ?? 0)} ${w.prefixes === 1 ? 'prefix' : 'prefixes'}, ${(w.listing_seconds ?? 0).toFixed(1)} s: ${n(w.zips ?? 0)} zips, ${n(w.checksums ?? 0)} .CHECKSUM files, largest ${formatBytes(w.largest_bytes ?? 0)}`
      : 'from --objects/--bytes, nothing listed';
  const engine = 'engine' in d.job_engine ? `${d.job_engine.engine} (${d.job_engine.reason})` : `none: sync would refuse (${d.job_engine.refused})`;
  const lines = [`Workload: ${n(w.objects)} objects, ${formatBytes(w.bytes)} (${how})`, `Selection: ${w.selection}`, `Rates: ${describeRates(d.rates)}`, `Engine sync would choose here: ${engine}`];
  if (d.cost_guard) {
    lines.push(`Cost guard (${d.cost_guard.engine}, ${formatUsd(d.cost_guard.usd)} against --max-cost-usd ${formatUsd(d.cost_guard.max_usd)}): ${d.cost_guard.ok ? 'within' : 'OVER'} — ${d.cost_guard.message ?? ''}`);
  }
  lines.push(formatEstimate(d.estimate));
  return lines.join('\n');
}

/**
 * `estimate`: capacity, duration and cost of mirroring the configured selection, from a listing of
 * the source (or --objects/--bytes), measured or default rates and the pricing table. Exit 0; 2 for
 * a bad option, configuration, pricing file or report; 4 when the source cannot be listed.
 */
export async function estimateCommand(argv: EstimateArgs, io: CommandIo = { env: process.env, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const environ = io.env;
  const logger = createCliLogger(argv, environ);
  let loaded: LoadedConfig;
  let destCredentials: SecretCredentialsProvider | undefined;
  let options: EstimateOptions;
  let pricing: PricingTable = DEFAULT_PRICING;
  let rates: Partial<Record<EngineName, EngineRate>> = {};
  try {
    options = parseEstimateOptions(argv, environ);
    loaded = await loadLayers(argv, environ);
    destCredentials = await destinationCredentials(argv, environ, loaded);
    refuseUnsafeLocations(loaded, destCredentials);
    const pricingFile = argv['pricing-file'] ?? environ.S3DS_PRICING_FILE;
    if (pricingFile) {
      pricing = await loadPricingFile(pricingFile).catch((err: unknown) => {
        throw new Refusal(err instanceof PricingError ? err.message : `--pricing-file ${pricingFile}: ${(err as Error).message}`, ExitCode.badConfig);
      });
    }
    if (options.reportFile) rates = await ratesFromReportFile(options.reportFile);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    io.stderr.write(`s3-direct-sync: ${scrubSecrets(err.message)}\n`);
    return err.exitCode;
  }
  for (const w of loaded.warnings) logger.warn(w);

  const config = loaded.config;
  const sides = resolveSides(config, loaded.explicit, destCredentials);
  const selection = compileSelection(config);
  const source = `s3://${sides.source.location.bucket}/${sides.source.location.prefix}`;
  let workload: EstimateDocument['workload'];
  if (options.workload) {
    workload = { from: 'flags', source, selection: selection.describe(), objects: options.workload.objects, bytes: options.workload.bytes };
  } else {
    const client = makeS3Client({ ...sides.source.client, maxSockets: Math.max(8, options.listConcurrency * 2), retries: { policy: { retryCount: config.performance_optimization.retry_count } } });
    const t0 = performance.now();
    try {
      const t = await tallySelection(client, sides.source.location.bucket, selection.prefixes, selection.matches, {
        concurrency: options.listConcurrency,
        onProgress: (p) => logger.info('listing the source', { objects: p.objects, bytes: p.bytes }),
      });
      workload = {
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
      io.stderr.write(scrubSecrets(`s3-direct-sync: estimate: cannot list the source: ${why.detail}${why.hint ? `\n  hint: ${why.hint}` : ''}\n`));
      return ExitCode.preflight;
    } finally {
      client.destroy();
    }
  }

  const po = config.performance_optimization;
  const fitted = fitRates(rates, workload.objects > 0 ? (options.workload?.avgObjectBytes ?? workload.bytes / workload.objects) : 0);
  const choice = chooseEngine({
    mode: config.enable_s3_direct_sync ? config.operation_mode : 'traditional',
    forced: config.engine,
    s5cmd: await probeS5cmd(environ),
    serverSide: sides.serverSide,
    verify: config.verify_checksums,
  });
  const input: EstimateInput = {
    objectCount: workload.objects,
    totalBytes: workload.bytes,
    ...(options.workload?.avgObjectBytes !== undefined ? { avgObjectBytes: options.workload.avgObjectBytes } : {}),
    rates: fitted.applied,
    engines: enginesFor(config),
    serverSidePossible: sides.serverSide.possible,
    sourceRegion: sides.source.client.region,
    destRegion: sides.dest.client.region,
    jobRegion: options.jobRegion,
    // The default source is a public archive that is not Requester Pays: its requests are billed to its owner.
    sourceBucketOwnerPays: config.source_no_sign_request || config.source_bucket === 'data.binance.vision',
    storageClass: po.storage_class,
    concurrency: po.max_concurrent,
    partSizeBytes: po.part_size_mb * MIB,
    multipartThresholdBytes: po.enable_multipart_threshold_mb * MIB,
    // Verification reads one .CHECKSUM per zip; none when not verifying or when the listing found none.
    checksumPairs: config.verify_checksums && (workload.checksums === undefined || workload.checksums > 0),
    spot: options.spot,
    deadlineHours: options.deadlineHours,
    maxWorkers: options.maxWorkers,
    runsPerMonth: options.runsPerMonth,
    accessFrequency: options.accessFrequency,
    growth: options.growth ? [options.growth] : undefined,
  };
  const estimate = estimateCapacity(input, pricing);
  const doc: EstimateDocument = {
    workload,
    rates: {
      from: options.reportFile
        ? Object.keys(rates).length > 0
          ? `report ${options.reportFile}`
          : `report ${options.reportFile} gave no measured rate (no engine did 90% of its work, or no duration); the planning defaults apply`
        : 'the seed\'s planning defaults (bandwidth only); pass --from-report with a finished run\'s report for measured rates',
      measured: rates,
      applied: fitted.applied,
      notes: fitted.notes,
    },
    job_engine: choice.ok ? { engine: choice.engine, reason: choice.reason } : { refused: choice.message },
    estimate,
  };
  if (options.maxCostUsd !== undefined) {
    // The engine the run would use; the recommended one when it would refuse to start.
    const projected = projectedCost(estimate, choice.ok ? choice.engine : undefined);
    doc.cost_guard = { ...projected, ...costGuard(projected.usd, options.maxCostUsd), max_usd: options.maxCostUsd };
  }
  io.stdout.write(scrubSecrets(argv.json ? JSON.stringify(doc, null, 2) + '\n' : formatEstimateDocument(doc) + '\n'));
  return ExitCode.ok;
}
