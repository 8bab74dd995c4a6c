/**
 * Error classes decided from AWS error codes, HTTP status and Node error codes, never message text
 * (s5cmd only reports a string; its leading code and "status code: N" are parsed in the s5cmd engine).
 */
export type ErrorClass = 'permission' | 'throttling' | 'network' | 'service' | 'vanished' | 'client' | 'unknown';

export interface ClassifiedError {
  class: ErrorClass;
  code?: string;
  status?: number;
  message: string;
  retryable: boolean;
}

const PERMISSION = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AccountProblem',
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'Forbidden',
  // versitygw's answer for an access key it does not know.
  'XAdminUserNotFound',
]);
const THROTTLING = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestThrottled',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
]);
const SERVICE = new Set(['InternalError', 'ServiceUnavailable', 'InternalFailure', 'ServerError', 'NotImplementedYet']);
const VANISHED = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'AbortError',
]);

export function classifyCode(code: string | undefined, status: number | undefined): ErrorClass {
  if (code && PERMISSION.has(code)) return 'permission';
  if (code && THROTTLING.has(code)) return 'throttling';
  if (code && VANISHED.has(code)) return 'vanished';
  if (code && NETWORK.has(code)) return 'network';
  if (code && SERVICE.has(code)) return 'service';
  if (status === 403 || status === 401) return 'permission';
  if (status === 429 || status === 503) return 'throttling';
  if (status === 404) return 'vanished';
  if (status !== undefined && status >= 500) return 'service';
  if (status !== undefined && status >= 400) return 'client';
  return 'unknown';
}

export function isRetryableClass(c: ErrorClass): boolean {
  return c === 'throttling' || c === 'network' || c === 'service' || c === 'unknown';
}

interface ErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  cause?: unknown;
}

export function classifyError(err: unknown): ClassifiedError {
  const e = (err ?? {}) as ErrorLike;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  // The SDK names errors after the S3 code; Node socket errors carry `code`.
  let code = e.Code ?? (e.name && e.name !== 'Error' ? e.name : undefined) ?? e.code;
  if ((!code || code === 'Error') && typeof e.code === 'string') code = e.code;
  let cls = classifyCode(code, status);
  if (cls === 'unknown' && e.cause) {
    const inner = classifyError(e.cause);
    if (inner.class !== 'unknown') return { ...inner, message: e.message ?? inner.message };
  }
  if (cls === 'unknown' && typeof e.code === 'string' && NETWORK.has(e.code)) cls = 'network';
  const message = e.message || code || String(err);
  return { class: cls, code, status, message, retryable: isRetryableClass(cls) };
}
