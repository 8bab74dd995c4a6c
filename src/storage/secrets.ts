/**
 * Secrets Manager payloads: a JSON config layer and destination credentials.
 *
 * Nothing here ever puts a secret's value into an error message: errors name the secret id, the
 * AWS error code and the offending field names only. (V8's JSON.parse messages quote the input,
 * so parse errors are replaced, not wrapped.)
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A secret could not be read or does not hold what it should. Never carries the value. */
export class SecretError extends Error {
  constructor(
    message: string,
    /** Name or ARN of the secret. */
    readonly secretId: string,
    /** AWS error code (e.g. ResourceNotFoundException, AccessDeniedException) when the call failed. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Parses a secret's text as a JSON object; the error never quotes the text. */
export function parseSecretText(id: string, text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new SecretError(`secret ${id} is not JSON (expected a JSON object; its content is not shown)`, id);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SecretError(`secret ${id} is not a JSON object (it holds ${describeType(doc)})`, id);
  }
  return doc as Record<string, unknown>;
}

/**
 * GetSecretValue of `id` (name or ARN; AWSCURRENT), parsed as a JSON object: SecretString, or
 * SecretBinary decoded as UTF-8.
 */
export async function loadSecretJson(client: SecretsManagerClient, id: string): Promise<Record<string, unknown>> {
  if (!id || typeof id !== 'string') throw new SecretError('a secret id (name or ARN) is required', String(id));
  // Loaded on first use: most runs read no secret, and the client costs ~50 ms of startup to load.
  const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  let out;
  try {
    out = await client.send(new GetSecretValueCommand({ SecretId: id }));
  } catch (err) {
    const e = err as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const code = e.name && e.name !== 'Error' ? e.name : (e.Code ?? e.code ?? 'UnknownError');
    const status = e.$metadata?.httpStatusCode ? `, HTTP ${e.$metadata.httpStatusCode}` : '';
    // AWS error messages describe the request (missing secret, denied action), never the value.
    const detail = e.message && e.message !== code ? `: ${e.message}` : '';
    throw new SecretError(`cannot read secret ${id} (${code}${status})${detail}`, id, code);
  }
  if (typeof out.SecretString === 'string') return parseSecretText(id, out.SecretString);
  if (out.SecretBinary && out.SecretBinary.length > 0) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(out.SecretBinary);
    } catch {
      throw new SecretError(`secret ${id} is binary but not UTF-8 text, so it is not JSON`, id);
    }
    return parseSecretText(id, text);
  }
  throw new SecretError(`secret ${id} has no value (neither SecretString nor SecretBinary)`, id);
}

// ---------------------------------------------------------------------------------------------------
// Destination credentials
// ---------------------------------------------------------------------------------------------------

export interface SecretCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface DestinationCredentials {
  credentials: SecretCredentials;
  /** S3 endpoint of the destination (an S3-compatible service), when the secret names one. */
  endpoint?: string;
  region?: string;
}

/** Accepted spellings of each field, first the canonical snake_case one. */
export const DESTINATION_FIELD_ALIASES = {
  accessKeyId: ['access_key_id', 'accessKeyId', 'aws_access_key_id', 'AccessKeyId', 'AWS_ACCESS_KEY_ID'],
  secretAccessKey: ['secret_access_key', 'secretAccessKey', 'aws_secret_access_key', 'SecretAccessKey', 'AWS_SECRET_ACCESS_KEY'],
  sessionToken: ['session_token', 'sessionToken', 'aws_session_token', 'SessionToken', 'AWS_SESSION_TOKEN'],
  endpoint: ['endpoint_url', 'endpointUrl', 'endpoint', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3'],
  region: ['region', 'aws_region', 'AWS_REGION', 'AWS_DEFAULT_REGION'],
  expiration: ['expiration', 'Expiration', 'expires_at', 'expiresAt'],
} as const satisfies Record<string, readonly string[]>;

type Field = keyof typeof DESTINATION_FIELD_ALIASES;

/** Thrown by parseDestinationCredentials; lists every problem by field name, never by value. */
export class CredentialsFormatError extends Error {
  constructor(readonly problems: string[]) {
    super(`destination credentials: ${problems.join('; ')}`);
    this.name = 'CredentialsFormatError';
  }
}

/** Epoch seconds (below 1e11) or milliseconds, or an ISO 8601 date string. */
function toDate(v: unknown): Date | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return new Date(v < 1e11 ? v * 1000 : v);
  if (typeof v === 'string' && v.trim() !== '') {
    const t = v.trim();
    const d = /^\d+(\.\d+)?$/.test(t) ? toDate(Number(t)) : new Date(t);
    return d && !Number.isNaN(d.getTime()) ? d : undefined;
  }
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  return undefined;
}

