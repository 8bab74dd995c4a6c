/** Code units that S3's UTF-8 order and JS's UTF-16 order may disagree on. */
const HIGH_UNITS = /[\ud800-\uffff]/;

/**
 * Orders keys the way S3 lists them: by the bytes of their UTF-8 encoding. Plain JS string
 * comparison orders UTF-16 code units, which disagrees for characters above U+FFFF (surrogates)
 * against U+E000–U+FFFF, so the differing code units are remapped before comparing.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  // Without U+D800 and above in one of them, the first differing code units cannot both be remapped.
  if (!HIGH_UNITS.test(a) || !HIGH_UNITS.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      ca = ca < 0xe000 ? ca + 0x2000 : ca - 0x800;
      cb = cb < 0xe000 ? cb + 0x2000 : cb - 0x800;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Joins a prefix and a relative key without doubling or dropping the separator the prefix ends with. */
export function joinKey(prefix: string, rel: string): string {
  return prefix + rel;
}

/** The part of `key` after `prefix`; throws if the key is not under it (a listing bug, not user input). */
export function relativeKey(prefix: string, key: string): string {
  if (!key.startsWith(prefix)) throw new Error(`key '${key}' is not under prefix '${prefix}'`);
  return key.slice(prefix.length);
}
