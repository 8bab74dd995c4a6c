import type { Options } from 'yargs';
import { RETIRED_SETTINGS, retiredYargsOptions } from './retired.js';
import { ConfigError, schemaLeaves, type ConfigIssue, type ConfigPath, type LeafKind } from './schema.js';

/** The CLI flag name of every schema leaf; typed so that a new schema leaf cannot go without one. */
const FLAG_NAMES: Record<ConfigPath, string> = {
  enable_s3_direct_sync: 's3-direct-sync',
  operation_mode: 'mode',
  engine: 'engine',
  source_bucket: 'source-bucket',
  source_prefix: 'source-prefix',
  source_region: 'source-region',
  source_endpoint_url: 'source-endpoint-url',
  source_no_sign_request: 'source-no-sign-request',
  destination_bucket: 'destination-bucket',
  destination_prefix: 'destination-prefix',
  sync_mode: 'sync-mode',
  max_delete: 'max-delete',
  max_delete_percent: 'max-delete-percent',
  force_deletes: 'force-deletes',
  allow_bucket_root: 'allow-bucket-root',
  enable_incremental: 'incremental',
  destination_etags: 'destination-etags',
  verify_checksums: 'verify',
  metrics: 'metrics',
  'performance_optimization.max_concurrent': 'max-concurrent',
  'performance_optimization.batch_size': 'batch-size',
  'performance_optimization.part_size_mb': 'part-size-mb',
  'performance_optimization.retry_count': 'retry-count',
  'performance_optimization.enable_multipart_threshold_mb': 'multipart-threshold-mb',
  'performance_optimization.storage_class': 'storage-class',
  'performance_optimization.rate_limit_mbps': 'rate-limit-mbps',
  'performance_optimization.available_bandwidth_mbps': 'available-bandwidth-mbps',
  'performance_optimization.bandwidth_priority': 'bandwidth-priority',
  'performance_optimization.max_requests_per_second': 'max-requests-per-second',
  shutdown_deadline_seconds: 'shutdown-deadline-seconds',
  lease: 'lease',
  lease_ttl_seconds: 'lease-ttl-seconds',
  's3_config.region': 'region',
  's3_config.use_accelerated_endpoint': 'use-accelerated-endpoint',
  's3_config.endpoint_url': 'endpoint-url',
  's3_config.force_path_style': 'force-path-style',
  'selection.prefixes': 'prefix',
  'selection.include': 'include',
  'selection.exclude': 'exclude',
  'selection.markets': 'market',
  'selection.frequencies': 'frequency',
  'selection.data_types': 'data-type',
  'selection.symbols': 'symbol',
  'selection.intervals': 'interval',
  'selection.date_from': 'date-from',
  'selection.date_to': 'date-to',
  enable_detailed_logging: 'detailed-logging',
  enable_monitoring: 'monitoring',
  enable_cost_tracking: 'cost-tracking',
};

export type FlagType = LeafKind;

export interface FlagDef {
  /** Kebab-case name without dashes, e.g. 'max-concurrent'. */
  flag: string;
  /** Dotted config path the flag sets. */
  path: ConfigPath;
  type: FlagType;
  /** The schema's description of the field. */
  describe: string;
  /** What the field accepts, in words. */
  accepts: string;
  choices?: readonly string[];
  /** The schema default, for display only (never pass it to yargs as a default: it would shadow lower layers). */
  default?: unknown;
  /** Environment variable: S3DS_ + upper snake case of the flag. */
  env: string;
}

export function envName(flag: string): string {
  return `S3DS_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export const FLAGS: readonly FlagDef[] = schemaLeaves().map((leaf) => {
  const path = leaf.path as ConfigPath;
  const flag = FLAG_NAMES[path];
  if (flag === undefined) throw new Error(`config flags: no flag name for ${leaf.path}`);
  return {
    flag,
    path,
    type: leaf.kind,
    describe: leaf.description,
    accepts: leaf.accepts,
    ...(leaf.choices ? { choices: leaf.choices } : {}),
    ...(leaf.default !== undefined ? { default: leaf.default } : {}),
    env: envName(flag),
  };
});

export interface UrlFlagDef {
  flag: 'source' | 'destination';
  env: string;
  describe: string;
  bucketPath: ConfigPath;
  prefixPath: ConfigPath;
}

/** s3:// URL flags that set a bucket and a prefix at once; the separate bucket/prefix flags win over them. */
export const URL_FLAGS: readonly UrlFlagDef[] = [
  {
    flag: 'source',
    env: 'S3DS_SOURCE',
    describe: 'Source as s3://BUCKET/PREFIX/ (sets source_bucket and source_prefix).',
    bucketPath: 'source_bucket',
    prefixPath: 'source_prefix',
  },
  {
    flag: 'destination',
    env: 'S3DS_DESTINATION',
    describe: 'Destination as s3://BUCKET/PREFIX/ (sets destination_bucket and destination_prefix).',
    bucketPath: 'destination_bucket',
    prefixPath: 'destination_prefix',
  },
];

const S3_URL_ACCEPTS = 'an S3 URL s3://BUCKET or s3://BUCKET/PREFIX/';

/** Splits `s3://bucket[/prefix]`; the prefix is returned as written ('' when absent). */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/is.exec(url.trim());
  if (!m) throw new Error(`'${url}' is not ${S3_URL_ACCEPTS}`);
  return { bucket: m[1]!, prefix: m[2] ?? '' };
}

