import { ExitCode } from '../exit-codes.js';
import { maskUrlUserInfo } from '../observe/redact.js';
import { CHECK_NAMES, checksDocument, failedChecks, formatChecks, runChecks, type CheckName } from '../validate/checks.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../validate/results.js';
import { resolveMinimums, type Minimums } from '../validate/resources.js';
import { isCheckName } from '../validate/results.js';
import { destinationCredentials, loadLayers, refuseUnsafeLocations } from './command-inputs.js';
import { SKIP_ENV, TIMEOUT_ENV } from './validate-options.js';
import { printResult, processIo, Refusal, withRefusals, type CommandIo, type CommonArgs } from './command-io.js';

export interface ValidateArgs extends CommonArgs {
  skip?: string | string[];
  'min-memory-bytes'?: string | number;
  'min-disk-bytes'?: string | number;
  'min-cpus'?: string | number;
  'sts-endpoint-url'?: string;
  'check-timeout-seconds'?: string | number;
}

export interface ValidateOptions {
  skip: CheckName[];
  minimums: Minimums;
  stsEndpoint?: string;
  timeoutMs: number;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The validate options from flags, then the environment; a bad value is a Refusal (exit 2). */
export function parseValidateOptions(argv: ValidateArgs, environ: Record<string, string | undefined>): ValidateOptions {
  const rawSkip = argv.skip !== undefined ? [argv.skip].flat() : (nonEmpty(environ[SKIP_ENV])?.split(',') ?? []);
  const skip = rawSkip
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = skip.filter((s) => !isCheckName(s));
  if (unknown.length > 0)
    throw new Refusal(`--skip: unknown check ${unknown.map((u) => `'${u}'`).join(', ')}; the checks are ${CHECK_NAMES.join(', ')}`, ExitCode.badConfig);

  let minimums: Minimums;
  try {
    minimums = resolveMinimums({ memoryBytes: argv['min-memory-bytes'], diskBytes: argv['min-disk-bytes'], cpus: argv['min-cpus'] }, environ);
  } catch (err) {
    throw new Refusal((err as Error).message, ExitCode.badConfig);
  }

  const rawTimeout = argv['check-timeout-seconds'] ?? nonEmpty(environ[TIMEOUT_ENV]);
  let timeoutMs = DEFAULT_CHECK_TIMEOUT_MS;
  if (rawTimeout !== undefined) {
    const seconds = typeof rawTimeout === 'number' ? rawTimeout : /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(rawTimeout) ? Number(rawTimeout) : Number.NaN;
    if (!(seconds > 0) || seconds > 3600)
      throw new Refusal(`--check-timeout-seconds must be a number of seconds above 0 and at most 3600, got '${String(rawTimeout)}'`, ExitCode.badConfig);
    timeoutMs = seconds * 1000;
  }

  const stsEndpoint = nonEmpty(argv['sts-endpoint-url']) ?? nonEmpty(environ.AWS_ENDPOINT_URL_STS);
  if (stsEndpoint !== undefined && !/^https?:\/\/[^/\s]+/i.test(stsEndpoint)) {
    throw new Refusal(`--sts-endpoint-url must be an http(s) URL, got '${maskUrlUserInfo(stsEndpoint)}'`, ExitCode.badConfig);
  }
  if (stsEndpoint !== undefined && /^https?:\/\/[^/?#]*@/i.test(stsEndpoint)) {
    throw new Refusal(`--sts-endpoint-url must be an http(s) URL without user:password@, got '${maskUrlUserInfo(stsEndpoint)}'`, ExitCode.badConfig);
  }
  return { skip: skip as CheckName[], minimums, timeoutMs, ...(stsEndpoint ? { stsEndpoint } : {}) };
}

/**
 * `validate`: every check, printed as a table (or JSON with --json) on stdout. Exit 0 when all
 * pass (skipped ones included), 4 when any failed (stderr names them), 2 for a bad configuration
 * or option.
 */
export async function validateCommand(argv: ValidateArgs, io: CommandIo = processIo()): Promise<number> {
  return withRefusals(io, () => validate(argv, io));
}

async function validate(argv: ValidateArgs, io: CommandIo): Promise<number> {
  const environ = io.env;
  const options = parseValidateOptions(argv, environ);
  const loaded = await loadLayers(argv, environ);
  const destCredentials = await destinationCredentials(argv, environ, loaded);
  const sides = refuseUnsafeLocations(loaded, destCredentials);
  const results = await runChecks({
    sides,
    config: loaded.config,
    explicit: loaded.explicit,
    origin: loaded.origin,
    warnings: loaded.warnings,
    env: environ,
    destCredentials,
    stsEndpoint: options.stsEndpoint,
    minimums: options.minimums,
    skip: options.skip,
    timeoutMs: options.timeoutMs,
  });
  printResult(io, argv.json, checksDocument(results), () => formatChecks(results));
  const failed = failedChecks(results);
  if (failed.length === 0) return ExitCode.ok;
  io.stderr.write(`validate: failed: ${failed.join(', ')}\n`);
  return ExitCode.preflight;
}
