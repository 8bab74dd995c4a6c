import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import {
  argvToPartial,
  ConfigError,
  envName,
  envToPartial,
  FLAGS,
  loadConfig,
  parseS3Url,
  schemaLeaves,
  URL_FLAGS,
  yargsOptions,
} from '../../../src/config/index.js';
import { examplePreset } from '../../helpers/presets.js';

function parseArgs(args: string[]): Record<string, unknown> {
  return yargs(args)
    .options(yargsOptions())
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseSync() as Record<string, unknown>;
}

describe('flag definitions', () => {
  it('cover every schema leaf exactly once, with distinct flag and env names', () => {
    expect(FLAGS.map((f) => f.path)).toEqual(schemaLeaves().map((l) => l.path));
    const names = [...FLAGS.map((f) => f.flag), ...URL_FLAGS.map((f) => f.flag)];
    expect(new Set(names).size).toBe(names.length);
    for (const f of FLAGS) expect(f.env).toBe(envName(f.flag));
  });

  it('use the names an s5cmd / AWS CLI user expects', () => {
    const byFlag = new Map(FLAGS.map((f) => [f.flag, f]));
    const expected: Record<string, [string, string]> = {
      'destination-prefix': ['destination_prefix', 'string'],
      'sync-mode': ['sync_mode', 'string'],
      'max-delete': ['max_delete', 'number'],
      'max-delete-percent': ['max_delete_percent', 'number'],
      'force-deletes': ['force_deletes', 'boolean'],
      'allow-bucket-root': ['allow_bucket_root', 'boolean'],
      'max-concurrent': ['performance_optimization.max_concurrent', 'number'],
      'batch-size': ['performance_optimization.batch_size', 'number'],
      'part-size-mb': ['performance_optimization.part_size_mb', 'number'],
      'retry-count': ['performance_optimization.retry_count', 'number'],
      'multipart-threshold-mb': ['performance_optimization.enable_multipart_threshold_mb', 'number'],
      'storage-class': ['performance_optimization.storage_class', 'string'],
      region: ['s3_config.region', 'string'],
      'endpoint-url': ['s3_config.endpoint_url', 'string'],
      'source-endpoint-url': ['source_endpoint_url', 'string'],
      'source-region': ['source_region', 'string'],
      'source-no-sign-request': ['source_no_sign_request', 'boolean'],
      mode: ['operation_mode', 'string'],
      engine: ['engine', 'string'],
      prefix: ['selection.prefixes', 'array'],
      include: ['selection.include', 'array'],
      exclude: ['selection.exclude', 'array'],
      market: ['selection.markets', 'array'],
      frequency: ['selection.frequencies', 'array'],
      'data-type': ['selection.data_types', 'array'],
      symbol: ['selection.symbols', 'array'],
      interval: ['selection.intervals', 'array'],
      'date-from': ['selection.date_from', 'string'],
      'date-to': ['selection.date_to', 'string'],
      'detailed-logging': ['enable_detailed_logging', 'boolean'],
    };
    for (const [flag, [path, type]] of Object.entries(expected)) {
      expect(byFlag.get(flag), flag).toMatchObject({ path, type });
    }
    expect(byFlag.get('max-concurrent')?.env).toBe('S3DS_MAX_CONCURRENT');
    expect(byFlag.get('storage-class')?.choices).toContain('GLACIER_IR');
    expect(byFlag.get('mode')?.choices).toEqual(['auto', 'direct_sync', 'traditional']);
    expect(byFlag.get('max-concurrent')?.default).toBe(16);
    expect(URL_FLAGS.map((f) => [f.flag, f.env])).toEqual([
      ['source', 'S3DS_SOURCE'],
      ['destination', 'S3DS_DESTINATION'],
    ]);
  });
});

describe('parseS3Url', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://data.binance.vision/data/', { bucket: 'data.binance.vision', prefix: 'data/' }],
    ['s3://b/a/b/c', { bucket: 'b', prefix: 'a/b/c' }],
    ['S3://b/x/', { bucket: 'b', prefix: 'x/' }],
  ])('parses %s', (url, expected) => {
    expect(parseS3Url(url)).toEqual(expected);
  });

  it.each(['', 's3://', 's3:///prefix', 'https://bucket/prefix', 'bucket/prefix', 's3:/bucket', 'gs://bucket'])(
    'rejects %j with a message naming the accepted form',
    (url) => {
      expect(() => parseS3Url(url)).toThrow(/is not an S3 URL s3:\/\/BUCKET or s3:\/\/BUCKET\/PREFIX\//);
    },
  );
});

