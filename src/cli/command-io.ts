/**
 * What every command shares around its work: the common arguments, the streams and environment it
 * uses (injectable for tests), refusals turned into stderr and an exit code, the logger, and the
 * output files and printing.
 */
import { ExitCode, JobError } from '../exit-codes.js';
import { resolveLogLevel } from '../observe/log-level.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { outputPathProblem, writeFileAtomically } from '../observe/output-file.js';
import { scrubSecrets, secretValues } from '../storage/secret-registry.js';

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

/** The environment and output streams of a command. */
export interface CommandIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** The process's own environment and streams. */
export function processIo(): CommandIo {
  return { env: process.env, stdout: process.stdout, stderr: process.stderr };
}

/** A usage or configuration problem found before the job starts: message and exit code. */
export class Refusal {
  constructor(
    readonly message: string,
    readonly exitCode: number,
  ) {}
}

/**
 * Runs a command; a Refusal (or a JobError, which main.ts would print the same way) it throws is
 * written to stderr after `prefix`, secrets masked, and its exit code returned.
 */
export async function withRefusals(io: CommandIo, command: () => Promise<number>, prefix = 's3-direct-sync'): Promise<number> {
  try {
    return await command();
  } catch (err) {
    if (!(err instanceof Refusal) && !(err instanceof JobError)) throw err;
    io.stderr.write(`${prefix}: ${scrubSecrets(err.message)}\n`);
    return err.exitCode;
  }
}

export function createCliLogger(argv: CommonArgs, environ: NodeJS.ProcessEnv): Logger {
  return createLogger({
    json: argv['log-format'] ? argv['log-format'] === 'json' : undefined,
    level: resolveLogLevel(argv['log-level'], environ.S3DS_LOG_LEVEL),
    // Values loaded from Secrets Manager are masked wherever they would appear.
    secrets: () => secretValues(),
  });
}

/** --manifest, or by default beside --report. */
export function manifestPath(argv: CommonArgs): string | undefined {
  return argv.manifest ?? (argv.report ? `${argv.report.replace(/\.json$/, '')}.manifest.jsonl` : undefined);
}

/** The report and manifest are written at the end: a path that cannot take them is found before any request. */
export function checkOutputPaths(command: 'sync' | 'plan', argv: CommonArgs): void {
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

/** A document as --json prints it: indented, one newline at the end. */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Writes the --report file (replaced whole, never half written). */
export function writeReportFile(path: string, report: unknown): void {
  writeFileAtomically(path, jsonText(report));
}

/** A command's result on stdout, secrets masked: JSON with --json, else the text. */
export function printResult(io: CommandIo, json: boolean | undefined, doc: unknown, text: () => string): void {
  io.stdout.write(scrubSecrets(json ? jsonText(doc) : text() + '\n'));
}
