import type { Options } from 'yargs';
import { ExitCode } from '../exit-codes.js';
import { maskUrlUserInfo } from '../observe/redact.js';
import { CHECK_NAMES, checksDocument, DEFAULT_CHECK_TIMEOUT_MS, failedChecks, formatChecks, runChecks, type CheckName } from '../validate/checks.js';
import { MINIMUM_ENV, resolveMinimums, type Minimums } from '../validate/resources.js';
import { isCheckName } from '../validate/results.js';
import { destinationCredentials, loadLayers, refuseUnsafeLocations } from './command-inputs.js';
import { printResult, processIo, Refusal, withRefusals, type CommandIo, type CommonArgs } from './command-io.js';

export interface ValidateArgs extends CommonArgs {
  skip?: string | string[];
  'min-memory-bytes'?: string | number;
  'min-disk-bytes'?: string | number;
  'min-cpus'?: string | number;
  'sts-endpoint-url'?: string;
  'check-timeout-seconds'?: string | number;
}

const SKIP_ENV = 'S3DS_VALIDATE_SKIP';
const TIMEOUT_ENV = 'S3DS_VALIDATE_TIMEOUT_SECONDS';

/**
 * The options `validate` adds to the common ones (config layers, --json). Values that take units
 * are strings, parsed here, so a bad one is reported with what it accepts.
 */
export const VALIDATE_OPTIONS = {
  json: { type: 'boolean', describe: 'Print the checks as JSON ({ok, failed, checks}) on stdout instead of a table.' },
  skip: {
    type: 'string',
    array: true,
    requiresArg: true,
    describe: `Checks not to run (comma-separated or repeated): ${CHECK_NAMES.join(', ')}. [env ${SKIP_ENV}]`,
  },
  'min-memory-bytes': {
    type: 'string',
    requiresArg: true,
    describe:
      `Fail the resources check below this much free memory: ` + `bytes or with a unit (512MiB, 2GiB, 1GB). Default 256MiB. [env ${MINIMUM_ENV.memoryBytes}]`,
  },
  'min-disk-bytes': {
    type: 'string',
    requiresArg: true,
    describe:
      `Fail the resources check below this much free disk in the temp directory (TMPDIR): ` +
      `bytes or with a unit. Default 1GiB. [env ${MINIMUM_ENV.diskBytes}]`,
  },
  'min-cpus': {
    type: 'string',
    requiresArg: true,
    describe: `Fail the resources check below this many effective vCPUs (cgroup and ECS limits applied). Default 0.25. [env ${MINIMUM_ENV.cpus}]`,
  },
  'sts-endpoint-url': {
    type: 'string',
    requiresArg: true,
    describe:
      'STS endpoint for the credentials check (GetCallerIdentity). Default: AWS STS when the destination is on AWS; ' +
      'on another S3 server the check is skipped unless this is set. [env AWS_ENDPOINT_URL_STS]',
  },
  'check-timeout-seconds': {
    type: 'string',
    requiresArg: true,
    describe: `Seconds each check's requests may take before the check fails. Default ${DEFAULT_CHECK_TIMEOUT_MS / 1000}. [env ${TIMEOUT_ENV}]`,
  },
} as const satisfies Record<string, Options>;

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
