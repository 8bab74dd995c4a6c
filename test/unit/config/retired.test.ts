import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, yargsOptions, type LoadInput } from '../../../src/config/index.js';
import { knownEnvNames } from '../../../src/config/flags.js';
import { schemaLeaves } from '../../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 's3ds-retired-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(doc: unknown): string {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** loadConfig with a destination bucket (required) given on the command line. */
function load(input: Partial<LoadInput>) {
  return loadConfig({ environ: {}, ...input, cli: { 'destination-bucket': 'dst', ...input.cli } });
}

const NO_EFFECT = /retired setting.*, it has no effect in the job \(.*CloudWatch dashboard.*\); remove it$/;

describe('enable_performance_analytics, retired', () => {
  it('is no longer a setting of the job', () => {
    expect(schemaLeaves().map((l) => l.path)).not.toContain('enable_performance_analytics');
    expect(load({}).config).not.toHaveProperty('enable_performance_analytics');
  });

  it('in a config file loads with one warning naming it, and changes nothing else', () => {
    const file = configFile({ destination_bucket: 'dst', enable_performance_analytics: true });
    const withKey = load({ configFile: file });
    const without = load({ configFile: configFile({ destination_bucket: 'dst' }) });
    expect(withKey.config).toStrictEqual(without.config);
    expect([...withKey.explicit]).toEqual([...without.explicit]);
    expect(withKey.warnings).toHaveLength(1);
    expect(withKey.warnings[0]).toMatch(new RegExp(`^enable_performance_analytics: retired setting in file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(withKey.warnings[0]).toMatch(NO_EFFECT);
    expect(without.warnings).toEqual([]);
  });

  it('set to null (not set) warns of nothing; other unknown keys are still refused', () => {
    expect(load({ configFile: configFile({ enable_performance_analytics: null }) }).warnings).toEqual([]);
    const bad = configFile({ enable_performance_analytics: true, enable_performance_analytic: true });
    expect(() => load({ configFile: bad })).toThrow(ConfigError);
    expect(() => load({ configFile: bad })).toThrow(/enable_performance_analytic: unknown key/);
  });

  it('in the secret layer warns as well', () => {
    const r = load({ secret: '{"enable_performance_analytics": false}' });
    expect(r.warnings).toEqual([expect.stringMatching(/^enable_performance_analytics: retired setting in the secret/)]);
  });

  it('S3DS_PERFORMANCE_ANALYTICS is accepted (not an unknown variable) with a warning; an empty one is unset', () => {
    expect(knownEnvNames()).toContain('S3DS_PERFORMANCE_ANALYTICS');
    const r = load({ environ: { S3DS_PERFORMANCE_ANALYTICS: 'true' } });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^S3DS_PERFORMANCE_ANALYTICS: retired setting in the environment/);
    expect(r.warnings[0]).toMatch(NO_EFFECT);
    expect(load({ environ: { S3DS_PERFORMANCE_ANALYTICS: ' ' } }).warnings).toEqual([]);
  });

  it('--performance-analytics still parses under strict yargs, is hidden from --help, and warns', () => {
    const parser = () =>
      yargs(['--performance-analytics'])
        .options(yargsOptions())
        .strict()
        .exitProcess(false)
        .fail((msg, err) => {
          throw err ?? new Error(msg);
        });
    const argv = parser().parseSync() as Record<string, unknown>;
    const r = load({ cli: argv });
    expect(r.warnings).toEqual([expect.stringMatching(/^--performance-analytics: retired setting, it has no effect in the job/)]);
    expect(yargsOptions()['performance-analytics']).toMatchObject({ type: 'boolean', hidden: true });
  });
});
