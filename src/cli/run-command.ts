import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { compileSelection, type CompiledSelection } from '../config/selection.js';
import { ExitCode } from '../exit-codes.js';
import { runJob } from '../job.js';
import { resolveLogLevel } from '../observe/log-level.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { DEFAULT_PRICING, loadPricingFile, PricingError, type PricingTable } from '../observe/pricing.js';
import { emitRunMetrics } from '../observe/publish.js';
import { outputPathProblem, writeFileAtomically } from '../observe/output-file.js';
import { redact } from '../observe/redact.js';
import { formatReport, type RunReport } from '../observe/report.js';
import type { Action } from '../plan/diff.js';
import { parseShard, type ShardSpec } from '../plan/shard.js';
import { DEFAULT_SDK_RETRY_COUNT, sdkRetryConfig } from '../resilience/sdk-retry-strategy.js';
import { fromSecret, scrubSecrets, secretValues, type SecretCredentialsProvider } from '../storage/credentials.js';
import { sidesRefusal } from '../storage/overlap.js';
import { loadSecretJson, SecretError } from '../storage/secrets.js';
import { resolveSides, type Sides } from '../storage/sides.js';
import { preflightChecks, preflightFailure } from '../validate/checks.js';
import { installShutdown } from './shutdown.js';

export interface CommonArgs {
  config?: string;
  'config-secret'?: string;
  'destination-credentials-secret'?: string;
  env?: string;
  json?: boolean;
  report?: string;
  'dry-run'?: boolean;
  'log-format'?: 'json' | 'text';
  'log-level'?: string;
  progress?: boolean;
  shard?: string;
  'shard-depth'?: number;
  explain?: boolean;
  'pricing-file'?: string;
  'max-cost-usd'?: number;
  manifest?: string;
  'upload-manifest'?: boolean;
  validate?: boolean;
  [k: string]: unknown;
}

/** A usage or configuration problem found before the job starts: message and exit code. */
export class Refusal {
  constructor(
    readonly message: string,
    readonly exitCode: number,
  ) {}
}

export function createCliLogger(argv: CommonArgs, environ: NodeJS.ProcessEnv): Logger {
  return createLogger({
    json: argv['log-format'] ? argv['log-format'] === 'json' : undefined,
    level: resolveLogLevel(argv['log-level'], environ.S3DS_LOG_LEVEL),
    // Values loaded from Secrets Manager are masked wherever they would appear.
    secrets: () => secretValues(),
  });
}

function secretsClient(environ: NodeJS.ProcessEnv, id: string): SecretsManagerClient {
  const fromArn = /^arn:aws[\w-]*:secretsmanager:([a-z0-9-]+):/.exec(id)?.[1];
  // Read before the configuration is loaded: the default retry count, with the run's per-class policy.
  return new SecretsManagerClient({ region: environ.AWS_REGION ?? environ.AWS_DEFAULT_REGION ?? fromArn ?? 'us-east-1', ...sdkRetryConfig({ retryCount: DEFAULT_SDK_RETRY_COUNT }) });
}

/** A secret that cannot be read is a preflight failure (4); one that is not valid JSON is bad configuration (2). */
function secretRefusal(err: unknown, what: string): Refusal {
  if (err instanceof SecretError) return new Refusal(`${what}: ${err.message}`, err.code ? ExitCode.preflight : ExitCode.badConfig);
  if (err instanceof Error) return new Refusal(`${what}: ${err.message}`, ExitCode.badConfig);
  throw err;
}

/** Every config layer the CLI knows (preset, file, secret, env, flags); throws Refusal with the exit code. */
export async function loadLayers(argv: CommonArgs, environ: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const configSecretId = argv['config-secret'] ?? environ.S3DS_CONFIG_SECRET;
  let secret: Record<string, unknown> | undefined;
  if (configSecretId) {
    try {
      secret = await loadSecretJson(secretsClient(environ, configSecretId), configSecretId);
    } catch (err) {
      throw secretRefusal(err, '--config-secret');
    }
  }
  try {
    return loadConfig({ preset: argv.env ?? environ.S3DS_ENV, configFile: argv.config ?? environ.S3DS_CONFIG, secret, environ, cli: argv });
  } catch (err) {
    if (err instanceof ConfigError) throw new Refusal(`invalid configuration\n${err.message}`, ExitCode.badConfig);
    throw err;
  }
}

