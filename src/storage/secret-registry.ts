/**
 * Every secret string loaded so far (Secrets Manager values, the environment's secret keys), for the
 * redactor and for messages written outside the logger. Kept apart from credentials.ts so that
 * masking an error message does not load the SDK.
 */
import { maskUrlUserInfo } from '../observe/redact.js';

/** Strings that must never be logged. Values are kept after rotation: old ones stay masked too. */
export class SecretRegistry {
  private readonly known = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const v of values) if (typeof v === 'string' && v.length > 0) this.known.add(v);
  }

  values(): ReadonlySet<string> {
    return new Set(this.known);
  }

  /** Replaces every known value in `text` with [REDACTED]. */
  scrub(text: string): string {
    let s = text;
    for (const v of this.known) if (v.length >= 4 && s.includes(v)) s = s.split(v).join('[REDACTED]');
    return s;
  }
}

/** The process's registry: what secretValues() returns and scrubSecrets() masks. */
export const defaultRegistry = new SecretRegistry();

/** The secret strings loaded so far by fromSecret() (and registerSecretValue()), for redact(). */
export function secretValues(): ReadonlySet<string> {
  return defaultRegistry.values();
}

/** Adds strings to the set secretValues() returns (e.g. a token read elsewhere). */
export function registerSecretValue(...values: Array<string | undefined>): void {
  defaultRegistry.add(...values);
}

/** The secret credentials a process may be given in its environment; the access key id is not one. */
const ENV_SECRETS = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'] as const;

/** Registers the secret credentials of the environment, so that they are masked like loaded ones. */
export function registerEnvironmentSecrets(env: Record<string, string | undefined>): void {
  defaultRegistry.add(...ENV_SECRETS.map((name) => env[name]));
}

/** `text` with every registered secret value and URL user info masked: for messages written outside the logger. */
export function scrubSecrets(text: string): string {
  return defaultRegistry.scrub(maskUrlUserInfo(text));
}
