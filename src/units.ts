/**
 * Units and how they are written (pure). Sizes are binary: "MB" in a setting name (`part_size_mb`),
 * a rate (`mb_per_second`) or a price per GB means MiB or GiB, as S3 and AWS bill them. Network
 * rates are the exception: a megabit is 10^6 bits (`rate_limit_mbps`, link speeds).
 */

export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;
export const TIB = 1024 * GIB;

/** Megabits per second (SI, a network rate) to bytes per second. */
export function megabitsPerSecondToBytes(mbps: number): number {
  return (mbps * 1_000_000) / 8;
}

/** `512 B`, `1.5 KiB`, `2.0 GiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** `45s`, `3m07s`, `2h05m`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `4.2 ms` below 10 ms, else whole milliseconds. */
export function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** `$0`, `$0.00042` (under a cent), `$1,234.50`. */
export function formatUsd(n: number): string {
  if (n === 0) return '$0';
  if (Math.abs(n) < 0.01) return `$${n.toFixed(5)}`;
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  t: 1000 ** 4,
  tb: 1000 ** 4,
  ki: KIB,
  kib: KIB,
  mi: MIB,
  mib: MIB,
  gi: GIB,
  gib: GIB,
  ti: TIB,
  tib: TIB,
};

/**
 * A byte count as written by a person: `1073741824`, `1e9`, `512MiB`, `1.5 GiB`, `2GB` (decimal),
 * `4Gi`. Case-insensitive. Throws RangeError naming what it accepts.
 */
export function parseByteSize(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return Math.round(text);
    throw new RangeError(`expected a byte count ≥ 0, got ${text}`);
  }
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(e[+-]?\d+)?\s*([a-z]*)\s*$/i.exec(text);
  const factor = m ? BYTE_UNITS[m[3]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new RangeError(`expected a byte count such as 1073741824, 512MiB, 1.5GiB or 2GB, got '${text}'`);
  const value = Number(m[1]! + (m[2] ?? '')) * factor;
  if (!Number.isFinite(value)) throw new RangeError(`byte count '${text}' is too large`);
  return Math.round(value);
}

/** MiB per second (how rates are given) to megabits per second (how links are rated): × 2^20 × 8 / 10^6. */
export function mibPerSecondToMegabits(mibPerSecond: number): number {
  return mibPerSecond * 8.388608;
}