/** A partial configuration as nested objects keyed like the schema. */
export type ConfigLayer = Record<string, unknown>;

/** A layer plus, per dotted path it sets, a label naming where the value came from. */
export interface LabelledLayer {
  values: ConfigLayer;
  labels: Map<string, string>;
  problems: ConfigIssue[];
}

export function setPath(obj: ConfigLayer, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = obj;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[k] = {};
    node = node[k] as ConfigLayer;
  }
  node[keys[keys.length - 1]!] = value;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Commas separate list items, except inside glob braces/brackets ('**\/{BTC,ETH}*'). */
function splitList(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && depth > 0) depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/**
 * Turns text from the environment or command line into the leaf's type. A value that does not
 * convert is passed on unchanged so that validation reports it with what the field accepts.
 */
export function coerce(type: FlagType, raw: unknown): unknown {
  switch (type) {
    case 'number':
      if (typeof raw === 'string' && NUMBER_RE.test(raw.trim())) return Number(raw.trim());
      return raw;
    case 'boolean':
      if (typeof raw === 'string') {
        const s = raw.trim().toLowerCase();
        if (s === 'true' || s === '1') return true;
        if (s === 'false' || s === '0') return false;
      }
      return raw;
    case 'array':
      if (Array.isArray(raw)) return raw.flatMap((x) => (typeof x === 'string' ? splitList(x) : [x]));
      if (typeof raw === 'string') return splitList(raw);
      return raw;
    case 'string':
      return typeof raw === 'number' ? String(raw) : raw;
  }
}

