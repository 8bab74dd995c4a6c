import { writeFileSync, renameSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { ConfigError, loadConfig } from '../config/load.js';
import { yargsOptions } from '../config/flags.js';
import { PRESET_NAMES } from '../config/presets.js';
import { ExitCode, JobError } from '../exit-codes.js';
import { runJob } from '../job.js';
import { createLogger } from '../observe/logger.js';
import { formatReport, type RunReport } from '../observe/report.js';
import type { Action } from '../plan/diff.js';
import { parseShard, type ShardSpec } from '../plan/shard.js';
import { installShutdown } from './shutdown.js';

interface CommonArgs {
  config?: string;
  env?: string;
  json?: boolean;
  report?: string;
  'dry-run'?: boolean;
  'log-format'?: 'json' | 'text';
  'log-level'?: string;
  progress?: boolean;
  shard?: string;
  explain?: boolean;
  'shard-depth'?: number;
  [k: string]: unknown;
}

function commonOptions(y: Argv): Argv<any> {
  return y
    .options(yargsOptions())
    .option('config', { type: 'string', requiresArg: true, describe: 'JSON config file (the seed\'s format loads unchanged). [env S3DS_CONFIG]' })
    .option('env', { type: 'string', requiresArg: true, describe: `Environment preset: ${PRESET_NAMES.join(', ')}. [env S3DS_ENV]` })
    .option('json', { type: 'boolean', describe: 'Print the run report as JSON on stdout.' })
    .option('report', { type: 'string', requiresArg: true, describe: 'Also write the JSON run report to this file.' })
    .option('dry-run', { type: 'boolean', describe: 'Plan only: list, compare and report, write nothing.' })
    .option('log-format', { choices: ['json', 'text'] as const, describe: 'Log lines as JSON (default off a terminal) or text (default on one).' })
    .option('log-level', { type: 'string', requiresArg: true, describe: 'error, warn, info or debug.' })
    .option('progress', { type: 'boolean', describe: 'Show progress (default: on a terminal a live line, otherwise a log line every 10 s).' })
    .option('shard', { type: 'string', requiresArg: true, describe: 'Only shard i of N of the key space, e.g. 0/4 (ECS fan-out; see `launch`). [env S3DS_SHARD]' })
    .option('shard-depth', {
      type: 'number',
      requiresArg: true,
      describe: 'How many levels of "/" below each selected prefix the key space is split into shard units (default 4: symbol level in the Binance layout). [env S3DS_SHARD_DEPTH]',
    });
}

async function runCommand(command: 'sync' | 'plan', argv: CommonArgs): Promise<number> {
  const environ = process.env;
  const logger = createLogger({
    json: argv['log-format'] ? argv['log-format'] === 'json' : undefined,
    level: argv['log-level'] ?? environ.S3DS_LOG_LEVEL ?? 'info',
  });
  let loaded;
  try {
    loaded = loadConfig({
      preset: argv.env ?? environ.S3DS_ENV,
      configFile: argv.config ?? environ.S3DS_CONFIG,
      environ,
      cli: argv,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`s3-direct-sync: invalid configuration\n${err.message}\n`);
      return ExitCode.badConfig;
    }
    throw err;
  }
  for (const w of loaded.warnings) logger.warn(w);

  const deadlineSeconds = loaded.config.shutdown_deadline_seconds;
  let shard: (ShardSpec & { depth: number }) | undefined;
  const shardText = argv.shard ?? environ.S3DS_SHARD;
  if (shardText) {
    const depth = Number(argv['shard-depth'] ?? environ.S3DS_SHARD_DEPTH ?? 4);
    try {
      if (!Number.isInteger(depth) || depth < 0 || depth > 16) throw new Error(`--shard-depth must be an integer from 0 to 16, got '${String(argv['shard-depth'] ?? environ.S3DS_SHARD_DEPTH)}'`);
      shard = { ...parseShard(shardText), depth };
    } catch (err) {
      process.stderr.write(`s3-direct-sync: ${(err as Error).message}\n`);
      return ExitCode.badConfig;
    }
  }
  const shutdown = installShutdown(deadlineSeconds * 1000, (sig) => logger.warn(`received ${sig}: finishing in-flight copies, starting no new ones`, { deadline_seconds: deadlineSeconds }));
  const tty = Boolean(process.stderr.isTTY);
  const printActions = command === 'plan' && !argv.json;
  let report: RunReport;
  try {
    report = await runJob(loaded.config, {
      command,
      dryRun: Boolean(argv['dry-run']) || command === 'plan',
      logger,
      env: environ,
      explicit: loaded.explicit,
      shard,
      signal: shutdown.stop,
      abortSignal: shutdown.abort,
      progress: argv.progress === false ? 'off' : tty ? 'tty' : 'log',
      onAction: printActions ? (a: Action) => process.stdout.write(describeAction(a) + '\n') : undefined,
      onExplain: argv.explain ? (text: string) => process.stdout.write(text + '\n') : undefined,
    });
  } finally {
    shutdown.dispose();
  }
  if (argv.report) writeAtomically(argv.report, JSON.stringify(report, null, 2) + '\n');
  if (argv.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stderr.write(formatReport(report) + '\n');
  return report.exit_code;
}

function describeAction(a: Action): string {
  if (a.kind === 'copy') return `copy ${a.key} (${a.reason}, ${a.source.size} bytes)`;
  if (a.kind === 'delete') return `delete ${a.key}`;
  return `${a.kind} ${a.key}`;
}

/** A report is never left half-written: write beside it, then rename. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function main(args: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const parser = yargs(args)
    .scriptName('s3-direct-sync')
    .usage('$0 <command> [options]\n\nMirror an S3 archive (default s3://data.binance.vision/data/) into your bucket, server-side where possible, verified against .CHECKSUM files.')
    .command('sync', 'Copy what is missing or changed (and delete extras in sync mode), then verify.', (y) => commonOptions(y), async (argv) => {
      code = await runCommand('sync', argv as CommonArgs);
    })
    .command('plan', 'Show what sync would do; writes nothing.', (y) => commonOptions(y).option('explain', { type: 'boolean', describe: 'Print each sized setting, its inputs and the rule that chose it.' }), async (argv) => {
      code = await runCommand('plan', argv as CommonArgs);
    })
    .demandCommand(1, 'Name a command: sync or plan.')
    .strict()
    .env(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(`s3-direct-sync: ${msg}\nRun 's3-direct-sync --help' for usage.\n`);
      code = ExitCode.badConfig;
    })
    .help()
    .version();
  await parser.parseAsync();
  return code;
}