/** Destination credentials from a secret; its endpoint and region describe the destination too. */
export async function destinationCredentials(argv: CommonArgs, environ: NodeJS.ProcessEnv, loaded: LoadedConfig): Promise<SecretCredentialsProvider | undefined> {
  const id = argv['destination-credentials-secret'] ?? environ.S3DS_DESTINATION_CREDENTIALS_SECRET;
  if (!id) return undefined;
  const provider = fromSecret(secretsClient(environ, id), id);
  try {
    await provider();
    const where = await provider.settings();
    if (where.endpoint && !loaded.explicit.has('s3_config.endpoint_url')) loaded.config.s3_config.endpoint_url = where.endpoint;
    if (where.region && loaded.origin['s3_config.region'] !== 'cli') loaded.config.s3_config.region = where.region;
  } catch (err) {
    throw secretRefusal(err, '--destination-credentials-secret');
  }
  return provider;
}

/** Overlapping source and destination, or a bucket-root sync without --allow-bucket-root: exit 2 before any S3 request. */
export function refuseUnsafeLocations(loaded: LoadedConfig, destCredentials: SecretCredentialsProvider | undefined): void {
  const refusal = sidesRefusal(resolveSides(loaded.config, loaded.explicit, destCredentials), loaded.config);
  if (refusal) throw new Refusal(refusal.message, ExitCode.badConfig);
}

function shardOption(argv: CommonArgs, environ: NodeJS.ProcessEnv): (ShardSpec & { depth: number }) | undefined {
  const text = argv.shard ?? environ.S3DS_SHARD;
  if (!text) return undefined;
  const rawDepth = argv['shard-depth'] ?? environ.S3DS_SHARD_DEPTH ?? 4;
  const depth = Number(rawDepth);
  if (!Number.isInteger(depth) || depth < 0 || depth > 16) throw new Refusal(`--shard-depth must be an integer from 0 to 16, got '${String(rawDepth)}'`, ExitCode.badConfig);
  try {
    return { ...parseShard(text), depth };
  } catch (err) {
    throw new Refusal((err as Error).message, ExitCode.badConfig);
  }
}

