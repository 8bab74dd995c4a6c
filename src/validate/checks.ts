/**
 * `validate`: the seed's pre-deployment checklist as real checks, each independent of the others
 * (one failing does not stop the rest), reported in a fixed order:
 *   config → credentials → source-listable → destination-exists → destination-writable → s5cmd
 *   → endpoint-latency → resources.
 * `preflightChecks` is the subset a run makes before it starts: the one preflight of `sync` and `plan`.
 */
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { SyncConfig } from '../config/schema.js';
import { compileSelection, type CompiledSelection } from '../config/selection.js';
import { probeS5cmd } from '../engines/s5cmd-locate.js';
import { classifyError } from '../resilience/errors.js';
import type { RetryPolicy } from '../resilience/retry.js';
import { sdkRetryConfig } from '../resilience/sdk-retry-strategy.js';
import { makeS3Client } from '../storage/clients.js';
import { resolveSides, type Sides } from '../storage/sides.js';
import { probeResources, type Resources } from '../system/probe.js';
import { configCheck } from './config-check.js';
import { judgeResources, DEFAULT_MINIMUMS, type Minimums } from './resources.js';
import { CHECK_NAMES, DEFAULT_CHECK_TIMEOUT_MS, failedChecks, type CheckName, type CheckResult } from './results.js';
import { explainCredentialCode, explainS3Error, whereLabel } from './s3-errors.js';
import { formatLatency } from '../units.js';

export { CHECK_NAMES, checksDocument, failedChecks, formatChecks, type CheckName, type CheckResult } from './results.js';
export { DEFAULT_MINIMUMS, type Minimums } from './resources.js';

/** Where the write check puts its test object, under the destination prefix. */
export const VALIDATE_PREFIX = '_s3ds-validate/';
/** Above this median the endpoint check still passes, with a hint about placement. */
const SLOW_ENDPOINT_MS = 500;

export interface ChecksInput {
  config: SyncConfig;
  /** Config fields set explicitly (loadConfig's `explicit`). */
  explicit: ReadonlySet<string>;
  /** The layer each config leaf came from (loadConfig's `origin`), shown by the config check. */
  origin?: Readonly<Record<string, string>>;
  /** The loader's warnings, shown by the config check. */
  warnings?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Destination credentials (e.g. from --destination-credentials-secret); default chain otherwise. */
  destCredentials?: AwsCredentialIdentityProvider;
  /** STS endpoint for the credentials check; default $AWS_ENDPOINT_URL_STS, else AWS STS when the destination is on AWS. */
  stsEndpoint?: string;
  minimums?: Partial<Minimums>;
  /** Check names to report as skipped without running them. */
  skip?: readonly string[];
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** Resources to judge instead of probing this machine (tests). */
  probe?: () => Promise<Resources>;
  /** The run's sides and selection when already resolved (resolved from the config otherwise). */
  sides?: Sides;
  selection?: CompiledSelection;
  /** The run's S3 clients (its requests are counted and retried as the run's); own clients otherwise. */
  clients?: { source: S3Client; dest: S3Client };
}

interface Ctx {
  input: ChecksInput;
  sides: Sides;
  selection: CompiledSelection;
  source: S3Client;
  dest: S3Client;
  timeoutMs: number;
}

type Outcome = Omit<CheckResult, 'name'>;
type CheckFn = (ctx: Ctx) => Promise<Outcome>;

/** Runs every check (minus `skip`), in the order of CHECK_NAMES. */
export async function runChecks(input: ChecksInput): Promise<CheckResult[]> {
  return runNamed(input, CHECK_NAMES);
}

/**
 * What a run checks before it starts: the source can be listed and the destination exists; with
 * validation on (`sync` unless --no-validate) also that the destination can be written (when the
 * run writes) and that s5cmd runs when it is forced.
 */
export async function preflightChecks(input: ChecksInput & { needWrite: boolean; checkS5cmd?: boolean }): Promise<CheckResult[]> {
  const names: CheckName[] = ['source-listable', 'destination-exists'];
  if (input.needWrite) names.push('destination-writable');
  if (input.config.engine === 's5cmd' && input.checkS5cmd !== false) names.push('s5cmd');
  return runNamed(input, names);
}

/** The message a failed preflight stops the run with (exit 4), or undefined when every check passed. */
export function preflightFailure(results: readonly CheckResult[]): string | undefined {
  if (failedChecks(results).length === 0) return undefined;
  return `preflight failed (run 'validate' for every check):\n${describeFailures(results)}`;
}

/** The failed checks as one message per line (detail, then hint), for an error or a log line. */
export function describeFailures(results: readonly CheckResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map((r) => `${r.name}: ${r.detail.split('\n')[0]}${r.hint ? ` (hint: ${r.hint})` : ''}`)
    .join('\n');
}

