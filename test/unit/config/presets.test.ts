import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, PRESET_NAMES, PRESETS } from '../../../src/config/index.js';
import { explicitPerformance, SIZED_SETTINGS } from '../../../src/system/sizing.js';
import { examplePreset, examplesDir } from '../../helpers/presets.js';

// config/examples holds the seed document's presets (S3 Direct Sync Best Practices: "Environment-Specific
// Configuration" and "Configuration Templates") as JSON, without the settings the job retired
// (src/config/retired.ts) and without the seed's tuning numbers (the sizing derives them): the presets
// in the code must equal them.
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
      expect(fromFile.config.performance_optimization).toMatchObject(example.performance_optimization ?? {});
      expect([...fromFile.explicit].sort()).toEqual([...fromPreset.explicit].sort());
    });
  }

  // An environment preset is policy; the tuning numbers are the sizing's (64 server-side copies per
  // vCPU) unless an operator sets one: a preset value would count as explicit and win on every machine.
  it.each(PRESET_NAMES)('%s leaves every number the sizing derives unset, so the sizing decides it', (name) => {
    const loaded = loadConfig({ preset: name, environ: {}, cli: {} });
    for (const k of SIZED_SETTINGS) {
      expect(PRESETS[name].performance_optimization?.[k], k).toBeUndefined();
      expect(loaded.explicit.has(`performance_optimization.${k}`), k).toBe(false);
    }
    const po = loaded.config.performance_optimization;
    expect(explicitPerformance(po, loaded.explicit)).toEqual({});
    const operator = loadConfig({ preset: name, environ: { S3DS_MAX_CONCURRENT: '12' }, cli: {} });
    expect(explicitPerformance(operator.config.performance_optimization, operator.explicit)).toEqual({ max_concurrent: 12 });
    expect(operator.origin['performance_optimization.max_concurrent']).toBe('env');
  });

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
    expect(example.performance_optimization?.storage_class).toBeUndefined();
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
