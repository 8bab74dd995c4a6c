import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, PRESET_NAMES, PRESETS } from '../../../src/config/index.js';

const examplesDir = fileURLToPath(new URL('../../../config/examples/', import.meta.url));

// Copied from the seed document (S3 Direct Sync Best Practices: "Environment-Specific
// Configuration" and "Configuration Templates").
const SEED = {
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
    enable_performance_analytics: true,
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
} as const;

/** The seed's settings the job retired (src/config/retired.ts): left out of the presets and examples. */
function withoutRetired<T extends object>(doc: T): Partial<T> {
  const { enable_performance_analytics: _retired, ...rest } = doc as T & { enable_performance_analytics?: boolean };
  return rest as Partial<T>;
}

describe('presets', () => {
  it('has exactly the five seed names', () => {
    expect([...PRESET_NAMES]).toEqual(['dev', 'staging', 'prod', 'high-performance', 'cost-optimized']);
    expect(Object.keys(PRESETS).sort()).toEqual([...PRESET_NAMES].sort());
  });

  for (const name of PRESET_NAMES) {
    it(`${name} equals the seed, retired settings left out`, () => {
      expect(PRESETS[name]).toStrictEqual(withoutRetired(SEED[name]));
    });

    it(`config/examples/${name}.json is the seed's JSON and loads unchanged to the preset's values`, () => {
      const file = `${examplesDir}${name}.json`;
      expect(JSON.parse(readFileSync(file, 'utf8'))).toStrictEqual(withoutRetired(SEED[name]));
      const fromFile = loadConfig({ configFile: file, environ: {}, cli: {} });
      const fromPreset = loadConfig({ preset: name, environ: {}, cli: {} });
      expect(fromFile.warnings).toEqual([]);
      expect(fromFile.config).toStrictEqual(fromPreset.config);
      expect(fromFile.config.destination_bucket).toBe(SEED[name].destination_bucket);
      expect(fromFile.config.performance_optimization).toMatchObject(SEED[name].performance_optimization);
      expect([...fromFile.explicit].sort()).toEqual([...fromPreset.explicit].sort());
    });
  }

  it("the seed's prod JSON, with its retired enable_performance_analytics, loads to the prod preset's values with one warning", () => {
    const fromSeed = loadConfig({ secret: JSON.stringify(SEED.prod), environ: {}, cli: {} });
    const fromPreset = loadConfig({ preset: 'prod', environ: {}, cli: {} });
    expect(fromSeed.config).toStrictEqual(fromPreset.config);
    expect(fromSeed.warnings).toHaveLength(1);
    expect(fromSeed.warnings[0]).toMatch(/^enable_performance_analytics: retired setting in the secret, it has no effect in the job/);
    expect(fromPreset.warnings).toEqual([]);
  });

  it('applies defaults under a preset and normalises the prefix', () => {
    const { config } = loadConfig({ preset: 'high-performance', environ: {}, cli: {} });
    expect(config.destination_prefix).toBe('binance/archive/');
    expect(config.performance_optimization.storage_class).toBe('STANDARD');
    expect(config.s3_config).toEqual({ region: 'us-east-1', use_accelerated_endpoint: true, force_path_style: false });
    expect(config.source_bucket).toBe('data.binance.vision');
  });

  it('cannot be mutated through the exported object', () => {
    expect(() => {
      (PRESETS.dev as { destination_bucket: string }).destination_bucket = 'x';
    }).toThrow(TypeError);
  });
});