/** The run's retry policy: a check passes or fails as the run's own requests would. */
function retryPolicy(config: SyncConfig): RetryPolicy {
  return { retryCount: config.performance_optimization.retry_count };
}

async function runNamed(input: ChecksInput, names: readonly CheckName[]): Promise<CheckResult[]> {
  const sides = input.sides ?? resolveSides(input.config, input.explicit, input.destCredentials);
  const clients = input.clients ?? {
    source: makeS3Client({ ...sides.source.client, maxSockets: 8, retries: { policy: retryPolicy(input.config) } }),
    dest: makeS3Client({ ...sides.dest.client, maxSockets: 8, retries: { policy: retryPolicy(input.config) } }),
  };
  const ctx: Ctx = {
    input,
    sides,
    selection: input.selection ?? compileSelection(input.config),
    ...clients,
    timeoutMs: input.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
  };
  const skip = new Set(input.skip ?? []);
  const run = async (name: CheckName): Promise<CheckResult> => {
    if (skip.has(name)) return { name, ok: true, skipped: true, detail: 'skipped (--skip)' };
    try {
      return { name, ...(await CHECKS[name](ctx)) };
    } catch (err) {
      // A check never takes the others down with it.
      return { name, ok: false, detail: `the check itself failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  };
  try {
    // The latency check runs alone afterwards, so the other checks' requests do not skew it.
    const first = names.filter((n) => n !== 'endpoint-latency');
    const results = new Map<CheckName, CheckResult>();
    for (const r of await Promise.all(first.map(run))) results.set(r.name, r);
    if (names.includes('endpoint-latency')) results.set('endpoint-latency', await run('endpoint-latency'));
    return names.map((n) => results.get(n)!);
  } finally {
    if (!input.clients) for (const c of [ctx.source, ctx.dest]) c.destroy();
  }
}

const CHECKS: Record<CheckName, CheckFn> = {
  config: async (ctx) => configCheck({ sides: ctx.sides, origin: ctx.input.origin, warnings: ctx.input.warnings, config: ctx.input.config }),
  credentials: credentialsCheck,
  'source-listable': sourceListable,
  'destination-exists': destinationExists,
  'destination-writable': destinationWritable,
  s5cmd: s5cmdCheck,
  'endpoint-latency': endpointLatency,
  resources: resourcesCheck,
};

function signal(ctx: Ctx): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(ctx.timeoutMs) };
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: roundMs(performance.now() - t0) };
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function maskKeyId(id: string): string {
  return id.length > 4 ? `…${id.slice(-4)}` : '…';
}

async function credentialsCheck(ctx: Ctx): Promise<Outcome> {
  const { config, env } = ctx.input;
  const endpoint = ctx.input.stsEndpoint ?? (env.AWS_ENDPOINT_URL_STS?.trim() || undefined);
  const s3Endpoint = ctx.sides.dest.client.endpoint;
  const provider = ctx.input.destCredentials ?? fromNodeProviderChain();
  const from = ctx.input.destCredentials ? 'the destination credentials secret' : 'the default credential chain';
  if (!endpoint && s3Endpoint) {
    // An S3-compatible server without STS: the credentials can be found, not verified here.
    try {
      const c = await provider();
      return {
        ok: true,
        skipped: true,
        detail:
          `not verified: ${s3Endpoint} is not AWS and no STS endpoint is set (AWS_ENDPOINT_URL_STS); ` +
          `access key ${maskKeyId(c.accessKeyId)}${c.sessionToken ? ' (temporary)' : ''} from ${from}; ` +
          `the bucket checks use it`,
      };
    } catch (err) {
      const why = explainCredentialCode('CredentialsProviderError')!;
      return { ok: false, detail: `${why.detail} in ${from}: ${err instanceof Error ? err.message : String(err)}`, hint: why.hint };
    }
  }
  const region = config.s3_config.region;
  // Loaded here: only validate's credentials check calls STS, and the client costs ~50 ms to load.
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const sts = new STSClient({ region, endpoint, credentials: provider, ...sdkRetryConfig(retryPolicy(config)) });
  const where = endpoint ?? `AWS STS (${region})`;
  try {
    const { value: id, ms } = await timed(() => sts.send(new GetCallerIdentityCommand({}), signal(ctx)));
    return { ok: true, detail: `${id.Arn ?? 'unknown ARN'} (account ${id.Account ?? 'unknown'}), from ${from}, confirmed by ${where}`, latency_ms: ms };
  } catch (err) {
    const c = classifyError(err);
    const why = explainCredentialCode(c.code);
    if (why) return { ok: false, detail: `${where} refused the credentials from ${from}: ${why.detail}`, hint: why.hint };
    if (c.class === 'network') {
      return {
        ok: false,
        detail: `cannot reach ${where}: ${c.code ?? c.message}`,
        hint: endpoint ? `check AWS_ENDPOINT_URL_STS (${endpoint})` : 'check DNS and routes to STS (NAT gateway or an STS VPC endpoint)',
      };
    }
    return { ok: false, detail: `GetCallerIdentity at ${where} failed: ${c.code ?? c.status ?? ''} ${c.message}`.replace(/\s+/g, ' ').trim() };
  } finally {
    sts.destroy();
  }
}

async function sourceListable(ctx: Ctx): Promise<Outcome> {
  const side = ctx.sides.source;
  const prefixes = ctx.selection.prefixes;
  if (prefixes.length === 0) {
    return {
      ok: false,
      detail: `the selection leaves nothing to list: ${ctx.selection.describe()}`,
      hint: 'the prefixes and folder filters exclude each other; widen one of them',
    };
  }
  const prefix = prefixes[0]!;
  const anonymous = Boolean(side.client.anonymous);
  const attempt = {
    side: 'source' as const,
    action: 's3:ListBucket',
    bucket: side.location.bucket,
    key: prefix,
    endpoint: side.client.endpoint,
    region: side.client.region,
    anonymous,
    timeoutMs: ctx.timeoutMs,
  };
  try {
    const { value: page, ms } = await timed(() =>
      ctx.source.send(new ListObjectsV2Command({ Bucket: side.location.bucket, Prefix: prefix, MaxKeys: 1 }), signal(ctx)),
    );
    const first = page.Contents?.[0]?.Key;
    const which = prefixes.length > 1 ? ` (the first of ${prefixes.length} selected prefixes)` : '';
    const how = anonymous ? ', unsigned' : '';
    return first === undefined
      ? {
          ok: true,
          detail: `listed s3://${side.location.bucket}/${prefix}${which}${how}: no objects under it`,
          hint: 'nothing to mirror there yet; check the selection',
          latency_ms: ms,
        }
      : { ok: true, detail: `listed s3://${side.location.bucket}/${prefix}${which}${how}: first key ${first}`, latency_ms: ms };
  } catch (err) {
    return { ok: false, ...explainS3Error(err, attempt) };
  }
}

async function destinationExists(ctx: Ctx): Promise<Outcome> {
  const { location, client } = ctx.sides.dest;
  const attempt = {
    side: 'destination' as const,
    action: 's3:ListBucket',
    bucket: location.bucket,
    key: location.prefix,
    endpoint: client.endpoint,
    region: client.region,
    timeoutMs: ctx.timeoutMs,
  };
  try {
    // A prefixed listing, not HeadBucket: a least-privilege role may list only under its prefix.
    const { value: page, ms } = await timed(() =>
      ctx.dest.send(new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, MaxKeys: 1 }), signal(ctx)),
    );
    const state = (page.KeyCount ?? page.Contents?.length ?? 0) > 0 ? 'already holds objects' : 'is empty';
    return {
      ok: true,
      detail: `bucket '${location.bucket}' exists at ${whereLabel(client.endpoint, client.region)}; s3://${location.bucket}/${location.prefix} ${state}`,
      latency_ms: ms,
    };
  } catch (err) {
    return { ok: false, ...explainS3Error(err, attempt) };
  }
}

