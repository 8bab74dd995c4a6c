/**
 * The yargs wiring of the commands. A command's options and its module are loaded only when that
 * command runs (or shows its help): `--version` and top-level `--help` load neither the schema nor the SDK.
 */
import yargs, { type Argv } from 'yargs';
import { joinRelativeDateArgs } from '../config/relative-date.js';
import { resolveLogLevel } from '../observe/log-level.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { registerEnvironmentSecrets, scrubSecrets } from '../storage/secret-registry.js';
import type { CommonArgs } from './command-io.js';
import { packageVersion } from './version.js';
import type { EstimateArgs } from './estimate-command.js';
import type { LaunchArgs } from './launch-command.js';
import type { ValidateArgs } from './validate-command.js';

async function commonOptionsOf<T>(y: Argv<T>) {
  return (await import('./command-options.js')).commonOptions(y);
}

/** The five commands; `done` receives the exit code of the one that ran. */
function withCommands(parser: Argv, done: (code: number) => void): Argv {
  return parser
    .command(
      'sync',
      'Copy what is missing or changed (and delete extras in sync mode), then verify.',
      async (y) =>
        (await commonOptionsOf(y)).option('validate', {
          type: 'boolean',
          default: true,
          describe: 'Run the validate checks for the buckets (and s5cmd when forced) before starting; --no-validate skips them.',
        }),
      async (argv) => {
        const { runCommand } = await import('./run-command.js');
        done(await runCommand('sync', argv as CommonArgs));
      },
    )
    .command(
      'plan',
      'Show what sync would do; writes nothing.',
      async (y) =>
        (await commonOptionsOf(y)).option('explain', { type: 'boolean', describe: 'Print each sized setting, its inputs and the rule that chose it.' }),
      async (argv) => {
        const { runCommand } = await import('./run-command.js');
        done(await runCommand('plan', argv as CommonArgs));
      },
    )
    .command(
      'validate',
      'Check the configuration, credentials, both buckets, s5cmd, endpoint latency and resources; exit 4 naming each failed check.',
      async (y) => (await commonOptionsOf(y)).options((await import('./validate-options.js')).VALIDATE_OPTIONS),
      async (argv) => {
        const { validateCommand } = await import('./validate-command.js');
        done(await validateCommand(argv as unknown as ValidateArgs));
      },
    )
    .command(
      'estimate',
      'Estimate duration, task size, requests and cost of mirroring the selection: lists the source (or takes --objects and --bytes).',
      async (y) => (await commonOptionsOf(y)).options((await import('./estimate-options.js')).ESTIMATE_OPTIONS),
      async (argv) => {
        const { estimateCommand } = await import('./estimate-command.js');
        done(await estimateCommand(argv as unknown as EstimateArgs));
      },
    )
    .command(
      'launch',
      'Run N shard tasks on ECS (sync --shard i/N each), wait for them and combine their results. Job flags go after --.',
      async (y) => (await import('./command-options.js')).launchOptions(y),
      async (argv) => {
        const { launchCommand } = await import('./launch-command.js');
        done(await launchCommand(argv as unknown as LaunchArgs));
      },
    );
}

type WithUsage = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };

/**
 * yargs renders a command's whole help right after parsing it, to show on a later failure; our
 * .fail() never shows it, and the rendering (string widths of ~200 wrapped lines) costs 100-150 ms of
 * CPU on every run. `--help` renders its own. (yargs 18 internals: without them it keeps rendering.)
 */
function skipHelpCache(parser: Argv): void {
  const usage = (parser as unknown as WithUsage).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;
}

export async function main(args: string[]): Promise<number> {
  registerEnvironmentSecrets(process.env);
  let code: number = ExitCode.ok;
  const base = yargs(joinRelativeDateArgs(args))
    .scriptName('s3-direct-sync')
    .usage(
      '$0 <command> [options]\n\nMirror an S3 archive (default s3://data.binance.vision/data/) into your bucket, server-side where possible, verified against .CHECKSUM files.',
    );
  const parser = withCommands(base, (c) => (code = c))
    // Every command checks the log level before any work, including those that log nothing.
    .middleware((argv) => void resolveLogLevel(argv['log-level'], process.env.S3DS_LOG_LEVEL))
    .demandCommand(1, 'Name a command: sync, plan, validate, estimate or launch.')
    .strict()
    .env(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // Throwing stops yargs here; returning would let it run the command anyway.
      throw new UsageError(`${msg}\nRun 's3-direct-sync --help' for usage.`);
    })
    .help()
    .version(packageVersion());
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`s3-direct-sync: ${scrubSecrets(err.message)}\n`);
    return ExitCode.badConfig;
  }
  return code;
}
