import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, PRESET_NAMES, PRESETS } from '../../../src/config/index.js';
import { examplePreset, examplesDir } from '../../helpers/presets.js';

// config/examples holds the seed document's presets (S3 Direct Sync Best Practices: "Environment-Specific
// Configuration" and "Configuration Templates") as JSON: the presets in the code must equal them.
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
