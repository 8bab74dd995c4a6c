/** Joins a prefix and a relative key without doubling or dropping the separator the prefix ends with. */
export function joinKey(prefix: string, rel: string): string {
  return prefix + rel;
}

/** The part of `key` after `prefix`; throws if the key is not under it (a listing bug, not user input). */
export function relativeKey(prefix: string, key: string): string {
  if (!key.startsWith(prefix)) throw new Error(`key '${key}' is not under prefix '${prefix}'`);
  return key.slice(prefix.length);
}
