/** Key paths as S3 sees them: its listing order, and the folders a key lies in. */
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

/** The first `depth` folders of a key, with the trailing '/' (a shallower key: all its folders). */
export function prefixOf(key: string, depth: number): string {
  let end = -1;
  for (let i = 0; i < depth; i++) {
    const next = key.indexOf('/', end + 1);
    if (next < 0) break;
    end = next;
  }
  return key.slice(0, end + 1);
}
