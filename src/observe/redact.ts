/** Field names whose values are secrets wherever they appear. */
const SECRET_FIELD = /secret|password|token|credential|authorization|signature|private[_-]?key|access[_-]?key[_-]?id|session/i;
/** Values that look like AWS secrets whatever the field: secret keys and session tokens. */
const SECRET_VALUE =
  /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])|(?:ASIA|AKIA)[A-Z0-9]{16}|X-Amz-Signature=[0-9a-f]+|X-Amz-Security-Token=[^&\s]+/g;
const MASK = '[REDACTED]';
/** The user:password part of a URL (scheme://user:password@host). */
const URL_USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** Replaces the user info of every URL in a text with the mask. */
export function maskUrlUserInfo(text: string): string {
  return text.replace(URL_USER_INFO, `$1${MASK}@`);
}

/**
 * Returns a copy of a log record with every secret masked: known secret values, URL user info and,
 * unless `byShape` is false, secret-named fields and AWS key shapes. The report turns the shapes off:
 * an object key can be 40 base64-like characters.
 */
export function redact<T>(value: T, secrets: Iterable<string>, opts: { byShape?: boolean } = {}): T {
  const byShape = opts.byShape ?? true;
  const known = [...secrets].filter((s) => s && s.length >= 4);
  const seen = new WeakSet<object>();
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') {
      if (byShape && key && SECRET_FIELD.test(key) && v.length > 0) return MASK;
      let s = v;
      for (const k of known) if (s.includes(k)) s = s.split(k).join(MASK);
      return maskUrlUserInfo(byShape ? s.replace(SECRET_VALUE, MASK) : s);
    }
    if (v && typeof v === 'object') {
      if (seen.has(v)) return v;
      seen.add(v);
      if (v instanceof Error) return walk({ name: v.name, message: v.message }, key);
      if (v instanceof Date) return v;
      if (Array.isArray(v)) return v.map((x) => walk(x));
      const out: Record<string | symbol, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      // winston keeps level and message under symbols too.
      for (const sym of Object.getOwnPropertySymbols(v)) out[sym] = walk((v as Record<symbol, unknown>)[sym]);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
