/** The options of `validate` (apart from the common ones), light enough for `validate --help` to load nothing else. */
import type { Options } from 'yargs';
import { MINIMUM_ENV } from '../validate/resources.js';
import { CHECK_NAMES, DEFAULT_CHECK_TIMEOUT_MS } from '../validate/results.js';

export const SKIP_ENV = 'S3DS_VALIDATE_SKIP';
export const TIMEOUT_ENV = 'S3DS_VALIDATE_TIMEOUT_SECONDS';

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
