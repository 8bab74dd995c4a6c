/**
 * The config check (pure). The schema has already accepted the configuration when validate gets
 * this far (an invalid one exits 2 before any check runs); this reports which layer set which
 * values, passes on the loader's warnings, and refuses a destination that overlaps the source.
 */
import type { Sides } from '../storage/sides.js';
import type { CheckResult } from './results.js';

/** Layers from lowest to highest precedence, as the loader names them. */
const LAYER_ORDER = ['preset', 'file', 'secret', 'env', 'cli'] as const;
const SHOWN_PER_LAYER = 8;

export interface ConfigCheckInput {
  sides: Pick<Sides, 'source' | 'dest' | 'serverSide'>;
  /** The layer each leaf's value came from (loadConfig's `origin`). */
  origin?: Readonly<Record<string, string>>;
  /** The loader's warnings. */
  warnings?: readonly string[];
}

/**
 * Source and destination in the same bucket on the same server with one prefix inside the other:
 * every run would copy its own copies again (destination inside source), or a sync-mode run would
 * delete the source (source inside destination).
 */
export function locationConflict(sides: ConfigCheckInput['sides']): string | undefined {
  const src = sides.source.location;
  const dst = sides.dest.location;
  if (!sides.serverSide.possible || src.bucket !== dst.bucket) return undefined;
  const at = `s3://${dst.bucket}/`;
  if (src.prefix === dst.prefix) return `source and destination are the same place (${at}${src.prefix})`;
  if (dst.prefix.startsWith(src.prefix)) return `the destination ${at}${dst.prefix} lies inside the source ${at}${src.prefix}: every run would copy its own copies again`;
  if (src.prefix.startsWith(dst.prefix)) return `the source ${at}${src.prefix} lies inside the destination ${at}${dst.prefix}: a sync-mode run would delete what it mirrors`;
  return undefined;
}

export function configCheck(i: ConfigCheckInput): CheckResult {
  const byLayer = new Map<string, string[]>();
  for (const [path, layer] of Object.entries(i.origin ?? {})) {
    if (layer === 'default') continue;
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), path]);
  }
  const layers = [...byLayer.keys()].sort((a, b) => rank(a) - rank(b));
  const total = [...byLayer.values()].reduce((n, paths) => n + paths.length, 0);
  const lines = [`schema valid; ${total} ${total === 1 ? 'value' : 'values'} set above the defaults${layers.length ? ` by ${layers.join(' < ')}` : ''}`];
  for (const layer of layers) {
    const paths = byLayer.get(layer)!.sort();
    const shown = paths.slice(0, SHOWN_PER_LAYER).join(', ');
    lines.push(`${layer}: ${shown}${paths.length > SHOWN_PER_LAYER ? ` (+${paths.length - SHOWN_PER_LAYER} more)` : ''}`);
  }
  for (const w of i.warnings ?? []) lines.push(`warning: ${w}`);
  const conflict = locationConflict(i.sides);
  if (conflict) {
    return { name: 'config', ok: false, detail: [conflict, ...lines].join('\n'), hint: 'choose a destination bucket or prefix outside the source' };
  }
  return { name: 'config', ok: true, detail: lines.join('\n') };
}

function rank(layer: string): number {
  const i = (LAYER_ORDER as readonly string[]).indexOf(layer);
  return i < 0 ? LAYER_ORDER.length : i;
}