describe('argvToPartial / envToPartial', () => {
  it('maps kebab-case and camelCase argv keys to nested config, coercing text', () => {
    expect(
      argvToPartial({
        _: [],
        $0: 'x',
        'max-concurrent': '8',
        partSizeMb: 32,
        s3DirectSync: false,
        'source-no-sign-request': 'true',
        market: ['spot,futures/um'],
        symbol: 'BTCUSDT',
        'destination-bucket': 2024,
        region: 'eu-west-1',
      }),
    ).toStrictEqual({
      performance_optimization: { max_concurrent: 8, part_size_mb: 32 },
      enable_s3_direct_sync: false,
      source_no_sign_request: true,
      selection: { markets: ['spot', 'futures/um'], symbols: ['BTCUSDT'] },
      destination_bucket: '2024',
      s3_config: { region: 'eu-west-1' },
    });
  });

  it('maps env vars, ignoring empty and unrelated ones', () => {
    expect(
      envToPartial({
        S3DS_BATCH_SIZE: '250',
        S3DS_DETAILED_LOGGING: 'FALSE',
        S3DS_INTERVAL: '1m,1h',
        S3DS_DESTINATION: 's3://dst/mirror',
        S3DS_ENGINE: '',
        HOME: '/root',
      }),
    ).toStrictEqual({
      performance_optimization: { batch_size: 250 },
      enable_detailed_logging: false,
      selection: { intervals: ['1m', '1h'] },
      destination_bucket: 'dst',
      destination_prefix: 'mirror',
    });
  });

  it('leaves unconvertible text as is for validation to report', () => {
    expect(envToPartial({ S3DS_MAX_CONCURRENT: 'abc', S3DS_MONITORING: 'maybe' })).toStrictEqual({
      performance_optimization: { max_concurrent: 'abc' },
      enable_monitoring: 'maybe',
    });
  });

  it('throws a ConfigError for a bad s3:// URL', () => {
    expect(() => envToPartial({ S3DS_SOURCE: 'data.binance.vision/data/' })).toThrow(ConfigError);
    expect(() => argvToPartial({ destination: 'bucket' })).toThrow(/got "bucket" from cli --destination/);
  });
});

describe('yargsOptions with real yargs', () => {
  it('parses a command line into the CLI layer without shadowing lower layers', () => {
    const argv = parseArgs([
      '--destination',
      's3://my-lake/binance/',
      '--max-concurrent',
      '64',
      '--no-incremental',
      '--symbol',
      'BTCUSDT,ETHUSDT',
      '--symbol',
      'BNBUSDT',
      '--include',
      '**/{BTC,ETH}USDT-1m-*.zip',
      '--date-from',
      '2024-01',
    ]);
    const r = loadConfig({ preset: 'prod', environ: { S3DS_BATCH_SIZE: '300' }, cli: argv });
    expect(r.config.destination_bucket).toBe('my-lake');
    expect(r.config.destination_prefix).toBe('binance/');
    expect(r.config.performance_optimization.max_concurrent).toBe(64);
    expect(r.config.performance_optimization.batch_size).toBe(300);
    expect(r.origin['performance_optimization.part_size_mb']).toBe('default');
    expect(r.config.enable_incremental).toBe(false);
    expect(r.config.enable_monitoring).toBe(examplePreset('prod').enable_monitoring);
    expect(r.config.selection.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
    expect(r.config.selection.include).toEqual(['**/{BTC,ETH}USDT-1m-*.zip']);
    expect(r.origin.enable_monitoring).toBe('preset');
    expect(r.origin['performance_optimization.batch_size']).toBe('env');
  });

  it('keeps a non-numeric value as written so the error shows it', () => {
    const argv = parseArgs(['--destination-bucket', 'bkt', '--max-concurrent', 'abc']);
    expect(() => loadConfig({ environ: {}, cli: argv })).toThrow(
      'performance_optimization.max_concurrent: got "abc" from cli --max-concurrent; accepts an integer from 1 to 1024',
    );
  });

  it('keeps digit-only strings as strings', () => {
    const argv = parseArgs(['--destination-bucket', '2024', '--destination-prefix', '007']);
    expect(argvToPartial(argv)).toMatchObject({ destination_bucket: '2024', destination_prefix: '007' });
  });
});