/**
 * Proves the destination takes writes without leaving anything behind and without needing
 * s3:DeleteObject (a copy-mode role has none): a multipart upload is started (that needs
 * s3:PutObject, like every copy) and aborted (s3:AbortMultipartUpload, which the job needs anyway).
 */
async function destinationWritable(ctx: Ctx): Promise<Outcome> {
  const { location, client } = ctx.sides.dest;
  const key = `${location.prefix}${VALIDATE_PREFIX}${randomUUID()}`;
  const url = `s3://${location.bucket}/${key}`;
  const base = { side: 'destination' as const, bucket: location.bucket, key, endpoint: client.endpoint, region: client.region, timeoutMs: ctx.timeoutMs };
  const t0 = performance.now();
  let uploadId: string | undefined;
  try {
    const created = await ctx.dest.send(new CreateMultipartUploadCommand({ Bucket: location.bucket, Key: key, ContentType: 'text/plain' }), signal(ctx));
    uploadId = created.UploadId;
  } catch (err) {
    return { ok: false, ...explainS3Error(err, { ...base, action: 's3:PutObject' }) };
  }
  try {
    await ctx.dest.send(new AbortMultipartUploadCommand({ Bucket: location.bucket, Key: key, UploadId: uploadId }), signal(ctx));
  } catch (err) {
    const why = explainS3Error(err, { ...base, action: 's3:AbortMultipartUpload' });
    return {
      ok: false,
      detail: `started a multipart upload at ${url}, but could not abort it: ${why.detail}`,
      hint:
        `${why.hint ? `${why.hint}; ` : ''}the job aborts the uploads it cannot finish, ` +
        `so it needs s3:AbortMultipartUpload; the destination's lifecycle rule removes this one`,
      latency_ms: roundMs(performance.now() - t0),
    };
  }
  return { ok: true, detail: `started and aborted a multipart upload at ${url}`, latency_ms: roundMs(performance.now() - t0) };
}

