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
 * The seed's environment configurations and templates, value for value (also shipped as
 * config/examples/*.json). Keys left out fall back to the schema defaults.
 */
export const PRESETS: Readonly<Record<PresetName, SyncConfigInput>> = deepFreeze({
  dev: {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'dev-crypto-lakehouse-bronze',
    performance_optimization: { max_concurrent: 4, batch_size: 50, part_size_mb: 25, retry_count: 3 },
    enable_detailed_logging: true,
  },
  staging: {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'staging-crypto-lakehouse-bronze',
    performance_optimization: { max_concurrent: 8, batch_size: 100, part_size_mb: 50, retry_count: 5 },
    enable_monitoring: true,
  },
  prod: {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'prod-crypto-lakehouse-bronze',
    performance_optimization: { max_concurrent: 16, batch_size: 200, part_size_mb: 100, retry_count: 5 },
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
    performance_optimization: {
      max_concurrent: 32,
      batch_size: 500,
      part_size_mb: 100,
      retry_count: 3,
      enable_multipart_threshold_mb: 50,
    },
    s3_config: { region: 'us-east-1', use_accelerated_endpoint: true },
  },
  'cost-optimized': {
    enable_s3_direct_sync: true,
    operation_mode: 'auto',
    destination_bucket: 'cost-opt-lakehouse',
    sync_mode: 'sync',
    enable_incremental: true,
    performance_optimization: {
      max_concurrent: 8,
      batch_size: 100,
      part_size_mb: 50,
      retry_count: 5,
      storage_class: 'STANDARD_IA',
    },
    s3_config: { region: 'us-east-1' },
  },
});