function applyUrl(layer: LabelledLayer, def: UrlFlagDef, raw: unknown, label: string): void {
  try {
    if (typeof raw !== 'string') throw new Error('not a string');
    const { bucket, prefix } = parseS3Url(raw);
    setPath(layer.values, def.bucketPath, bucket);
    setPath(layer.values, def.prefixPath, prefix);
    layer.labels.set(def.bucketPath, label);
    layer.labels.set(def.prefixPath, label);
  } catch {
    layer.problems.push({ path: def.bucketPath, hasValue: true, value: raw, source: label, accepts: S3_URL_ACCEPTS });
  }
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function argvValue(argv: Record<string, unknown>, flag: string): unknown {
  return argv[flag] !== undefined ? argv[flag] : argv[camel(flag)];
}

/** Builds the CLI layer from parsed yargs argv (kebab-case or camelCase keys). */
export function argvLayer(argv: Record<string, unknown>): LabelledLayer {
  const layer: LabelledLayer = { values: {}, labels: new Map(), problems: [] };
  for (const def of URL_FLAGS) {
    const raw = argvValue(argv, def.flag);
    if (raw !== undefined) applyUrl(layer, def, raw, `cli --${def.flag}`);
  }
  for (const def of FLAGS) {
    const raw = argvValue(argv, def.flag);
    if (raw === undefined) continue;
    setPath(layer.values, def.path, coerce(def.type, raw));
    layer.labels.set(def.path, `cli --${def.flag}`);
  }
  return layer;
}

/**
 * Builds the environment layer: S3DS_* variables (empty ones count as unset; lists are
 * comma-separated), plus the AWS SDK's standard AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL and
 * AWS_REGION / AWS_DEFAULT_REGION for the destination client, which S3DS_ENDPOINT_URL and
 * S3DS_REGION override.
 */
export function envLayer(environ: Record<string, string | undefined>): LabelledLayer {
  const layer: LabelledLayer = { values: {}, labels: new Map(), problems: [] };
  const get = (name: string) => {
    const v = environ[name];
    return v === undefined || v.trim() === '' ? undefined : v;
  };
  const fallbacks: Array<[ConfigPath, string[]]> = [
    ['s3_config.endpoint_url', ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3']],
    ['s3_config.region', ['AWS_DEFAULT_REGION', 'AWS_REGION']],
  ];
  // Lowest priority first: each later assignment overwrites.
  for (const [path, names] of fallbacks) {
    for (const name of names) {
      const v = get(name);
      if (v === undefined) continue;
      setPath(layer.values, path, v);
      layer.labels.set(path, `env ${name}`);
    }
  }
  for (const def of URL_FLAGS) {
    const raw = get(def.env);
    if (raw !== undefined) applyUrl(layer, def, raw, `env ${def.env}`);
  }
  for (const def of FLAGS) {
    const raw = get(def.env);
    if (raw === undefined) continue;
    setPath(layer.values, def.path, coerce(def.type, raw));
    layer.labels.set(def.path, `env ${def.env}`);
  }
  return layer;
}

/**
 * S3DS_* variables that are not configuration fields: command options the CLI reads itself, and
 * settings of the project's scripts and tests (the same shell often runs both). Any other S3DS_*
 * name is a typo and refused (test/unit/config/env-names.test.ts keeps this list complete).
 */
export const OTHER_ENV_NAMES: readonly string[] = [
  // CLI options
  'S3DS_CONFIG',
  'S3DS_CONFIG_SECRET',
  'S3DS_DESTINATION_CREDENTIALS_SECRET',
  'S3DS_ENV',
  'S3DS_LOG_LEVEL',
  'S3DS_PRICING_FILE',
  'S3DS_MAX_COST_USD',
  'S3DS_SHARD',
  'S3DS_SHARD_DEPTH',
  'S3DS_S5CMD_PATH',
  'S3DS_VALIDATE_SKIP',
  'S3DS_VALIDATE_TIMEOUT_SECONDS',
  'S3DS_VALIDATE_MIN_MEMORY_BYTES',
  'S3DS_VALIDATE_MIN_DISK_BYTES',
  'S3DS_VALIDATE_MIN_CPUS',
  // the image's entrypoint (docker/entrypoint.sh: where it reads the memory limit, for tests)
  'S3DS_CGROUP_ROOT',
  // scripts (run-task, deploy, build-image) and the tool cache
  'S3DS_CLUSTER',
  'S3DS_TASK_DEFINITION',
  'S3DS_SUBNETS',
  'S3DS_SECURITY_GROUPS',
  'S3DS_CAPACITY_PROVIDER',
  'S3DS_ASSIGN_PUBLIC_IP',
  'S3DS_POLL_SECONDS',
  'S3DS_CONTAINER_NAME',
  'S3DS_LOG_GROUP',
  'S3DS_ECR_REPOSITORY',
  'S3DS_CONTAINER_ENGINE',
  'S3DS_IMAGE_CACHE',
  'S3DS_REBUILD_STANDINS',
  'S3DS_DEBIAN_MIRROR',
  'S3DS_BUILD_CA_BUNDLE',
  'S3DS_SKIP_IMAGE',
  'S3DS_SKIP_LINT',
  'S3DS_TOOLS_CACHE',
];

/** Every S3DS_* name the job or its scripts read, and the retired ones (accepted with a warning). */
export function knownEnvNames(): string[] {
  return [...URL_FLAGS.map((d) => d.env), ...FLAGS.map((d) => d.env), ...OTHER_ENV_NAMES, ...RETIRED_SETTINGS.map((s) => s.env)];
}

function valuesOrThrow(layer: LabelledLayer): ConfigLayer {
  if (layer.problems.length > 0) throw ConfigError.fromIssues(layer.problems);
  return layer.values;
}

/** Parsed yargs argv → partial config (numbers and booleans coerced from text); ConfigError on a bad s3:// URL. */
export function argvToPartial(argv: Record<string, unknown>): ConfigLayer {
  return valuesOrThrow(argvLayer(argv));
}

/** Environment → partial config (see envLayer). Throws ConfigError on a bad s3:// URL. */
export function envToPartial(environ: Record<string, string | undefined>): ConfigLayer {
  return valuesOrThrow(envLayer(environ));
}

/**
 * yargs option definitions for every flag. Number flags carry no yargs type so that text like
 * 'abc' reaches validation as written instead of becoming NaN; no yargs defaults or choices are
 * set, so unset flags do not shadow lower layers and bad values are reported with all others.
 */
export function yargsOptions(): Record<string, Options> {
  const out: Record<string, Options> = retiredYargsOptions();
  for (const def of URL_FLAGS) {
    out[def.flag] = { type: 'string', requiresArg: true, describe: `${def.describe} [env ${def.env}]` };
  }
  for (const def of FLAGS) {
    const describe = `${def.describe} Accepts ${def.accepts}. [env ${def.env}]`;
    const shown = def.default === undefined ? {} : { defaultDescription: JSON.stringify(def.default) };
    switch (def.type) {
      case 'number':
        out[def.flag] = { requiresArg: true, describe, ...shown };
        break;
      case 'string':
        out[def.flag] = { type: 'string', requiresArg: true, describe, ...shown };
        break;
      case 'boolean':
        out[def.flag] = { type: 'boolean', describe, ...shown };
        break;
      case 'array':
        out[def.flag] = { type: 'string', array: true, requiresArg: true, describe, ...shown };
        break;
    }
  }
  return out;
}
