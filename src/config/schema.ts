import { z } from 'zod';
import { maskUrlUserInfo } from '../observe/redact.js';
import { FREQUENCIES, MARKETS } from './binance-layout.js';
import { isRelativeDate, relativeDays } from './relative-date.js';

/**
 * What each leaf accepts, in words. Validation messages, `--help` and docs all read it, so every
 * leaf is registered here by the field helpers below.
 */
export const fieldMeta = z.registry<{ accepts: string }>();

function leaf<T extends z.ZodType>(schema: T, accepts: string): T {
  fieldMeta.add(schema, { accepts });
  return schema;
}

function intField(min: number, max: number | undefined, def: number, description: string) {
  const accepts = max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
  const error = { error: accepts };
  const base = z.int(error).min(min, error);
  return leaf((max === undefined ? base : base.max(max, error)).default(def).describe(description), accepts);
}

function optionalPositive(description: string) {
  const accepts = 'a positive number';
  const error = { error: accepts };
  return leaf(z.number(error).positive(error).optional().describe(description), accepts);
}

function boolField(def: boolean, description: string) {
  const accepts = 'true or false';
  return leaf(z.boolean({ error: accepts }).default(def).describe(description), accepts);
}

function enumAccepts(values: readonly string[]): string {
  return `one of: ${values.join(', ')}`;
}

function enumField<const T extends readonly [string, ...string[]]>(values: T, def: T[number], description: string) {
  const accepts = enumAccepts(values);
  return leaf(z.enum(values, { error: accepts }).default(def).describe(description), accepts);
}

function enumListField<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  const accepts = `a list of: ${values.join(', ')}`;
  const error = { error: accepts };
  return leaf(z.array(z.enum(values, error), error).default([]).describe(description), accepts);
}

/** A list of non-empty strings, each checked by `ok` (default: no '/'), since each becomes one key segment or glob. */
function stringListField(itemAccepts: string, ok: (s: string) => boolean, description: string, normalise: (s: string) => string = (s) => s) {
  const accepts = `a list of ${itemAccepts}`;
  const error = { error: accepts };
  return leaf(z.array(z.string(error).refine(ok, error).overwrite(normalise), error).default([]).describe(description), accepts);
}

