/**
 * Credential providers per side.
 *
 * - defaultChain(): the SDK's Node chain (env, SSO, ini, web identity, ECS task role, IMDS).
 * - fromSecret(): credentials kept in a Secrets Manager secret (see parseDestinationCredentials),
 *   cached, and read again before they expire; a secret without `expiration` (long-term keys,
 *   rotated in place) is read again every hour.
 *
 * About `expiration` on the identities handed to the SDK: an SDK client caches an identity without
 * expiration forever and asks its provider again only within 5 minutes of an expiration. So for a
 * secret without one, the identity carries a synthetic expiration (next re-read + that window);
 * for one with an expiration, the identity carries the real one.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import {
  CredentialsFormatError,
  SecretError,
  describeCredentials,
  loadSecretJson,
  parseDestinationCredentials,
  shield,
  type DestinationCredentials,
} from './secrets.js';
import { defaultRegistry, type SecretRegistry } from './secret-registry.js';

/** The SDK's default Node.js credential chain. */
export function defaultChain(init?: Parameters<typeof fromNodeProviderChain>[0]): AwsCredentialIdentityProvider {
  return fromNodeProviderChain(init);
}

/** AWS_* variables for a child process (s5cmd) signing with these credentials. */
export function credentialsToEnv(identity: AwsCredentialIdentity): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: identity.accessKeyId,
    AWS_SECRET_ACCESS_KEY: identity.secretAccessKey,
  };
  if (identity.sessionToken) env.AWS_SESSION_TOKEN = identity.sessionToken;
  return env;
}

// ---------------------------------------------------------------------------------------------------
// fromSecret
// ---------------------------------------------------------------------------------------------------

/** How close to its expiration an SDK client asks its provider again (smithy's memoizeIdentityProvider). */
export const SDK_EXPIRY_WINDOW_MS = 5 * 60_000;

export interface FromSecretOptions {
  /** Reload this long before the credentials' expiration. Default 5 minutes. */
  refreshMarginMs?: number;
  /** Re-read interval of a secret without expiration. Default 1 hour. */
  rereadIntervalMs?: number;
  /** After a failed reload while the cached credentials are still valid, try again after this. Default 30 s. */
  retryAfterErrorMs?: number;
  /** Never reload sooner than this after a load (credentials that expire very soon). Default 30 s. */
  minReloadIntervalMs?: number;
  /** Clock (ms since epoch). */
  now?: () => number;
  /** Loads the secret's JSON; default loadSecretJson(client, id). */
  load?: (id: string) => Promise<Record<string, unknown>>;
  /** Where loaded values are registered for redaction; default the module's (secretValues()). */
  registry?: SecretRegistry;
  /** Called when a reload fails but the cached credentials are still valid and kept. */
  onRefreshError?: (err: SecretError) => void;
}

export interface SecretProviderState {
  secretId: string;
  loads: number;
  loadedAt?: Date;
  refreshAt?: Date;
  /** The credentials' own expiration (none for long-term keys). */
  expiration?: Date;
  lastError?: string;
}

export interface SecretCredentialsProvider extends AwsCredentialIdentityProvider {
  readonly secretId: string;
  /** Endpoint and region the secret names, if any (loads the secret on first use). */
  settings(): Promise<{ endpoint?: string; region?: string }>;
  /** Cache state without any secret value. */
  state(): SecretProviderState;
  /** Masked description (what JSON.stringify shows). */
  toJSON(): SecretProviderState;
}

interface Cached {
  parsed: DestinationCredentials;
  identity: AwsCredentialIdentity;
  loadedAt: number;
  refreshAt: number;
}

/** When to read the secret again; see FromSecretOptions for each. */
interface RefreshTiming {
  margin: number;
  reread: number;
  retryAfterError: number;
  minReload: number;
}

function refreshTiming(opts: FromSecretOptions): RefreshTiming {
  const t = {
    margin: opts.refreshMarginMs ?? 5 * 60_000,
    reread: opts.rereadIntervalMs ?? 60 * 60_000,
    retryAfterError: opts.retryAfterErrorMs ?? 30_000,
    minReload: opts.minReloadIntervalMs ?? 30_000,
  };
  const named = { refreshMarginMs: t.margin, rereadIntervalMs: t.reread, retryAfterErrorMs: t.retryAfterError, minReloadIntervalMs: t.minReload };
  for (const [name, v] of Object.entries(named)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`fromSecret: ${name} must be a number >= 0`);
  }
  if (t.reread <= 0) throw new RangeError('fromSecret: rereadIntervalMs must be > 0');
  return t;
}

