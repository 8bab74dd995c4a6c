/**
 * The config check (pure). The schema has already accepted the configuration when validate gets
 * this far (an invalid one exits 2 before any check runs); this reports which layer set which
 * values, passes on the loader's warnings, and refuses a destination that overlaps the source
 * (or a bucket-root destination in sync mode).
 */
import type { SyncConfig } from '../config/schema.js';
import { sidesRefusal } from '../storage/overlap.js';
import type { Sides } from '../storage/sides.js';
import type { CheckResult } from './results.js';

/** Layers from lowest to highest precedence, as the loader names them. */
const LAYER_ORDER = ['preset', 'file', 'secret', 'env', 'cli'] as const;
const SHOWN_PER_LAYER = 8;

export interface ConfigCheckInput {
  sides: Pick<Sides, 'source' | 'dest'>;
  /** The layer each leaf's value came from (loadConfig's `origin`). */
  origin?: Readonly<Record<string, string>>;
  /** The loader's warnings. */
  warnings?: readonly string[];
  /** What decides whether a bucket-root destination is refused. */
  config?: Pick<SyncConfig, 'sync_mode' | 'allow_bucket_root'>;
}

/**
 * Source and destination that overlap in one bucket of one store (or, in sync mode, a destination
 * at the bucket root): see storage/overlap. Every command refuses these before any request (exit
 * 2); the config check reports the same finding for a caller that runs the checks directly.
 */
export function locationConflict(
  sides: ConfigCheckInput['sides'],
  config: ConfigCheckInput['config'] = { sync_mode: 'copy', allow_bucket_root: true },
): string | undefined {
  return sidesRefusal(sides, config)?.message;
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
  const refusal = sidesRefusal(i.sides, i.config ?? { sync_mode: 'copy', allow_bucket_root: true });
  if (refusal) {
    const hint =
      refusal.reason === 'overlap' ? 'choose a destination bucket or prefix outside the source' : 'give the destination a prefix, or pass --allow-bucket-root';
    return { name: 'config', ok: false, detail: [refusal.message, ...lines].join('\n'), hint };
  }
  return { name: 'config', ok: true, detail: lines.join('\n') };
}

function rank(layer: string): number {
  const i = (LAYER_ORDER as readonly string[]).indexOf(layer);
  return i < 0 ? LAYER_ORDER.length : i;
}