/**
 * Normalises a destination-credentials secret:
 * `{ access_key_id | accessKeyId | aws_access_key_id, secret_access_key | secretAccessKey | aws_secret_access_key,
 *    session_token?, endpoint_url?, region?, expiration? }` (see DESTINATION_FIELD_ALIASES for every spelling).
 * Errors name missing, empty, conflicting or malformed fields, never their values.
 */
export function parseDestinationCredentials(json: Record<string, unknown>): DestinationCredentials {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new CredentialsFormatError([`expected a JSON object, got ${describeType(json)}`]);
  }
  const problems: string[] = [];
  const pick = (field: Field): unknown => {
    const names = DESTINATION_FIELD_ALIASES[field];
    const present = names.filter((n) => json[n] !== undefined && json[n] !== null);
    if (present.length === 0) return undefined;
    const first = json[present[0]!];
    if (present.some((n) => json[n] !== first)) {
      problems.push(`${present.join(' and ')} are all set, to different values (keep one)`);
      return undefined;
    }
    return first;
  };
  const str = (field: Field, required: boolean): string | undefined => {
    const v = pick(field);
    const label = DESTINATION_FIELD_ALIASES[field].slice(0, 3).join(' | ');
    if (v === undefined) {
      if (required) problems.push(`missing ${label}`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(`${label} must be a non-empty string (got ${typeof v === 'string' ? 'an empty string' : describeType(v)})`);
      return undefined;
    }
    return v.trim();
  };

  const accessKeyId = str('accessKeyId', true);
  const secretAccessKey = str('secretAccessKey', true);
  const sessionToken = str('sessionToken', false);
  const endpoint = str('endpoint', false);
  const region = str('region', false);
  const rawExpiration = pick('expiration');
  let expiration: Date | undefined;
  if (rawExpiration !== undefined) {
    expiration = toDate(rawExpiration);
    if (!expiration) problems.push('expiration must be an ISO 8601 date or epoch seconds/milliseconds');
  }
  if (endpoint !== undefined) {
    let ok = false;
    try {
      const u = new URL(endpoint);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password;
    } catch {
      ok = false;
    }
    if (!ok) problems.push('endpoint_url must be an http(s) URL without user info');
  }
  if (region !== undefined && !/^[a-z0-9][a-z0-9-]{0,31}$/.test(region)) {
    problems.push('region must be a region name such as eu-west-1 (lowercase letters, digits, hyphens)');
  }
  if (problems.length > 0 || !accessKeyId || !secretAccessKey) throw new CredentialsFormatError(problems);

  const credentials: SecretCredentials = { accessKeyId, secretAccessKey };
  if (sessionToken) credentials.sessionToken = sessionToken;
  if (expiration) credentials.expiration = expiration;
  const result: DestinationCredentials = { credentials: shield(credentials) };
  if (endpoint) result.endpoint = endpoint;
  if (region) result.region = region;
  return result;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** Masked view of credentials for JSON.stringify and console/util.inspect. */
export function describeCredentials(c: SecretCredentials): Record<string, string | undefined> {
  return {
    accessKeyId: c.accessKeyId ? `${c.accessKeyId.slice(0, 4)}…` : undefined,
    secretAccessKey: '[REDACTED]',
    sessionToken: c.sessionToken ? '[REDACTED]' : undefined,
    expiration: c.expiration?.toISOString(),
  };
}

/**
 * Adds non-enumerable toJSON and util.inspect hooks so that printing or serialising the object
 * shows a masked view (the fields stay readable for the SDK).
 */
export function shield<T extends SecretCredentials>(c: T): T {
  Object.defineProperty(c, 'toJSON', { value: () => describeCredentials(c), enumerable: false });
  Object.defineProperty(c, INSPECT, { value: () => describeCredentials(c), enumerable: false });
  return c;
}