/** Any failure to load secret `id` as a SecretError whose message holds no secret value. */
function toSecretError(err: unknown, id: string, registry: SecretRegistry): SecretError {
  if (err instanceof SecretError) return new SecretError(registry.scrub(err.message), id, err.code);
  if (err instanceof CredentialsFormatError) return new SecretError(`secret ${id}: ${registry.scrub(err.message)}`, id);
  const e = err as { name?: string; message?: string };
  return new SecretError(`cannot load credentials from secret ${id}: ${registry.scrub(String(e?.message ?? err))}`, id, e?.name);
}

/** The identity handed to the SDK for freshly read credentials, and when to read the secret again. */
function cacheEntry(id: string, parsed: DestinationCredentials, timing: RefreshTiming, t: number): Cached {
  const c = parsed.credentials;
  let refreshAt: number;
  let identityExpiration: Date;
  if (c.expiration) {
    const exp = c.expiration.getTime();
    if (exp <= t) throw new SecretError(`secret ${id} holds credentials that expired at ${c.expiration.toISOString()} (is its rotation running?)`, id);
    refreshAt = Math.min(exp, Math.max(exp - timing.margin, t + timing.minReload));
    identityExpiration = c.expiration;
  } else {
    refreshAt = t + timing.reread;
    identityExpiration = new Date(refreshAt + SDK_EXPIRY_WINDOW_MS);
  }
  const identity = shield({
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
    expiration: identityExpiration,
  });
  return { parsed, identity, loadedAt: t, refreshAt };
}

function readWith(client: SecretsManagerClient | undefined): (id: string) => Promise<Record<string, unknown>> {
  return (secretId: string) => {
    if (!client) throw new SecretError(`no Secrets Manager client to read secret ${secretId}`, secretId);
    return loadSecretJson(client, secretId);
  };
}

/**
 * A credentials provider backed by a Secrets Manager secret holding destination credentials.
 * `client` may be undefined when `opts.load` is given.
 */
export function fromSecret(client: SecretsManagerClient | undefined, id: string, opts: FromSecretOptions = {}): SecretCredentialsProvider {
  const now = opts.now ?? Date.now;
  const registry = opts.registry ?? defaultRegistry;
  const load = opts.load ?? readWith(client);
  if (!id) throw new SecretError('fromSecret needs a secret id (name or ARN)', String(id));
  const timing = refreshTiming(opts);

  let cache: Cached | undefined;
  let inflight: Promise<Cached> | undefined;
  let loads = 0;
  let lastError: string | undefined;

  const reload = async (): Promise<Cached> => {
    const t = now();
    const parsed = parseDestinationCredentials(await load(id));
    const c = parsed.credentials;
    // Register first: whatever happens next, these strings are masked from now on.
    registry.add(c.accessKeyId, c.secretAccessKey, c.sessionToken);
    loads++;
    return cacheEntry(id, parsed, timing, t);
  };

  /** A failed reload keeps cached credentials that are still valid, and tries again a little later. */
  const keepCacheOrThrow = (err: unknown): Cached => {
    const e = toSecretError(err, id, registry);
    lastError = e.message;
    const t = now();
    const exp = cache?.parsed.credentials.expiration?.getTime();
    if (!cache || (exp !== undefined && t >= exp)) throw e;
    cache.refreshAt = Math.min(t + timing.retryAfterError, exp ?? Infinity);
    opts.onRefreshError?.(e);
    return cache;
  };

  const get = async (force: boolean): Promise<Cached> => {
    if (!force && cache && now() < cache.refreshAt) return cache;
    inflight ??= reload()
      .then((c) => {
        cache = c;
        lastError = undefined;
        return c;
      })
      .catch(keepCacheOrThrow)
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  const state = (): SecretProviderState => ({
    secretId: id,
    loads,
    ...(cache ? { loadedAt: new Date(cache.loadedAt), refreshAt: new Date(cache.refreshAt) } : {}),
    ...(cache?.parsed.credentials.expiration ? { expiration: cache.parsed.credentials.expiration } : {}),
    ...(lastError ? { lastError } : {}),
  });

  const provider = async (props?: Record<string, unknown>): Promise<AwsCredentialIdentity> => (await get(props?.forceRefresh === true)).identity;
  const INSPECT = Symbol.for('nodejs.util.inspect.custom');
  const inspect = () => ({ provider: 'fromSecret', ...state(), credentials: cache ? describeCredentials(cache.parsed.credentials) : undefined });
  Object.defineProperty(provider, INSPECT, { value: inspect, enumerable: false });
  return Object.assign(provider, {
    secretId: id,
    settings: async () => {
      const c = await get(false);
      return { ...(c.parsed.endpoint ? { endpoint: c.parsed.endpoint } : {}), ...(c.parsed.region ? { region: c.parsed.region } : {}) };
    },
    state,
    toJSON: state,
  });
}
