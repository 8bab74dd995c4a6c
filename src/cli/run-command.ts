import type { LoadedConfig } from '../config/load.js';
import { compileSelection, type CompiledSelection } from '../config/selection.js';
import { ExitCode } from '../exit-codes.js';
import { runJob } from '../job.js';
import type { Logger } from '../observe/logger.js';
import { emitRunMetrics } from '../observe/publish.js';
import { redact } from '../observe/redact.js';
import { formatReport, type RunReport } from '../observe/report.js';
import type { Action } from '../plan/diff.js';
import type { SecretCredentialsProvider } from '../storage/credentials.js';
import { scrubSecrets, secretValues } from '../storage/secret-registry.js';
import type { Sides } from '../storage/sides.js';
import { preflightChecks, preflightFailure } from '../validate/checks.js';
import { destinationCredentials, loadLayers, pricingOption, refuseUnsafeLocations, shardOption } from './command-inputs.js';
import { checkOutputPaths, createCliLogger, jsonText, manifestPath, processIo, Refusal, withRefusals, writeReportFile, type CommonArgs } from './command-io.js';
import { installShutdown } from './shutdown.js';

/** `sync` and `plan`: load the layers, run the job, print and write the report, return the exit code. */
export async function runCommand(command: 'sync' | 'plan', argv: CommonArgs): Promise<number> {
  return withRefusals(processIo(), () => syncOrPlan(command, argv));
}

/** Everything sync and plan need before the job starts, in the order their refusals are reported. */
async function runInputs(command: 'sync' | 'plan', argv: CommonArgs, environ: NodeJS.ProcessEnv) {
  const maxCost = argv['max-cost-usd'] ?? (environ.S3DS_MAX_COST_USD ? Number(environ.S3DS_MAX_COST_USD) : undefined);
  checkOutputPaths(command, argv);
  const loaded = await loadLayers(argv, environ);
  const destCredentials = await destinationCredentials(argv, environ, loaded);
  const sides = refuseUnsafeLocations(loaded, destCredentials);
  const shard = shardOption(argv, environ);
  const pricing = await pricingOption(argv, environ);
  if (maxCost !== undefined && !(maxCost > 0)) {
    throw new Refusal(`--max-cost-usd must be a positive number of dollars, got '${String(maxCost)}'`, ExitCode.badConfig);
  }
  return { loaded, destCredentials, sides, shard, pricing, maxCost };
}

async function syncOrPlan(command: 'sync' | 'plan', argv: CommonArgs): Promise<number> {
  const environ = process.env;
  const logger = createCliLogger(argv, environ);
  const { loaded, destCredentials, sides, shard, pricing, maxCost } = await runInputs(command, argv, environ);
  for (const w of loaded.warnings) logger.warn(w);

  // The one preflight: sync runs it here with the write probe (a test upload, started and aborted)
  // and tells the job it did; plan and --no-validate leave the read probes to the job.
  const resolved = { sides, selection: compileSelection(loaded.config) };
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
      origin: loaded.origin,
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
  return finishRun(command, argv, environ, loaded, logger, ran);
}

/** Writes and prints the report (secrets masked), emits the run's metrics, returns the run's exit code. */
async function finishRun(
  command: 'sync' | 'plan',
  argv: CommonArgs,
  environ: NodeJS.ProcessEnv,
  loaded: LoadedConfig,
  logger: Logger,
  ran: RunReport,
): Promise<number> {
  // Secret values (a key pasted into a prefix, a token echoed in an error) never reach the report.
  const report = redact(ran, secretValues(), { byShape: false });
  if (argv.report) writeReportFile(argv.report, report);
  if (argv.json) process.stdout.write(jsonText(report));
  else process.stderr.write(formatReport(report) + '\n');
  if (command === 'sync' && !report.dry_run && loaded.config.enable_monitoring) {
    // stdout carries the EMF line unless --json owns it; the awslogs driver reads both streams.
    const out = argv.json ? process.stderr : process.stdout;
    const dimensions = { Environment: argv.env ?? environ.S3DS_ENV ?? 'default', Mode: loaded.config.sync_mode };
    await emitRunMetrics(report, loaded.config.metrics, dimensions, out, logger, {
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

function describeAction(a: Action): string {
  if (a.kind === 'copy') return `copy ${a.key} (${a.reason}, ${a.source.size} bytes)`;
  if (a.kind === 'delete') return `delete ${a.key}`;
  return `${a.kind} ${a.key}`;
}
