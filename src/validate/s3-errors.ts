/**
 * What an S3 or STS error means for the person running the job: one line saying what was refused
 * where, and a hint naming what to change. Decided from error codes, HTTP status and Node error
 * codes (classifyError), never from message text.
 */
import { classifyError } from '../resilience/errors.js';

export interface Explained {
  detail: string;
  hint?: string;
}

export interface S3Attempt {
  side: 'source' | 'destination';
  /** The S3 action as IAM names it (s3:ListBucket, s3:PutObject, ...). */
  action: string;
  bucket: string;
  /** Prefix listed or key written. */
  key: string;
  /** Endpoint URL, or undefined for AWS S3. */
  endpoint?: string;
  region: string;
  /** Requests were sent unsigned (source_no_sign_request). */
  anonymous?: boolean;
  /** How long the check waited before giving up, for a timeout message. */
  timeoutMs?: number;
}

const REGION_CODES = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'IncorrectEndpoint']);

export function whereLabel(endpoint: string | undefined, region: string): string {
  return `${endpoint ?? 'AWS S3'} (${region})`;
}

/** The IAM resource an action applies to: the bucket for listings, objects for the rest. */
function resourceArn(a: S3Attempt): string {
  return a.action === 's3:ListBucket' ? `arn:aws:s3:::${a.bucket}${a.key ? ` with s3:prefix '${a.key}'` : ''}` : `arn:aws:s3:::${a.bucket}/${a.key}`;
}

/** Why credentials were refused, from the error code alone; undefined when the code is not about credentials. */
export function explainCredentialCode(code: string | undefined): Explained | undefined {
  switch (code) {
    case 'InvalidAccessKeyId':
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
    case 'XAdminUserNotFound': // versitygw's answer to an access key it has no account for.
      return {
        detail: `the access key id is not known to the server (${code})`,
        hint: 'check AWS_ACCESS_KEY_ID / AWS_PROFILE (or --destination-credentials-secret) and that the key is active',
      };
    case 'SignatureDoesNotMatch':
      return {
        detail: 'the secret access key does not match the access key id (SignatureDoesNotMatch)',
        hint: 'check AWS_SECRET_ACCESS_KEY (or the profile or secret it comes from)',
      };
    case 'ExpiredToken':
    case 'ExpiredTokenException':
    case 'InvalidToken':
    case 'TokenRefreshRequired':
      return {
        detail: `the session token is expired or invalid (${code})`,
        hint: 'refresh the temporary credentials (aws sso login, a new AssumeRole session) or use the task role',
      };
    case 'RequestTimeTooSkewed':
      return {
        detail: "this machine's clock differs from the server's by more than 15 minutes (RequestTimeTooSkewed)",
        hint: 'set the clock right (NTP, chrony, systemd-timesyncd)',
      };
    case 'CredentialsProviderError':
      return {
        detail: 'no credentials were found (CredentialsProviderError)',
        hint: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an IAM role (ECS task role, instance profile)',
      };
    default:
      return undefined;
  }
}

/** Explains a failed S3 request: missing bucket, refused action, bad credentials, wrong region, unreachable endpoint. */
export function explainS3Error(err: unknown, a: S3Attempt): Explained {
  const c = classifyError(err);
  const where = whereLabel(a.endpoint, a.region);
  const url = `s3://${a.bucket}/${a.key}`;
  const code = c.code ?? (c.status !== undefined ? `HTTP ${c.status}` : undefined);
  if (c.code === 'NoSuchBucket' || (c.code === undefined && c.status === 404 && a.action === 's3:ListBucket')) {
    return {
      detail: `${a.side} bucket '${a.bucket}' does not exist at ${where}`,
      hint:
        a.side === 'destination'
          ? 'create the bucket, or check the destination bucket name, --endpoint-url and --region'
          : 'check --source, --source-endpoint-url and --source-region',
    };
  }
  const credentials = explainCredentialCode(c.code);
  if (credentials) return { detail: `${a.action} on ${url} refused: ${credentials.detail} at ${where}`, hint: credentials.hint };
  if (c.code !== undefined && REGION_CODES.has(c.code)) {
    return {
      detail: `${a.side} bucket '${a.bucket}' is not in ${a.region} (${c.code}) at ${where}`,
      hint: a.side === 'destination' ? "set --region to the bucket's region" : "set --source-region to the bucket's region",
    };
  }
  if (c.class === 'permission') {
    const hint = a.anonymous
      ? `the ${a.side} is read unsigned (--source-no-sign-request): the bucket must allow anonymous ${a.action}; ` +
        `drop the flag to sign with credentials that may`
      : a.side === 'source' && a.bucket === 'data.binance.vision'
        ? 'the public Binance archive can be read without credentials: add --source-no-sign-request'
        : `the credentials need ${a.action} on ${resourceArn(a)} (IAM policy, bucket policy, or a VPC endpoint policy)`;
    return { detail: `${a.action} on ${url} denied (${code ?? 'AccessDenied'}) at ${where}`, hint };
  }
  if (c.code === 'AbortError' || c.code === 'TimeoutError') {
    return {
      detail: `${a.action} on ${url} got no answer within ${a.timeoutMs !== undefined ? `${Math.round(a.timeoutMs / 1000)} s` : 'the timeout'} at ${where}`,
      hint: 'check the endpoint, DNS, security groups and routes (NAT gateway or S3 VPC endpoint)',
    };
  }
  if (c.class === 'network') {
    return {
      detail: `cannot reach ${where} for ${a.action} on ${url}: ${code ?? c.message}`,
      hint: a.endpoint ? `check that a server listens at ${a.endpoint}` : 'check DNS, security groups and routes (NAT gateway or S3 VPC endpoint)',
    };
  }
  const what = code && c.message && c.message !== code ? `${code}: ${c.message}` : (code ?? c.message);
  return { detail: `${a.action} on ${url} failed at ${where}: ${what}` };
}
