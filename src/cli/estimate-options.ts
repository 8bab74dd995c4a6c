/** The options of `estimate` (apart from the common ones), light enough for `estimate --help` to load nothing else. */
import type { Options } from 'yargs';
import type { AccessFrequency } from '../cost/estimate-types.js';

export const ACCESS_FREQUENCIES: readonly AccessFrequency[] = ['frequent', 'infrequent', 'rare', 'unknown'];

/** The options `estimate` adds to the common ones (config layers, --json, --pricing-file, --max-cost-usd). */
export const ESTIMATE_OPTIONS = {
  json: { type: 'boolean', describe: 'Print the workload, rates, cost guard and estimate as JSON on stdout.' },
  'max-cost-usd': {
    type: 'number',
    requiresArg: true,
    describe:
      'Say whether the estimated cost is within this many dollars, as sync --max-cost-usd would judge it (the exit code stays 0). [env S3DS_MAX_COST_USD]',
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
    describe: "A finished run's JSON report (--report FILE): its measured objects/s and MB/s replace the planning defaults.",
  },
  'growth-files': {
    type: 'string',
    requiresArg: true,
    describe: "Growth scenario: objects per run multiplied by this (the seed's default 2 when another growth flag is given).",
  },
  'growth-size': { type: 'string', requiresArg: true, describe: 'Growth scenario: average object size multiplied by this (default 1.5).' },
  'growth-frequency': { type: 'string', requiresArg: true, describe: 'Growth scenario: runs per month multiplied by this (default 1.2).' },
  'runs-per-month': { type: 'string', requiresArg: true, describe: 'Runs per month, for monthly figures and recommendations (default 1).' },
  'deadline-hours': { type: 'string', requiresArg: true, describe: 'Finish a run within this many hours: decides the worker (shard task) count.' },
  'max-workers': { type: 'string', requiresArg: true, describe: 'At most this many parallel tasks (default 10).' },
  workers: { type: 'string', requiresArg: true, describe: 'Exactly this many parallel tasks (instead of --deadline-hours and --max-workers).' },
  'task-vcpu': { type: 'string', requiresArg: true, describe: 'Price tasks of this many vCPU (0.25 to 16): the smallest memory that fits at that size.' },
  'access-frequency': {
    choices: ACCESS_FREQUENCIES,
    describe: 'How often the mirrored data is read, for the storage-class advice.',
  },
  spot: { type: 'boolean', describe: 'Price the tasks on Fargate Spot (default: on when S3DS_CAPACITY_PROVIDER=FARGATE_SPOT).' },
  'job-region': { type: 'string', requiresArg: true, describe: "Region the tasks run in, or outside-aws (default: the destination's region)." },
  'list-concurrency': { type: 'string', requiresArg: true, describe: 'Selected prefixes listed at the same time when counting the source (default 8).' },
} as const satisfies Record<string, Options>;
