import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { resolveSides } from '../../../src/storage/sides.js';
import { configCheck, locationConflict } from '../../../src/validate/config-check.js';

const dir = mkdtempSync(join(tmpdir(), 's3ds-config-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(cli: Record<string, unknown>, environ: Record<string, string> = {}, configFile?: string) {
  const loaded = loadConfig({ cli, environ, configFile });
  return configCheck({ sides: resolveSides(loaded.config, loaded.explicit), origin: loaded.origin, warnings: loaded.warnings });
}

describe('the config check', () => {
  it('reports the layers that set values, lowest first, and passes', () => {
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify({ destination_bucket: 'from-file', performance_optimization: { max_concurrent: 8 } }));
    const r = check({ destination: 's3://dst/m/', 'endpoint-url': 'http://127.0.0.1:9000' }, { AWS_REGION: 'eu-west-1' }, file);
    expect(r.name).toBe('config');
    expect(r.ok).toBe(true);
    const lines = r.detail.split('\n');
    expect(lines[0]).toBe('schema valid; 5 values set above the defaults by file < env < cli');
    // Each value is shown once, under the layer that won: the file's destination_bucket lost to --destination.
    expect(lines[1]).toBe('file: performance_optimization.max_concurrent');
    expect(lines[2]).toBe('env: s3_config.region');
    expect(lines[3]).toBe('cli: destination_bucket, destination_prefix, s3_config.endpoint_url');
  });

  it('with nothing above the defaults but the destination', () => {
    const r = check({ 'destination-bucket': 'dst' });
    expect(r.detail).toBe('schema valid; 1 value set above the defaults by cli\ncli: destination_bucket');
  });

  it('shortens a long list of values from one layer', () => {
    const r = configCheck({
      sides: resolveSides(loadConfig({ cli: { destination: 's3://dst-bucket/' }, environ: {} }).config),
      origin: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`field_${String(i).padStart(2, '0')}`, 'preset'])),
    });
    expect(r.detail.split('\n')[1]).toBe('preset: field_00, field_01, field_02, field_03, field_04, field_05, field_06, field_07 (+3 more)');
  });

  it("passes on the loader's warnings", () => {
    const loaded = loadConfig({ cli: { destination: 's3://dst/x/' }, environ: {} });
    const r = configCheck({ sides: resolveSides(loaded.config, loaded.explicit), origin: loaded.origin, warnings: ['a note about the configuration'] });
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/\nwarning: a note about the configuration$/);
  });

  it('fails when the destination lies inside the source on the same server', () => {
    const r = check({ source: 's3://lake/data/', destination: 's3://lake/data/mirror/', 'endpoint-url': 'http://127.0.0.1:9000' });
    expect(r.ok).toBe(false);
    expect(r.detail.split('\n')[0]).toBe(
      'the destination s3://lake/data/mirror/ lies inside the source s3://lake/data/: every run would copy its own copies again',
    );
    expect(r.hint).toMatch(/outside the source/);
  });

  it('fails for a bucket-root destination in sync mode, unless --allow-bucket-root', () => {
    const loaded = loadConfig({ cli: { destination: 's3://lake/', 'sync-mode': 'sync' }, environ: {} });
    const r = configCheck({ sides: resolveSides(loaded.config), config: loaded.config });
    expect(r.ok).toBe(false);
    expect(r.detail.split('\n')[0]).toMatch(/root of bucket lake/);
    expect(r.hint).toMatch(/--allow-bucket-root/);
    expect(configCheck({ sides: resolveSides(loaded.config), config: { ...loaded.config, allow_bucket_root: true } }).ok).toBe(true);
  });
});

describe('locationConflict', () => {
  const sides = (src: string, dst: string, endpoints: { source?: string; dest?: string } = {}) => {
    const cli: Record<string, unknown> = { source: src, destination: dst };
    if (endpoints.dest) cli['endpoint-url'] = endpoints.dest;
    if (endpoints.source) cli['source-endpoint-url'] = endpoints.source;
    return resolveSides(loadConfig({ cli, environ: {} }).config);
  };

  it('same place, destination inside source, source inside destination', () => {
    expect(locationConflict(sides('s3://lake/data/', 's3://lake/data/'))).toMatch(/the same place/);
    expect(locationConflict(sides('s3://lake/data/', 's3://lake/data/copy/'))).toMatch(/destination .* inside the source/);
    expect(locationConflict(sides('s3://lake/data/', 's3://lake/'))).toBe(
      'the source s3://lake/data/ lies inside the destination s3://lake/: a sync-mode run would delete what it mirrors',
    );
  });

  it('none for other buckets, sibling prefixes, or different servers', () => {
    expect(locationConflict(sides('s3://lake/data/', 's3://other/data/'))).toBeUndefined();
    expect(locationConflict(sides('s3://lake/data/', 's3://lake/mirror/'))).toBeUndefined();
    // "data-copy/" does not start with "data/": siblings, not nested.
    expect(locationConflict(sides('s3://lake/data/', 's3://lake/data-copy/'))).toBeUndefined();
    expect(locationConflict(sides('s3://lake/data/', 's3://lake/data/x/', { source: 'http://a:9000', dest: 'http://b:9000' }))).toBeUndefined();
  });
});