/** Archive symbols are upper case: ASCII letters are upper-cased, any other character is kept (币安人生usdt → 币安人生USDT). */
export function normaliseSymbol(s: string): string {
  return s.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

function isHttpUrl(s: string): boolean {
  if (!/^https?:\/\//i.test(s)) return false;
  try {
    const u = new URL(s);
    // user:password@ would put a secret into logs and reports; credentials have their own inputs.
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

function urlField(description: string) {
  const accepts =
    'an http(s) URL such as https://s3.example.com or http://localhost:9000, without user:password@ (credentials come from the AWS chain or --destination-credentials-secret)';
  const error = { error: accepts };
  return leaf(z.string(error).refine(isHttpUrl, error).optional().describe(description), accepts);
}

/** A key prefix as the job uses it: no leading '/', and a folder ('' or ending in '/'). */
export function normalisePrefix(p: string): string {
  const s = p.replace(/^\/+/, '');
  return s === '' || s.endsWith('/') ? s : `${s}/`;
}

function prefixField(def: string, description: string) {
  const accepts = "a key prefix (a leading '/' is dropped; a trailing '/' is added)";
  return leaf(z.string({ error: accepts }).overwrite(normalisePrefix).default(def).describe(description), accepts);
}

/** S3 general purpose bucket naming rules (the ones that can be checked offline). */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3')
  );
}

const BUCKET_ACCEPTS =
  'an S3 bucket name: 3-63 characters, lowercase letters, digits, dots and hyphens, ' +
  'starting and ending with a letter or digit, no "..", not an IP address';

/** A source can be any S3-compatible server, whose bucket names may be looser than AWS's. */
const SOURCE_BUCKET_ACCEPTS = 'a bucket name: 1-255 letters, digits, dots, hyphens or underscores';

// S3-compatible servers use free-form region names ('auto', 'garage'), so only the character set is checked.
const REGION_ACCEPTS = 'a region name such as us-east-1 (1-64 letters, digits, hyphens or underscores)';
const REGION_RE = /^[A-Za-z0-9_-]{1,64}$/;

function regionField(def: string, description: string) {
  const error = { error: REGION_ACCEPTS };
  return leaf(z.string(error).regex(REGION_RE, error).default(def).describe(description), REGION_ACCEPTS);
}

export interface ParsedDate {
  year: number;
  month: number;
  /** Undefined for a month (YYYY-MM). */
  day: number | undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses YYYY-M[M][-D[D]] into numbers; undefined when not a real calendar date. */
export function parseDateParts(year: string, month: string, day: string | undefined): ParsedDate | undefined {
  const y = Number(year);
  const m = Number(month);
  const d = day === undefined ? undefined : Number(day);
  if (!Number.isInteger(y) || !Number.isInteger(m) || m < 1 || m > 12) return undefined;
  if (d !== undefined && (!Number.isInteger(d) || d < 1 || d > daysInMonth(y, m))) return undefined;
  return { year: y, month: m, day: d };
}

/**
 * Parses a configured date bound: strictly zero-padded YYYY-MM-DD or YYYY-MM, or `-Nd`, the day N
 * days before `now`'s day (UTC; `-0d` is today).
 */
export function parseConfigDate(s: string, now: Date = new Date()): ParsedDate | undefined {
  const back = relativeDays(s);
  if (back !== undefined) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back));
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(s);
  return m ? parseDateParts(m[1]!, m[2]!, m[3]) : undefined;
}

/** A parsed bound as the config spells absolute ones: YYYY-MM-DD, or YYYY-MM for a month. */
export function formatDate(d: ParsedDate): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.year}-${pad(d.month)}${d.day === undefined ? '' : `-${pad(d.day)}`}`;
}

/** First day a bound covers, as a sortable number YYYYMMDD. */
export function dateStart(d: ParsedDate): number {
  return d.year * 10000 + d.month * 100 + (d.day ?? 1);
}

/** Last day a bound covers, as a sortable number YYYYMMDD. */
export function dateEnd(d: ParsedDate): number {
  return d.year * 10000 + d.month * 100 + (d.day ?? daysInMonth(d.year, d.month));
}

const DATE_ACCEPTS = 'a date YYYY-MM-DD, a month YYYY-MM, or -Nd for N days before today in UTC (for example 2024-01-31, 2024-01 or -3d)';

function dateField(description: string) {
  const error = { error: DATE_ACCEPTS };
  return leaf(
    z
      .string(error)
      .refine((s) => parseConfigDate(s) !== undefined, error)
      .optional()
      .describe(description),
    DATE_ACCEPTS,
  );
}

const noSlash = (s: string) => s !== '' && !s.includes('/');

export const OPERATION_MODES = ['auto', 'direct_sync', 'traditional'] as const;
export const ENGINES = ['s5cmd', 'sdk', 'stream'] as const;
export const SYNC_MODES = ['copy', 'sync'] as const;
export const DESTINATION_ETAGS = ['opaque', 'md5'] as const;
export const STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'INTELLIGENT_TIERING',
  'ONEZONE_IA',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
  'REDUCED_REDUNDANCY',
] as const;

function strictObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape, { error: `an object with keys: ${Object.keys(shape).join(', ')}` });
}

const performanceSchema = strictObject({
  max_concurrent: intField(1, 1024, 16, 'Objects copied at the same time.'),
  batch_size: intField(1, 100000, 100, 'Objects handed to the engine per batch (one s5cmd run file per batch).'),
  part_size_mb: intField(5, 5120, 64, 'Part size in MiB for multipart copies and uploads.'),
  retry_count: intField(0, 20, 5, 'Retries per object after the first attempt fails with a retryable error.'),
  enable_multipart_threshold_mb: intField(5, 5120, 100, 'Objects at least this many MiB are copied in parts (UploadPartCopy / multipart upload).'),
  storage_class: enumField(STORAGE_CLASSES, 'STANDARD', 'Storage class of the copied objects.'),
  rate_limit_mbps: optionalPositive(
    'Bandwidth cap in megabits per second for bytes that pass through this machine (download-and-upload copies, ' +
      'verification reads); server-side copies move no bytes here.',
  ),
  available_bandwidth_mbps: optionalPositive(
    'Bandwidth of this machine in megabits per second, for bandwidth_priority (the seed: high 80%, medium 50%, low 25%).',
  ),
  bandwidth_priority: leaf(
    z
      .enum(['high', 'medium', 'low'], { error: enumAccepts(['high', 'medium', 'low']) })
      .optional()
      .describe('Share of available_bandwidth_mbps to use when rate_limit_mbps is not set: high 80%, medium 50%, low 25%.'),
    enumAccepts(['high', 'medium', 'low']),
  ),
  max_requests_per_second: optionalPositive('Cap on S3 requests per second sent by the job itself (all engines it drives; s5cmd paces itself).'),
})
  .prefault({})
  .describe('Throughput, batching, retry and storage settings.');

const s3ConfigSchema = strictObject({
  region: regionField('us-east-1', 'Region of the destination bucket.'),
  use_accelerated_endpoint: boolField(false, 'Use S3 Transfer Acceleration for the destination bucket.'),
  endpoint_url: urlField('Endpoint of an S3-compatible destination server instead of AWS S3.'),
  force_path_style: boolField(false, 'Address the destination bucket in the URL path (needed by most S3-compatible servers).'),
})
  .prefault({})
  .describe('Destination S3 client settings.');

const selectionShape = {
  prefixes: stringListField(
    "key prefixes relative to source_prefix (no leading '/')",
    (s) => s !== '' && !s.startsWith('/'),
    'Key prefixes to mirror, relative to source_prefix; empty mirrors the whole source prefix.',
  ),
  include: stringListField(
    'non-empty glob patterns',
    (s) => s !== '',
    'Glob patterns (picomatch) on the key relative to source_prefix; when set, only matching keys are mirrored.',
  ),
  exclude: stringListField(
    'non-empty glob patterns',
    (s) => s !== '',
    'Glob patterns (picomatch) on the key relative to source_prefix; matching keys are never mirrored.',
  ),
  markets: enumListField(MARKETS, 'Binance markets to mirror; empty means all.'),
  frequencies: enumListField(FREQUENCIES, 'Binance file frequencies to mirror; empty means both.'),
  data_types: stringListField(
    "data type names without '/' (klines, aggTrades, trades, bookTicker, fundingRate, BVOLIndex, ...)",
    noSlash,
    'Binance data types to mirror (klines, aggTrades, trades, ...); empty means all.',
  ),
  symbols: stringListField(
    "symbols without '/' (BTCUSDT, btcusdt, BTCUSD_PERP, ...)",
    noSlash,
    'Symbols to mirror (ASCII letters are upper-cased: btcusdt is BTCUSDT); a COIN-M contract (BTCUSD_PERP) also selects its pair ' +
      '(BTCUSD) under indexPriceKlines; empty means all.',
    normaliseSymbol,
  ),
  intervals: stringListField(
    'kline intervals such as 1s, 1m, 15m, 1h, 1d, 1w, 1mo',
    (s) => /^\d+(s|m|h|d|w|mo)$/.test(s),
    'Kline intervals to mirror (1m, 1h, 1d, ...); applies to kline data types only; empty means all.',
  ),
  date_from: dateField(
    'Mirror only files dated on or after this day or month (from the date in the file name; a monthly file is in when its month overlaps the range).',
  ),
  date_to: dateField('Mirror only files dated on or before this day or month (from the date in the file name).'),
};

/**
 * What date_from must be when the window is empty once resolved against `now` (a config error's
 * text), or undefined when it is not empty (or a bound is missing or invalid).
 */
export function emptyDateWindow(dateFrom: string | undefined, dateTo: string | undefined, now: Date = new Date()): string | undefined {
  if (dateFrom === undefined || dateTo === undefined) return undefined;
  const from = parseConfigDate(dateFrom, now);
  const to = parseConfigDate(dateTo, now);
  if (!from || !to || dateStart(from) <= dateEnd(to)) return undefined;
  const spell = (raw: string, d: ParsedDate) => (isRelativeDate(raw) ? `${raw}, that is ${formatDate(d)}` : raw);
  const resolvedFrom = isRelativeDate(dateFrom) ? ` (${spell(dateFrom, from)})` : '';
  return `a date on or before selection.date_to (${spell(dateTo, to)})${resolvedFrom}`;
}

const selectionSchema = strictObject(selectionShape)
  .superRefine((sel, ctx) => {
    const empty = emptyDateWindow(sel.date_from, sel.date_to);
    if (empty) ctx.addIssue({ code: 'custom', path: ['date_from'], message: empty });
  })
  .prefault({})
  .describe('Which part of the Binance archive to mirror.');

export const syncConfigSchema = z.object(
  {
    enable_s3_direct_sync: boolField(true, 'Copy server-side (S3 CopyObject) where possible; false always streams through this machine.'),
    operation_mode: enumField(
      OPERATION_MODES,
      'auto',
      'auto picks the fastest working engine; direct_sync requires a server-side copy; traditional streams through this machine.',
    ),
    engine: leaf(
      z
        .enum(ENGINES, { error: enumAccepts(ENGINES) })
        .optional()
        .describe('Force one copy engine; unset lets the job choose.'),
      enumAccepts(ENGINES),
    ),
    source_bucket: leaf(
      z
        .string({ error: SOURCE_BUCKET_ACCEPTS })
        .regex(/^[A-Za-z0-9._-]{1,255}$/, { error: SOURCE_BUCKET_ACCEPTS })
        .default('data.binance.vision')
        .describe('Bucket to mirror from.'),
      SOURCE_BUCKET_ACCEPTS,
    ),
    source_prefix: prefixField('data/', 'Key prefix in the source bucket to mirror.'),
    source_region: regionField('ap-northeast-1', 'Region of the source bucket.'),
    source_endpoint_url: urlField('Endpoint of an S3-compatible source server instead of AWS S3.'),
    source_no_sign_request: boolField(false, 'Read the source anonymously (unsigned requests).'),
    destination_bucket: leaf(
      z.string({ error: BUCKET_ACCEPTS }).refine(isValidBucketName, { error: BUCKET_ACCEPTS }).describe('Bucket to mirror into (required).'),
      BUCKET_ACCEPTS,
    ),
    destination_prefix: prefixField('', 'Key prefix in the destination bucket under which the source keys are written.'),
    sync_mode: enumField(SYNC_MODES, 'copy', 'copy only adds and updates objects; sync also deletes destination objects missing from the source.'),
    max_delete: intField(0, undefined, 1000, 'In sync mode, refuse to delete more than this many objects in one run.'),
    max_delete_percent: intField(0, 100, 10, "In sync mode, refuse to delete more than this share (percent) of the destination's selected objects in one run."),
    force_deletes: boolField(
      false,
      'In sync mode, delete even when the source selection lists no objects or the deletes exceed max_delete_percent (max_delete still applies).',
    ),
    allow_bucket_root: boolField(
      false,
      'Allow sync mode with a destination at the bucket root (s3://BUCKET/), where every other object in the bucket would be deleted.',
    ),
    enable_incremental: boolField(true, 'Skip objects already present and unchanged in the destination; false copies everything.'),
    destination_etags: enumField(
      DESTINATION_ETAGS,
      'opaque',
      "What the destination's single-part ETags are: opaque (SSE-KMS: not the MD5, so when they differ a " +
        "destination written after the source's LastModified is current; only this job may write the destination) " +
        'or md5 (SSE-S3 or no encryption: a different ETag always copies again).',
    ),
    shutdown_deadline_seconds: intField(
      0,
      3600,
      25,
      'On SIGTERM/SIGINT, seconds in-flight copies may take to finish before they are aborted (Fargate Spot gives 30 s before SIGKILL).',
    ),
    lease: boolField(
      true,
      'Hold a lease on the destination (its prefix, or with --shard that shard) while writing, ' +
        'taken with S3 conditional writes, so two runs never write the same objects at once. false is for servers ' +
        'without If-None-Match/If-Match on PutObject; then nothing stops two runs overlapping, ' +
        'and left-over multipart uploads are not cleaned up.',
    ),
    lease_ttl_seconds: intField(
      5,
      86400,
      300,
      "Seconds a run's destination lease lasts without renewal (renewed every third of it); " +
        "a crashed run's lease lapses after this. The minimum of 5 exists for tests; " +
        'keep it well above a few request round trips.',
    ),
    metrics: enumField(
      ['emf', 'api', 'cloudwatch', 'off', 'none'] as const,
      'emf',
      'How run metrics reach CloudWatch: emf = Embedded Metric Format lines on stdout (no API call, no IAM); ' +
        'api (or cloudwatch) = PutMetricData; off (or none) = not at all.',
    ),
    verify_checksums: boolField(
      true,
      'Verify every copied X.zip against the SHA-256 in its source X.zip.CHECKSUM (from the copy response or the ' +
        'server where it can tell, else by reading the copy).',
    ),
    performance_optimization: performanceSchema,
    s3_config: s3ConfigSchema,
    selection: selectionSchema,
    enable_detailed_logging: boolField(false, 'Log every object and engine command (debug level).'),
    enable_monitoring: boolField(false, 'Emit CloudWatch metrics (Embedded Metric Format log lines).'),
    enable_cost_tracking: boolField(false, 'Estimate request and transfer cost and add it to the report and metrics.'),
  },
  { error: 'an object of configuration keys' },
);

/** The resolved configuration. */
export type SyncConfig = z.infer<typeof syncConfigSchema>;
/** What a config file, preset or secret may hold: every key with a default may be left out. */
export type SyncConfigInput = z.input<typeof syncConfigSchema>;

type LeafPaths<T, P extends string = ''> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends readonly unknown[]
    ? `${P}${K}`
    : NonNullable<T[K]> extends object
      ? LeafPaths<NonNullable<T[K]>, `${P}${K}.`>
      : `${P}${K}`;
}[keyof T & string];

/** Dotted path of every leaf of the configuration, e.g. 'performance_optimization.max_concurrent'. */
export type ConfigPath = LeafPaths<SyncConfig>;

export type LeafKind = 'number' | 'string' | 'boolean' | 'array';

export interface SchemaLeaf {
  path: string;
  kind: LeafKind;
  description: string;
  accepts: string;
  default: unknown;
  required: boolean;
  choices?: readonly string[];
}

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): { inner: AnySchema; def: unknown; required: boolean } {
  let s = schema;
  let def: unknown;
  let required = true;
  for (;;) {
    if (s instanceof z.ZodDefault) {
      def = s._zod.def.defaultValue;
      required = false;
      s = s._zod.def.innerType as AnySchema;
    } else if (s instanceof z.ZodPrefault || s instanceof z.ZodOptional) {
      required = false;
      s = s._zod.def.innerType as AnySchema;
    } else {
      return { inner: s, def, required };
    }
  }
}

function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  const { inner } = unwrap(schema);
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, AnySchema>) : undefined;
}

/** The shape of the object at `path` ('' is the root), or undefined when `path` is not an object. */
export function shapeAt(path: readonly string[]): Record<string, AnySchema> | undefined {
  let shape: Record<string, AnySchema> | undefined = syncConfigSchema.shape as Record<string, AnySchema>;
  for (const k of path) {
    const child: AnySchema | undefined = shape?.[k];
    if (!child) return undefined;
    shape = objectShape(child);
  }
  return shape;
}

function kindOf(inner: AnySchema): { kind: LeafKind; choices?: readonly string[] } {
  if (inner instanceof z.ZodNumber) return { kind: 'number' };
  if (inner instanceof z.ZodBoolean) return { kind: 'boolean' };
  if (inner instanceof z.ZodEnum) return { kind: 'string', choices: inner.options as string[] };
  if (inner instanceof z.ZodString) return { kind: 'string' };
  if (inner instanceof z.ZodArray) {
    const el = unwrap(inner.element as AnySchema).inner;
    return el instanceof z.ZodEnum ? { kind: 'array', choices: el.options as string[] } : { kind: 'array' };
  }
  throw new Error(`config schema: unsupported leaf type ${inner._zod.def.type}`);
}

/** Every leaf of the schema in declaration order, with what `--help` and the docs need to say about it. */
export function schemaLeaves(): SchemaLeaf[] {
  const out: SchemaLeaf[] = [];
  const walk = (shape: Record<string, AnySchema>, prefix: string) => {
    for (const [key, field] of Object.entries(shape)) {
      const path = prefix + key;
      const nested = objectShape(field);
      if (nested) {
        walk(nested, `${path}.`);
        continue;
      }
      const { inner, def, required } = unwrap(field);
      const accepts = fieldMeta.get(field)?.accepts;
      if (accepts === undefined) throw new Error(`config schema: leaf ${path} has no accepts text`);
      out.push({ path, ...kindOf(inner), description: field.description ?? '', accepts, default: def, required });
    }
  };
  walk(syncConfigSchema.shape as Record<string, AnySchema>, '');
  return out;
}

/** One bad field: where it is, what it got and from which layer, and what it accepts. */
export interface ConfigIssue {
  path: string;
  /** False when the field was not set at all (a required field). */
  hasValue: boolean;
  value?: unknown;
  /** The layer the value came from, e.g. "file ./prod.json", "env S3DS_MAX_CONCURRENT", "cli --max-concurrent". */
  source: string;
  accepts: string;
}

function formatValue(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return JSON.stringify(maskUrlUserInfo(v));
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function formatIssue(i: ConfigIssue): string {
  const got = i.hasValue ? `got ${formatValue(i.value)} from ${i.source}` : `not set (${i.source})`;
  return `${i.path}: ${got}; accepts ${i.accepts}`;
}

/** Bad configuration or usage: the CLI exits with `exitCode` (2). */
export class ConfigError extends Error {
  readonly exitCode = 2;
  readonly issues: readonly ConfigIssue[];

  constructor(message: string, issues: readonly ConfigIssue[] = []) {
    super(message);
    this.name = 'ConfigError';
    this.issues = issues;
  }

  /** `unknown`: one line per unknown key or variable, already worded. */
  static fromIssues(issues: readonly ConfigIssue[], unknown: readonly string[] = []): ConfigError {
    const n = issues.length + unknown.length;
    const head = `invalid configuration (${n} ${n === 1 ? 'problem' : 'problems'}):`;
    return new ConfigError([head, ...unknown.map((u) => `  ${u}`), ...issues.map((i) => `  ${formatIssue(i)}`)].join('\n'), issues);
  }
}