/** `sync` and `plan`: load the layers, run the job, print and write the report, return the exit code. */
export async function runCommand(command: 'sync' | 'plan', argv: CommonArgs): Promise<number> {
  const environ = process.env;
  const logger = createCliLogger(argv, environ);
  let loaded: LoadedConfig;
  let destCredentials: SecretCredentialsProvider | undefined;
  let shard: (ShardSpec & { depth: number }) | undefined;
  let pricing: PricingTable = DEFAULT_PRICING;
  const maxCost = argv['max-cost-usd'] ?? (environ.S3DS_MAX_COST_USD ? Number(environ.S3DS_MAX_COST_USD) : undefined);
  try {
    checkOutputPaths(command, argv);
    loaded = await loadLayers(argv, environ);
    destCredentials = await destinationCredentials(argv, environ, loaded);
    refuseUnsafeLocations(loaded, destCredentials);
    shard = shardOption(argv, environ);
    const pricingFile = argv['pricing-file'] ?? environ.S3DS_PRICING_FILE;
    if (pricingFile) pricing = await loadPricingFile(pricingFile).catch((err: unknown) => {
      throw new Refusal(err instanceof PricingError ? err.message : `--pricing-file ${pricingFile}: ${(err as Error).message}`, ExitCode.badConfig);
    });
    if (maxCost !== undefined && !(maxCost > 0)) throw new Refusal(`--max-cost-usd must be a positive number of dollars, got '${String(maxCost)}'`, ExitCode.badConfig);
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    process.stderr.write(`s3-direct-sync: ${scrubSecrets(err.message)}\n`);
    return err.exitCode;
  }
  for (const w of loaded.warnings) logger.warn(w);

  // The one preflight: sync runs it here with the write probe (a test upload, started and aborted)
  // and tells the job it did; plan and --no-validate leave the read probes to the job.
  const resolved = { sides: resolveSides(loaded.config, loaded.explicit, destCredentials), selection: compileSelection(loaded.config) };
  const preflighted = command === 'sync' && argv.validate !== false;
  if (preflighted && !(await syncPreflight(loaded, environ, destCredentials, resolved, !argv['dry-run']))) return ExitCode.preflight;

  const deadlineSeconds = loaded.config.shutdown_deadline_seconds;
  const shutdown = installShutdown(deadlineSeconds * 1000, (sig) =>
    logger.warn(`received ${sig}: finishing in-flight copies, starting no new ones`, { deadline_seconds: deadlineSeconds }),
  );
  const printActions = command === 'plan' && !argv.json;
  let ran: RunReport;
  try {
    ran = await runJob(loaded.config, {
      command,
      dryRun: Boolean(argv['dry-run']) || command === 'plan',
      logger,
      env: environ,
      explicit: loaded.explicit,
      shard,
      destCredentials,
      signal: shutdown.stop,
      abortSignal: shutdown.abort,
      progress: argv.progress === false ? 'off' : process.stderr.isTTY ? 'tty' : 'log',
      onAction: printActions ? (a: Action) => process.stdout.write(scrubSecrets(describeAction(a)) + '\n') : undefined,
      onExplain: argv.explain ? (text: string) => process.stdout.write(scrubSecrets(text) + '\n') : undefined,
      pricing,
      maxCostUsd: maxCost,
      manifestPath: manifestPath(argv),
      uploadManifest: argv['upload-manifest'],
      ...resolved,
      preflighted,
    });
  } finally {
    shutdown.dispose();
  }
  // Secret values (a key pasted into a prefix, a token echoed in an error) never reach the report.
  const report = redact(ran, secretValues(), { byShape: false });
  if (argv.report) writeFileAtomically(argv.report, JSON.stringify(report, null, 2) + '\n');
  if (argv.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stderr.write(formatReport(report) + '\n');
  if (command === 'sync' && !report.dry_run && loaded.config.enable_monitoring) {
    // stdout carries the EMF line unless --json owns it; the awslogs driver reads both streams.
    const out = argv.json ? process.stderr : process.stdout;
    await emitRunMetrics(report, loaded.config.metrics, { Environment: argv.env ?? environ.S3DS_ENV ?? 'default', Mode: loaded.config.sync_mode }, out, logger, {
      region: environ.AWS_REGION ?? loaded.config.s3_config.region,
      withCost: loaded.config.enable_cost_tracking,
    });
  }
  return report.exit_code;
}

/** Validate's preflight checks for `sync`; false (with the failed checks on stderr) when one failed. */
async function syncPreflight(
  loaded: LoadedConfig,
  environ: NodeJS.ProcessEnv,
  destCredentials: SecretCredentialsProvider | undefined,
  resolved: { sides: Sides; selection: CompiledSelection },
  needWrite: boolean,
): Promise<boolean> {
  const results = await preflightChecks({ config: loaded.config, explicit: loaded.explicit, env: environ, destCredentials, ...resolved, needWrite });
  const failure = preflightFailure(results);
  if (failure) process.stderr.write(scrubSecrets(`s3-direct-sync: ${failure}\n`));
  return failure === undefined;
}

function manifestPath(argv: CommonArgs): string | undefined {
  return argv.manifest ?? (argv.report ? `${argv.report.replace(/\.json$/, '')}.manifest.jsonl` : undefined);
}

/** The report and manifest are written at the end: a path that cannot take them is found before any request. */
function checkOutputPaths(command: 'sync' | 'plan', argv: CommonArgs): void {
  const writesManifest = command === 'sync' && !argv['dry-run'];
  const outputs: Array<[string, string | undefined]> = [
    ['--report', argv.report],
    ['--manifest', writesManifest ? manifestPath(argv) : undefined],
  ];
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const problem = outputPathProblem(path);
    if (problem) throw new Refusal(`${flag} ${path}: cannot write there: ${problem}`, ExitCode.badConfig);
  }
}

function describeAction(a: Action): string {
  if (a.kind === 'copy') return `copy ${a.key} (${a.reason}, ${a.source.size} bytes)`;
  if (a.kind === 'delete') return `delete ${a.key}`;
  return `${a.kind} ${a.key}`;
}
