import type { SyncConfigInput } from './schema.js';

export const PRESET_NAMES = ['dev', 'staging', 'prod', 'high-performance', 'cost-optimized'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The seed's environment configurations and templates (also shipped as config/examples/*.json): an
 * environment's policy (destination, sync mode, storage class, logging, monitoring, cost tracking).
 * The seed's tuning numbers (max_concurrent, batch_size, part_size_mb, retry_count) are left out:
 * they were sized for workers that move bytes through the machine, and a preset value counts as set,
 * so it would override the sizing (src/system/sizing.ts) on every machine. Keys left out fall back
 * to the schema defaults or to the sizing.
 */
export const PRESETS: Readonly<Record<PresetName, SyncConfigInput>> = deepFreeze({
  dev: {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'dev-crypto-lakehouse-bronze',
    enable_detailed_logging: true,
  },
  staging: {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'staging-crypto-lakehouse-bronze',
    enable_monitoring: true,
  },
  prod: {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'prod-crypto-lakehouse-bronze',
    enable_monitoring: true,
    enable_cost_tracking: true,
  },
  'high-performance': {
    enable_s3_direct_sync: true,
    operation_mode: 'direct_sync',
    destination_bucket: 'high-perf-lakehouse',
    destination_prefix: 'binance/archive',
    sync_mode: 'copy',
    enable_incremental: true,
    performance_optimization: { enable_multipart_threshold_mb: 50 },
    s3_config: { region: 'us-east-1', use_accelerated_endpoint: true },
  },
  'cost-optimized': {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'cost-opt-lakehouse',
    sync_mode: 'sync',
    enable_incremental: true,
    performance_optimization: { storage_class: 'STANDARD_IA' },
    s3_config: { region: 'us-east-1' },
  },
});
