import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, PRESET_NAMES, PRESETS } from '../../../src/config/index.js';
import { examplePreset, examplesDir } from '../../helpers/presets.js';

// config/examples holds the seed document's presets (S3 Direct Sync Best Practices: "Environment-Specific
// Configuration" and "Configuration Templates") as JSON, without the settings the job retired
// (src/config/retired.ts): the presets in the code must equal them.
describe('presets', () => {
  it('has exactly the five seed names', () => {
    expect([...PRESET_NAMES]).toEqual(['dev', 'staging', 'prod', 'high-performance', 'cost-optimized']);
    expect(Object.keys(PRESETS).sort()).toEqual([...PRESET_NAMES].sort());
  });

  for (const name of PRESET_NAMES) {
    it(`${name} equals config/examples/${name}.json`, () => {
      expect(PRESETS[name]).toStrictEqual(examplePreset(name));
    });

    it(`config/examples/${name}.json loads unchanged to the preset's values`, () => {
      const file = join(examplesDir, `${name}.json`);
      const example = examplePreset(name);
      const fromFile = loadConfig({ configFile: file, environ: {}, cli: {} });
      const fromPreset = loadConfig({ preset: name, environ: {}, cli: {} });
      expect(fromFile.warnings).toEqual([]);
      expect(fromFile.config).toStrictEqual(fromPreset.config);
      expect(fromFile.config.destination_bucket).toBe(example.destination_bucket);
      expect(fromFile.config.performance_optimization).toMatchObject(example.performance_optimization);
      expect([...fromFile.explicit].sort()).toEqual([...fromPreset.explicit].sort());
    });
  }

  it("a prod config that still sets the retired enable_performance_analytics (as the seed's did) loads to the prod preset's values with one warning", () => {
    const seedProd = { ...examplePreset('prod'), enable_performance_analytics: true };
    const fromSeed = loadConfig({ secret: JSON.stringify(seedProd), environ: {}, cli: {} });
    const fromPreset = loadConfig({ preset: 'prod', environ: {}, cli: {} });
    expect(fromSeed.config).toStrictEqual(fromPreset.config);
    expect(fromSeed.warnings).toHaveLength(1);
    expect(fromSeed.warnings[0]).toMatch(/^enable_performance_analytics: retired setting in the secret, it has no effect in the job/);
    expect(fromPreset.warnings).toEqual([]);
  });

  it('applies defaults under a preset and normalises the prefix', () => {
    const { config } = loadConfig({ preset: 'high-performance', environ: {}, cli: {} });
    const example = examplePreset('high-performance');
    expect(example.destination_prefix).toBe('binance/archive');
    expect(config.destination_prefix).toBe('binance/archive/');
    expect(example.performance_optimization.storage_class).toBeUndefined();
    expect(config.performance_optimization.storage_class).toBe('STANDARD');
    expect(config.s3_config).toEqual({ ...(example.s3_config as object), force_path_style: false });
    expect(config.source_bucket).toBe('data.binance.vision');
  });

  it('cannot be mutated through the exported object', () => {
    expect(() => {
      (PRESETS.dev as { destination_bucket: string }).destination_bucket = 'x';
    }).toThrow(TypeError);
  });
});
