import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingSource, type LoadInput } from '../../../src/config/index.js';
import { knownEnvNames } from '../../../src/config/flags.js';
import { schemaLeaves } from '../../../src/config/schema.js';
import { examplePreset } from '../../helpers/presets.js';

const DEV = examplePreset('dev');

const dir = mkdtempSync(join(tmpdir(), 's3ds-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function writeJson(doc: unknown): string {
  const file = join(dir, `c${n++}.json`);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

const base = { environ: {}, cli: {} } satisfies LoadInput;

function configError(input: LoadInput): ConfigError {
  try {
    loadConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** The message line that names `path`; asserts there is exactly one. */
function lineFor(err: ConfigError, path: string): string {
  const lines = err.message.split('\n').filter((l) => l.trim().startsWith(`${path}:`));
  expect(lines, err.message).toHaveLength(1);
  return lines[0]!;
}

describe('loadConfig layering', () => {
  it('takes the delete guard settings from a file, the environment and flags', () => {
    const file = writeJson({ destination_bucket: 'bkt', force_deletes: true, allow_bucket_root: true });
    const r = loadConfig({ ...base, configFile: file, environ: { S3DS_MAX_DELETE_PERCENT: '25' } });
    expect(r.config).toMatchObject({ max_delete_percent: 25, force_deletes: true, allow_bucket_root: true });
    const off = loadConfig({ ...base, configFile: file, cli: { 'force-deletes': false, 'max-delete-percent': '100' } });
    expect(off.config).toMatchObject({ max_delete_percent: 100, force_deletes: false });
    expect(lineFor(configError({ ...base, cli: { 'destination-bucket': 'bkt', 'max-delete-percent': 150 } }), 'max_delete_percent')).toContain(
      'an integer from 0 to 100',
    );
  });

  it('uses the defaults when nothing but the bucket is given', () => {
    const r = loadConfig({ environ: {}, cli: { 'destination-bucket': 'bkt' } });
    expect(r.config.performance_optimization.max_concurrent).toBe(16);
    expect(r.origin['performance_optimization.max_concurrent']).toBe('default');
    expect(r.origin.destination_bucket).toBe('cli');
    expect([...r.explicit]).toEqual(['destination_bucket']);
    expect(r.warnings).toEqual([]);
  });

  it('preset overrides defaults', () => {
    const r = loadConfig({ ...base, preset: 'dev' });
    expect(r.config.enable_detailed_logging).toBe(DEV.enable_detailed_logging);
    expect(r.config.performance_optimization.storage_class).toBe('STANDARD');
    expect(r.origin.enable_detailed_logging).toBe('preset');
    expect(r.origin['performance_optimization.storage_class']).toBe('default');
    // The presets carry no tuning numbers: those are the sizing's unless an operator sets them.
    expect(r.origin['performance_optimization.max_concurrent']).toBe('default');
    expect(r.explicit.has('performance_optimization.max_concurrent')).toBe(false);
  });

  it('config file overrides the preset, leaf by leaf', () => {
    const file = writeJson({ performance_optimization: { batch_size: 77 }, enable_monitoring: true });
    const r = loadConfig({ ...base, preset: 'dev', configFile: file });
    expect(r.config.performance_optimization.batch_size).toBe(77);
    expect(r.config.enable_monitoring).toBe(true);
    expect(r.config.enable_detailed_logging).toBe(DEV.enable_detailed_logging);
    expect(r.origin['performance_optimization.batch_size']).toBe('file');
    expect(r.origin.enable_monitoring).toBe('file');
    expect(r.origin.enable_detailed_logging).toBe('preset');
  });

  it('secret overrides the file, as a JSON string or an object', () => {
    const file = writeJson({ destination_bucket: 'from-file', sync_mode: 'sync' });
    for (const secret of ['{"destination_bucket":"from-secret"}', { destination_bucket: 'from-secret' }]) {
      const r = loadConfig({ ...base, configFile: file, secret });
      expect(r.config.destination_bucket).toBe('from-secret');
      expect(r.config.sync_mode).toBe('sync');
      expect(r.origin.destination_bucket).toBe('secret');
      expect(r.origin.sync_mode).toBe('file');
    }
  });

  it('environment overrides the secret, coercing numbers, booleans and lists', () => {
    const r = loadConfig({
      ...base,
      secret: { destination_bucket: 'from-secret', performance_optimization: { max_concurrent: 5 } },
      environ: {
        S3DS_DESTINATION_BUCKET: 'from-env',
        S3DS_MAX_CONCURRENT: '12',
        S3DS_MONITORING: 'true',
        S3DS_INCREMENTAL: '0',
        S3DS_SYMBOL: 'BTCUSDT, ETHUSDT',
        S3DS_INCLUDE: '**/{BTC,ETH}USDT-*.zip,**/*.csv',
        S3DS_ENGINE: '',
      },
    });
    expect(r.config.destination_bucket).toBe('from-env');
    expect(r.config.performance_optimization.max_concurrent).toBe(12);
    expect(r.config.enable_monitoring).toBe(true);
    expect(r.config.enable_incremental).toBe(false);
    expect(r.config.selection.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(r.config.selection.include).toEqual(['**/{BTC,ETH}USDT-*.zip', '**/*.csv']);
    expect(r.config.engine).toBeUndefined();
    expect(r.origin['performance_optimization.max_concurrent']).toBe('env');
    expect(r.origin.engine).toBe('default');
  });

  it('relative dates come through the environment and the command line as written', () => {
    const r = loadConfig({ ...base, environ: { S3DS_DESTINATION_BUCKET: 'bkt', S3DS_DATE_FROM: '-3d' }, cli: { 'date-to': '-1d' } });
    expect(r.config.selection.date_from).toBe('-3d');
    expect(r.config.selection.date_to).toBe('-1d');
    const err = configError({ ...base, environ: { S3DS_DESTINATION_BUCKET: 'bkt', S3DS_DATE_FROM: '3 days ago' } });
    expect(lineFor(err, 'selection.date_from')).toContain('env S3DS_DATE_FROM; accepts a date YYYY-MM-DD, a month YYYY-MM, or -Nd');
  });

  it('CLI overrides the environment (kebab-case and camelCase argv keys)', () => {
    const r = loadConfig({
      ...base,
      environ: { S3DS_DESTINATION_BUCKET: 'from-env', S3DS_MAX_CONCURRENT: '12', S3DS_SYMBOL: 'BTCUSDT' },
      cli: { 'destination-bucket': 'from-cli', maxConcurrent: 3, symbol: ['ETHUSDT'] },
    });
    expect(r.config.destination_bucket).toBe('from-cli');
    expect(r.config.performance_optimization.max_concurrent).toBe(3);
    expect(r.config.selection.symbols).toEqual(['ETHUSDT']);
    expect(r.origin.destination_bucket).toBe('cli');
    expect(r.origin['selection.symbols']).toBe('cli');
  });

  it('arrays replace rather than concatenate across layers', () => {
    const file = writeJson({ destination_bucket: 'bkt', selection: { symbols: ['A', 'B'], markets: ['spot'] } });
    const r = loadConfig({ ...base, configFile: file, environ: { S3DS_SYMBOL: 'C' } });
    expect(r.config.selection.symbols).toEqual(['C']);
    expect(r.config.selection.markets).toEqual(['spot']);
  });

  it('--source and --destination URLs set bucket and prefix; the specific flags win over them', () => {
    const r = loadConfig({
      environ: { S3DS_SOURCE: 's3://mirror-src/archive/data' },
      cli: { destination: 's3://dest-bucket/binance/', 'destination-prefix': 'other' },
    });
    expect(r.config.source_bucket).toBe('mirror-src');
    expect(r.config.source_prefix).toBe('archive/data/');
    expect(r.config.destination_bucket).toBe('dest-bucket');
    expect(r.config.destination_prefix).toBe('other/');
    expect(r.origin.source_prefix).toBe('env');
    expect(r.explicit.has('source_bucket')).toBe(true);
    expect(r.explicit.has('destination_prefix')).toBe(true);
  });

  it('AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL, and S3DS_ENDPOINT_URL beats both', () => {
    const env = { AWS_ENDPOINT_URL: 'http://generic:9000', AWS_ENDPOINT_URL_S3: 'http://s3only:9000' };
    const file = writeJson({ destination_bucket: 'bkt', s3_config: { endpoint_url: 'http://file:1' } });
    const a = loadConfig({ ...base, configFile: file, environ: env });
    expect(a.config.s3_config.endpoint_url).toBe('http://s3only:9000');
    expect(a.origin['s3_config.endpoint_url']).toBe('env');
    const b = loadConfig({ ...base, configFile: file, environ: { AWS_ENDPOINT_URL: 'http://generic:9000' } });
    expect(b.config.s3_config.endpoint_url).toBe('http://generic:9000');
    const c = loadConfig({ ...base, configFile: file, environ: { ...env, S3DS_ENDPOINT_URL: 'https://mine' } });
    expect(c.config.s3_config.endpoint_url).toBe('https://mine');
    const d = loadConfig({ ...base, configFile: file, environ: env, cli: { 'endpoint-url': 'http://cli:2' } });
    expect(d.config.s3_config.endpoint_url).toBe('http://cli:2');
    expect(d.config.source_endpoint_url).toBeUndefined();
  });

  it('AWS_REGION beats AWS_DEFAULT_REGION for the destination region', () => {
    const r = loadConfig({
      ...base,
      preset: 'cost-optimized',
      environ: { AWS_DEFAULT_REGION: 'eu-west-1', AWS_REGION: 'eu-central-1' },
    });
    expect(r.config.s3_config.region).toBe('eu-central-1');
    expect(r.config.source_region).toBe('ap-northeast-1');
    const d = loadConfig({ ...base, preset: 'dev', environ: { AWS_DEFAULT_REGION: 'eu-west-1' } });
    expect(d.config.s3_config.region).toBe('eu-west-1');
    expect(d.explicit.has('s3_config.region')).toBe(true);
  });

  it('treats null in a file as not set', () => {
    const file = writeJson({ destination_bucket: 'bkt', engine: null, enable_detailed_logging: null, s3_config: null });
    const r = loadConfig({ ...base, preset: 'high-performance', configFile: file });
    expect(r.config.engine).toBeUndefined();
    expect(r.config.enable_detailed_logging).toBe(false);
    expect(r.config.s3_config.use_accelerated_endpoint).toBe(true);
    expect(r.origin['s3_config.use_accelerated_endpoint']).toBe('preset');
  });
});

describe('loadConfig explicit and origin', () => {
  it('settingSource names who set a leaf: the preset, or the operator through a flag, a variable, the file or the secret', () => {
    const path = 'performance_optimization.max_concurrent';
    expect(settingSource(path, 'preset')).toEqual({ origin: 'preset', label: 'the environment preset' });
    expect(settingSource(path, 'env')).toEqual({ origin: 'operator', label: 'S3DS_MAX_CONCURRENT' });
    expect(settingSource(path, 'cli')).toEqual({ origin: 'operator', label: '--max-concurrent' });
    expect(settingSource(path, 'file')).toEqual({ origin: 'operator', label: 'the config file' });
    expect(settingSource(path, 'secret')).toEqual({ origin: 'operator', label: 'the config secret' });
  });

  it('lists exactly the leaves set above the defaults, with their layer', () => {
    const file = writeJson({ performance_optimization: { part_size_mb: 32 }, selection: { markets: ['spot'] } });
    const r = loadConfig({
      preset: 'staging',
      configFile: file,
      secret: { enable_cost_tracking: true },
      environ: { S3DS_RETRY_COUNT: '7' },
      cli: { 'max-concurrent': 2 },
    });
    expect([...r.explicit].sort()).toEqual(
      [
        'enable_s3_direct_sync',
        'operation_mode',
        'destination_bucket',
        'performance_optimization.max_concurrent',
        'performance_optimization.part_size_mb',
        'performance_optimization.retry_count',
        'enable_monitoring',
        'selection.markets',
        'enable_cost_tracking',
      ].sort(),
    );
    expect(r.origin).toMatchObject({
      enable_s3_direct_sync: 'preset',
      destination_bucket: 'preset',
      'performance_optimization.batch_size': 'default',
      'performance_optimization.part_size_mb': 'file',
      'selection.markets': 'file',
      enable_cost_tracking: 'secret',
      'performance_optimization.retry_count': 'env',
      'performance_optimization.max_concurrent': 'cli',
      max_delete: 'default',
      engine: 'default',
    });
    expect(r.explicit.has('max_delete')).toBe(false);
  });

  it('has an origin for every leaf', () => {
    const r = loadConfig({ ...base, preset: 'prod' });
    expect(Object.keys(r.origin)).toHaveLength(schemaLeaves().length);
    expect(Object.values(r.origin).every((o) => o === 'default' || o === 'preset')).toBe(true);
  });
});

describe('unknown keys and variables', () => {
  it('are errors naming each key and, when close, the known key meant', () => {
    const file = writeJson({
      destination_bucket: 'bkt',
      max_delet: 5,
      performance_optimization: { max_concurent: 4 },
      s3_config: { regoin: 'us-east-1' },
      legacy_flag: true,
    });
    const err = configError({
      ...base,
      configFile: file,
      secret: '{"secret_only": 1, "sync_mod": "sync"}',
      environ: { S3DS_MAX_DELET: '3', S3DS_TOOLS_CACHE: '/x' },
    });
    expect(lineFor(err, 'max_delet')).toBe(`  max_delet: unknown key in file ${file} (did you mean 'max_delete'?)`);
    expect(lineFor(err, 'performance_optimization.max_concurent')).toBe(
      `  performance_optimization.max_concurent: unknown key in file ${file} (did you mean 'max_concurrent'?)`,
    );
    expect(lineFor(err, 's3_config.regoin')).toMatch(/did you mean 'region'/);
    expect(lineFor(err, 'legacy_flag')).toBe(`  legacy_flag: unknown key in file ${file}`);
    expect(lineFor(err, 'secret_only')).toBe('  secret_only: unknown key in the secret');
    expect(lineFor(err, 'sync_mod')).toMatch(/in the secret \(did you mean 'sync_mode'\?\)/);
    expect(lineFor(err, 'S3DS_MAX_DELET')).toBe("  S3DS_MAX_DELET: unknown variable in the environment (did you mean 'S3DS_MAX_DELETE'?)");
    expect(err.message).not.toMatch(/S3DS_TOOLS_CACHE/);
    expect(err.message).toMatch(/^invalid configuration \(7 problems\):/);
  });

  it('every S3DS_ variable of the flags, the CLI and the scripts is known', () => {
    const environ = Object.fromEntries([...knownEnvNames()].map((n) => [n, '']));
    expect(() => loadConfig({ ...base, environ, cli: { 'destination-bucket': 'bkt' } })).not.toThrow();
  });
});

describe('loadConfig errors', () => {
  it('wrong enum value', () => {
    const err = configError({ ...base, preset: 'dev', cli: { 'sync-mode': 'mirror' } });
    const line = lineFor(err, 'sync_mode');
    expect(line).toContain('"mirror"');
    expect(line).toContain('cli --sync-mode');
    expect(line).toContain('one of: copy, sync');
  });

  it('wrong enum value inside a list names the element', () => {
    const err = configError({ ...base, preset: 'dev', environ: { S3DS_MARKET: 'spot,usdm' } });
    const line = lineFor(err, 'selection.markets.1');
    expect(line).toContain('"usdm"');
    expect(line).toContain('env S3DS_MARKET');
    expect(line).toContain('spot, futures/um, futures/cm, option');
  });

  it('number out of range', () => {
    const file = writeJson({ destination_bucket: 'bkt', performance_optimization: { max_concurrent: 5000 } });
    const err = configError({ ...base, configFile: file });
    const line = lineFor(err, 'performance_optimization.max_concurrent');
    expect(line).toContain('got 5000');
    expect(line).toContain(`file ${file}`);
    expect(line).toContain('an integer from 1 to 1024');
  });

  it('non-integer number', () => {
    const err = configError({ ...base, preset: 'dev', cli: { 'part-size-mb': '7.5' } });
    const line = lineFor(err, 'performance_optimization.part_size_mb');
    expect(line).toContain('got 7.5');
    expect(line).toContain('an integer from 5 to 5120');
  });

  it('non-numeric environment value', () => {
    const err = configError({ ...base, preset: 'dev', environ: { S3DS_MAX_CONCURRENT: 'abc' } });
    const line = lineFor(err, 'performance_optimization.max_concurrent');
    expect(line).toContain('"abc"');
    expect(line).toContain('env S3DS_MAX_CONCURRENT');
    expect(line).toContain('an integer from 1 to 1024');
  });

  it('non-boolean environment value', () => {
    const err = configError({ ...base, preset: 'dev', environ: { S3DS_MONITORING: 'yes please' } });
    const line = lineFor(err, 'enable_monitoring');
    expect(line).toContain('"yes please"');
    expect(line).toContain('true or false');
  });

  it('NaN from a yargs number option', () => {
    const err = configError({ ...base, preset: 'dev', cli: { 'batch-size': Number.NaN } });
    expect(lineFor(err, 'performance_optimization.batch_size')).toContain('got NaN from cli --batch-size');
  });

  it('bad bucket name', () => {
    const err = configError({ ...base, cli: { 'destination-bucket': 'My_Bucket' } });
    const line = lineFor(err, 'destination_bucket');
    expect(line).toContain('"My_Bucket"');
    expect(line).toContain('cli --destination-bucket');
    expect(line).toContain('3-63 characters, lowercase letters, digits, dots and hyphens');
  });

  it('missing destination bucket says how to set it', () => {
    const err = configError(base);
    const line = lineFor(err, 'destination_bucket');
    expect(line).toContain('not set');
    expect(line).toContain('--destination-bucket');
    expect(line).toContain('S3DS_DESTINATION_BUCKET');
    expect(line).toContain('an S3 bucket name');
  });

  it('bad URL', () => {
    const err = configError({ ...base, preset: 'dev', environ: { S3DS_ENDPOINT_URL: 'localhost:9000' } });
    const line = lineFor(err, 's3_config.endpoint_url');
    expect(line).toContain('"localhost:9000"');
    expect(line).toContain('env S3DS_ENDPOINT_URL');
    expect(line).toContain('an http(s) URL');
  });

  it('bad s3:// URL flag', () => {
    const err = configError({ ...base, cli: { destination: 'https://bucket/prefix' } });
    const line = lineFor(err, 'destination_bucket');
    expect(line).toContain('"https://bucket/prefix"');
    expect(line).toContain('cli --destination');
    expect(line).toContain('s3://BUCKET/PREFIX/');
  });

  it('bad date', () => {
    const err = configError({ ...base, preset: 'dev', cli: { 'date-to': '2024-02-30' } });
    const line = lineFor(err, 'selection.date_to');
    expect(line).toContain('"2024-02-30"');
    expect(line).toContain('cli --date-to');
    expect(line).toContain('YYYY-MM-DD');
    expect(line).toContain('YYYY-MM');
  });

  it('date_from after date_to', () => {
    const err = configError({ ...base, preset: 'dev', cli: { 'date-from': '2024-03-01', 'date-to': '2024-02' } });
    const line = lineFor(err, 'selection.date_from');
    expect(line).toContain('"2024-03-01"');
    expect(line).toContain('cli --date-from');
    expect(line).toContain('on or before selection.date_to (2024-02)');
  });

  it('wrong type in a file', () => {
    const file = writeJson({ destination_bucket: 'bkt', s3_config: 'us-east-1', enable_monitoring: 'yes' });
    const err = configError({ ...base, configFile: file });
    expect(lineFor(err, 's3_config')).toContain('an object with keys: region, use_accelerated_endpoint');
    expect(lineFor(err, 'enable_monitoring')).toContain('got "yes" from file');
  });

  it('unknown preset', () => {
    const err = configError({ ...base, preset: 'production' });
    expect(err.message).toContain("'production'");
    expect(err.message).toContain('dev, staging, prod, high-performance, cost-optimized');
  });

  it('missing file', () => {
    const file = join(dir, 'does-not-exist.json');
    const err = configError({ ...base, configFile: file });
    expect(err.message).toContain(file);
    expect(err.message).toContain('cannot read config file');
  });

  it('malformed JSON in a file', () => {
    const file = writeJson('{ "destination_bucket": "bkt", }');
    const err = configError({ ...base, configFile: file });
    expect(err.message).toContain(file);
    expect(err.message).toContain('not valid JSON');
  });

  it('a file holding something other than an object', () => {
    const file = writeJson('[1, 2]');
    expect(configError({ ...base, configFile: file }).message).toContain('got an array');
  });

  it('malformed JSON in the secret', () => {
    const err = configError({ ...base, secret: 'destination_bucket=bkt' });
    expect(err.message).toContain('secret is not valid JSON');
  });

  it('reports several bad fields together, one per line, from different layers', () => {
    const file = writeJson({ destination_bucket: 'bkt', performance_optimization: { retry_count: 99 } });
    const err = configError({
      ...base,
      configFile: file,
      secret: { operation_mode: 'fast' },
      environ: { S3DS_BATCH_SIZE: 'lots', S3DS_SOURCE_ENDPOINT_URL: 'ftp://x' },
      cli: { 'storage-class': 'COLD', 'date-from': '2024-1-1', 'max-delete': -1 },
    });
    expect(err.issues).toHaveLength(7);
    expect(err.message.split('\n')).toHaveLength(8);
    expect(err.message.split('\n')[0]).toContain('7 problems');
    expect(lineFor(err, 'performance_optimization.retry_count')).toContain(`got 99 from file ${file}`);
    expect(lineFor(err, 'operation_mode')).toContain('got "fast" from secret');
    expect(lineFor(err, 'performance_optimization.batch_size')).toContain('got "lots" from env S3DS_BATCH_SIZE');
    expect(lineFor(err, 'source_endpoint_url')).toContain('got "ftp://x" from env S3DS_SOURCE_ENDPOINT_URL');
    expect(lineFor(err, 'performance_optimization.storage_class')).toContain('STANDARD_IA');
    expect(lineFor(err, 'selection.date_from')).toContain('"2024-1-1"');
    expect(lineFor(err, 'max_delete')).toContain('an integer of at least 0');
  });
});

describe('endpoint URLs with user:password@', () => {
  const PASSWORD = 'hunter2-endpoint-pass';
  const url = `http://lakeuser:${PASSWORD}@127.0.0.1:9000`;
  it.each([
    ['the destination endpoint flag', { ...base, cli: { 'destination-bucket': 'bkt', 'endpoint-url': url } }, 's3_config.endpoint_url'],
    ['AWS_ENDPOINT_URL_S3', { ...base, environ: { AWS_ENDPOINT_URL_S3: url }, cli: { 'destination-bucket': 'bkt' } }, 's3_config.endpoint_url'],
    [
      'the source endpoint in a config file',
      { ...base, configFile: writeJson({ destination_bucket: 'bkt', source_endpoint_url: url }) },
      'source_endpoint_url',
    ],
    ['the source endpoint in the secret', { ...base, secret: { destination_bucket: 'bkt', source_endpoint_url: url } }, 'source_endpoint_url'],
  ])('are refused from %s, and the message keeps the password out', (_what, input, path) => {
    const err = configError(input);
    expect(lineFor(err, path)).toMatch(/without user:password@/);
    expect(err.message).not.toContain(PASSWORD);
  });
});
