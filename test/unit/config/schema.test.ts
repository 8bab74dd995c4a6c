import { describe, expect, it } from 'vitest';
import { isValidBucketName, schemaLeaves, syncConfigSchema } from '../../../src/config/index.js';

describe('config schema', () => {
  it('fills every default from a minimal document', () => {
    expect(syncConfigSchema.parse({ destination_bucket: 'my-bucket' })).toStrictEqual({
      enable_s3_direct_sync: true,
      operation_mode: 'auto',
      source_bucket: 'data.binance.vision',
      source_prefix: 'data/',
      source_region: 'ap-northeast-1',
      source_no_sign_request: false,
      destination_bucket: 'my-bucket',
      destination_prefix: '',
      sync_mode: 'copy',
      max_delete: 1000,
      max_delete_percent: 10,
      force_deletes: false,
      allow_bucket_root: false,
      enable_incremental: true,
      destination_etags: 'opaque',
      shutdown_deadline_seconds: 25,
      lease: true,
      lease_ttl_seconds: 300,
      metrics: 'emf',
      verify_checksums: true,
      performance_optimization: {
        max_concurrent: 16,
        batch_size: 100,
        part_size_mb: 64,
        retry_count: 5,
        enable_multipart_threshold_mb: 100,
        storage_class: 'STANDARD',
      },
      s3_config: { region: 'us-east-1', use_accelerated_endpoint: false, force_path_style: false },
      selection: {
        prefixes: [],
        include: [],
        exclude: [],
        markets: [],
        frequencies: [],
        data_types: [],
        symbols: [],
        intervals: [],
      },
      enable_detailed_logging: false,
      enable_monitoring: false,
      enable_cost_tracking: false,
    });
  });

  it('fills nested defaults when only part of a nested object is given', () => {
    const c = syncConfigSchema.parse({ destination_bucket: 'b-1', performance_optimization: { max_concurrent: 3 } });
    expect(c.performance_optimization).toEqual({
      max_concurrent: 3,
      batch_size: 100,
      part_size_mb: 64,
      retry_count: 5,
      enable_multipart_threshold_mb: 100,
      storage_class: 'STANDARD',
    });
  });

  it.each([
    ['', ''],
    ['/', ''],
    ['binance/archive', 'binance/archive/'],
    ['/binance/archive/', 'binance/archive/'],
    ['//x', 'x/'],
    ['a/', 'a/'],
  ])('normalises destination_prefix %j to %j', (input, expected) => {
    expect(syncConfigSchema.parse({ destination_bucket: 'bkt', destination_prefix: input }).destination_prefix).toBe(expected);
  });

  it('normalises source_prefix the same way', () => {
    expect(syncConfigSchema.parse({ destination_bucket: 'bkt', source_prefix: '/data' }).source_prefix).toBe('data/');
  });

  it.each(['abc', 'my-bucket', 'my.bucket.1', 'a'.repeat(63), '1bucket9'])('accepts bucket name %s', (name) => {
    expect(isValidBucketName(name)).toBe(true);
  });

  it.each(['ab', 'a'.repeat(64), 'My-Bucket', 'my_bucket', '-bucket', 'bucket-', 'my..bucket', '192.168.1.1', 'xn--bucket', 'bucket-s3alias', 'my bucket'])(
    'rejects bucket name %s',
    (name) => {
      expect(isValidBucketName(name)).toBe(false);
    },
  );

  it('gives every leaf a description and an accepted-values text', () => {
    const leaves = schemaLeaves();
    expect(leaves.length).toBeGreaterThan(30);
    for (const leaf of leaves) {
      expect(leaf.description, leaf.path).toMatch(/\S{3}/);
      expect(leaf.accepts, leaf.path).toMatch(/\S{3}/);
    }
  });

  it('reports leaf kinds, choices and defaults', () => {
    const byPath = new Map(schemaLeaves().map((l) => [l.path, l]));
    expect(byPath.get('performance_optimization.max_concurrent')).toMatchObject({ kind: 'number', default: 16 });
    expect(byPath.get('operation_mode')).toMatchObject({
      kind: 'string',
      default: 'auto',
      choices: ['auto', 'direct_sync', 'traditional'],
    });
    expect(byPath.get('selection.markets')).toMatchObject({
      kind: 'array',
      choices: ['spot', 'futures/um', 'futures/cm', 'option'],
    });
    expect(byPath.get('destination_bucket')).toMatchObject({ kind: 'string', required: true });
    expect(byPath.get('engine')).toMatchObject({ kind: 'string', required: false, default: undefined });
    expect(byPath.get('s3_config.use_accelerated_endpoint')).toMatchObject({ kind: 'boolean', default: false });
  });

  it('accepts month and day dates and rejects impossible ones', () => {
    const parse = (date_from: string) => syncConfigSchema.safeParse({ destination_bucket: 'bkt', selection: { date_from } }).success;
    expect(parse('2024-02-29')).toBe(true);
    expect(parse('2024-02')).toBe(true);
    expect(parse('2023-02-29')).toBe(false);
    expect(parse('2024-13')).toBe(false);
    expect(parse('2024-1-05')).toBe(false);
    expect(parse('20240105')).toBe(false);
  });

  it('accepts relative dates -Nd and names every accepted form', () => {
    const parse = (date_from: string) => syncConfigSchema.safeParse({ destination_bucket: 'bkt', selection: { date_from } });
    expect(parse('-3d').success).toBe(true);
    expect(parse('-0d').success).toBe(true);
    for (const bad of ['3d', '-3', '-3w', 'yesterday']) expect(parse(bad).success, bad).toBe(false);
    const accepts = schemaLeaves().find((l) => l.path === 'selection.date_from')!.accepts;
    for (const form of ['YYYY-MM-DD', 'YYYY-MM', '-Nd', '-3d']) expect(accepts).toContain(form);
  });

  it('refuses a window that is empty once relative dates are resolved', () => {
    const ok = (date_from: string, date_to: string) => syncConfigSchema.safeParse({ destination_bucket: 'bkt', selection: { date_from, date_to } }).success;
    expect(ok('-3d', '-1d')).toBe(true);
    expect(ok('-1d', '-3d')).toBe(false);
    expect(ok('2000-01', '-1d')).toBe(true);
    expect(ok('-1d', '2000-01')).toBe(false);
  });

  it('upper-cases the ASCII letters of symbols and keeps the rest', () => {
    const symbols = (s: string[]) => syncConfigSchema.parse({ destination_bucket: 'bkt', selection: { symbols: s } }).selection.symbols;
    expect(symbols(['btcusdt', 'BTCUSD_perp', '币安人生usdt', '1000shibUSDT'])).toEqual(['BTCUSDT', 'BTCUSD_PERP', '币安人生USDT', '1000SHIBUSDT']);
  });

  it('compares a month bound with a day bound by the days they cover', () => {
    const ok = (date_from: string, date_to: string) => syncConfigSchema.safeParse({ destination_bucket: 'bkt', selection: { date_from, date_to } }).success;
    expect(ok('2024-01', '2024-01-01')).toBe(true);
    expect(ok('2024-01-31', '2024-01')).toBe(true);
    expect(ok('2024-02-01', '2024-01')).toBe(false);
    expect(ok('2024-01-02', '2024-01-01')).toBe(false);
  });
});