async function s5cmdCheck(ctx: Ctx): Promise<Outcome> {
  const forced = ctx.input.config.engine === 's5cmd';
  const probe = await probeS5cmd(ctx.input.env);
  if (probe.available) return { ok: true, detail: `${probe.reason}${forced ? ' (forced by --engine s5cmd)' : ''}` };
  if (forced) {
    return {
      ok: false,
      detail: `${probe.reason}, and --engine s5cmd requires it`,
      hint: 'install s5cmd (the image has it) or point S3DS_S5CMD_PATH at it; or let the job choose (no --engine) to use the SDK engine',
    };
  }
  return { ok: true, detail: `${probe.reason}: the job uses its SDK engine (server-side CopyObject) instead` };
}

/** The S3 endpoint a side's requests go to: its custom endpoint, or AWS S3's regional one. */
export function s3EndpointUrl(client: { endpoint?: string; region: string; accelerate?: boolean }): string {
  if (client.endpoint) return client.endpoint;
  if (client.accelerate) return 'https://s3-accelerate.amazonaws.com';
  return `https://s3.${client.region}.amazonaws.com${client.region.startsWith('cn-') ? '.cn' : ''}`;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One HEAD request; any HTTP answer counts (an unsigned request is refused, fast). */
function headOnce(url: URL, agent: HttpAgent, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'HEAD', agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => resolve());
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
    req.end();
  });
}

/** `count` small requests in a row on one kept-alive connection, as the job's clients send them. */
async function measure(url: string, timeoutMs: number, count = 3): Promise<{ times: number[] } | { error: string }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { error: `'${url}' is not a URL` };
  }
  const agent = target.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      try {
        await headOnce(target, agent, timeoutMs);
      } catch (err) {
        const e = err as Error & { code?: string };
        return { error: `request ${i + 1} of ${count} failed: ${e.code ?? e.message}${e.code === 'ETIMEDOUT' ? ` (${e.message})` : ''}` };
      }
      times.push(roundMs(performance.now() - t0));
    }
  } finally {
    agent.destroy();
  }
  return { times };
}

async function endpointLatency(ctx: Ctx): Promise<Outcome> {
  const targets = [{ label: 'destination', url: s3EndpointUrl(ctx.sides.dest.client) }];
  const sourceUrl = s3EndpointUrl(ctx.sides.source.client);
  if (sourceUrl !== targets[0]!.url) targets.push({ label: 'source', url: sourceUrl });
  const parts: string[] = [];
  const failures: string[] = [];
  let worst = 0;
  for (const t of targets) {
    const m = await measure(t.url, ctx.timeoutMs);
    const who = targets.length > 1 ? `${t.label} ` : '';
    if ('error' in m) {
      failures.push(`cannot reach ${who}${t.url}: ${m.error}`);
      continue;
    }
    const med = median(m.times);
    worst = Math.max(worst, med);
    parts.push(`${who}${t.url}: median ${formatLatency(med)} of ${m.times.length} requests (${m.times.map((x) => formatLatency(x)).join(', ')})`);
  }
  if (failures.length > 0) {
    return {
      ok: false,
      detail: [...failures, ...parts].join('; '),
      hint: 'check the endpoint URL, DNS, proxies, security groups and routes (NAT gateway or S3 VPC endpoint)',
    };
  }
  return {
    ok: true,
    detail: parts.join('; '),
    latency_ms: worst,
    ...(worst > SLOW_ENDPOINT_MS ? { hint: `a median above ${SLOW_ENDPOINT_MS} ms slows every request: run the job in the buckets' region` } : {}),
  };
}

async function resourcesCheck(ctx: Ctx): Promise<Outcome> {
  const resources = await (ctx.input.probe ?? probeResources)();
  const min: Minimums = { ...DEFAULT_MINIMUMS };
  for (const k of ['memoryBytes', 'diskBytes', 'cpus'] as const) {
    const v = ctx.input.minimums?.[k];
    if (v !== undefined) min[k] = v;
  }
  return judgeResources(resources, min);
}
