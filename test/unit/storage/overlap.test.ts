import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { locationRefusal, sidesRefusal, storeOf, type StoreLocation } from '../../../src/storage/overlap.js';
import { resolveSides } from '../../../src/storage/sides.js';

const at = (url: string, endpoint?: string): StoreLocation => {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)!;
  return { bucket: m[1]!, prefix: m[2]!, endpoint };
};
const copy = (src: StoreLocation, dst: StoreLocation) => locationRefusal({ source: src, dest: dst, syncMode: 'copy', allowBucketRoot: false });
const sync = (src: StoreLocation, dst: StoreLocation, allowBucketRoot = false) =>
  locationRefusal({ source: src, dest: dst, syncMode: 'sync', allowBucketRoot });

describe('locationRefusal: overlapping locations', () => {
  it("refuses the new user's mistake: the source inside the destination (sync would delete the source)", () => {
    expect(sync(at('s3://b/data/sub/'), at('s3://b/data/'))).toEqual({
      reason: 'overlap',
      message: 'the source s3://b/data/sub/ lies inside the destination s3://b/data/: a sync-mode run would delete what it mirrors',
    });
  });

  it('refuses equal locations and either inside the other, in copy mode too', () => {
    expect(copy(at('s3://b/data/'), at('s3://b/data/'))?.message).toMatch(/same place/);
    expect(copy(at('s3://b/data/'), at('s3://b/data/mirror/'))?.message).toMatch(/destination .* lies inside the source/);
    expect(copy(at('s3://b/data/sub/'), at('s3://b/data/'))?.message).toMatch(/source .* lies inside the destination/);
    expect(copy(at('s3://b/'), at('s3://b/mirror/'))?.reason).toBe('overlap');
    expect(copy(at('s3://b/data/'), at('s3://b/'))?.reason).toBe('overlap');
  });

  it('compares folders: prefixes are normalised the way the config does (leading / dropped, trailing / added)', () => {
    // "data" and "data-x/" are sibling folders, not nested.
    expect(copy(at('s3://b/data'), at('s3://b/data-x/'))).toBeUndefined();
    expect(copy(at('s3://b/data/'), at('s3://b/data-copy/'))).toBeUndefined();
    // "da" is the folder da/, which does not cover data/.
    expect(copy(at('s3://b/da'), at('s3://b/data/'))).toBeUndefined();
    // Spelled differently, the same folder.
    expect(copy(at('s3://b/data'), at('s3://b//data/'))?.message).toMatch(/same place/);
    expect(copy(at('s3://b/data/sub'), at('s3://b/data'))?.reason).toBe('overlap');
  });

  it('none for other buckets, or the same bucket name in another store', () => {
    expect(copy(at('s3://lake/data/'), at('s3://other/data/'))).toBeUndefined();
    expect(copy(at('s3://lake/data/', 'http://a:9000'), at('s3://lake/data/x/', 'http://b:9000'))).toBeUndefined();
    expect(copy(at('s3://lake/data/', 'http://a:9000'), at('s3://lake/data/x/', 'http://a:9001'))).toBeUndefined();
    expect(copy(at('s3://lake/data/', 'https://minio.example.com'), at('s3://lake/data/x/'))).toBeUndefined();
  });

  it('one store, however its endpoint is spelled', () => {
    expect(copy(at('s3://lake/data/', 'http://127.0.0.1:9000'), at('s3://lake/data/x/', 'http://localhost:9000/'))?.reason).toBe('overlap');
    expect(copy(at('s3://lake/data/', 'http://S3.Example.com'), at('s3://lake/data/x/', 'http://s3.example.com:80'))?.reason).toBe('overlap');
    // AWS: bucket names are global, whatever regional endpoint names them.
    expect(copy(at('s3://lake/data/'), at('s3://lake/data/x/', 'https://s3.eu-west-1.amazonaws.com'))?.reason).toBe('overlap');
  });
});

describe('storeOf', () => {
  it('AWS endpoints are one store; elsewhere host, port and path (not the scheme) decide', () => {
    expect(storeOf(undefined)).toBe('aws');
    expect(storeOf('https://s3.ap-northeast-1.amazonaws.com')).toBe('aws');
    expect(storeOf('https://bucket.vpce-0a1b.s3.us-east-1.vpce.amazonaws.com')).toBe('aws');
    expect(storeOf('https://s3.cn-north-1.amazonaws.com.cn')).toBe('aws-cn');
    expect(storeOf('http://h:9000')).toBe(storeOf('https://h:9000/'));
    expect(storeOf('https://h')).toBe('h');
    expect(storeOf('http://h')).toBe(storeOf('https://h:443'));
    expect(storeOf('http://127.0.0.1:9000')).toBe(storeOf('http://localhost:9000'));
    expect(storeOf('http://h:9000/s3')).not.toBe(storeOf('http://h:9000'));
  });
});

describe('locationRefusal: bucket-root destination in sync mode', () => {
  it('refuses s3://b, s3://b/ and s3://b// unless allowed', () => {
    for (const dst of [
      { bucket: 'lake', prefix: '' },
      { bucket: 'lake', prefix: '/' },
      { bucket: 'lake', prefix: '//' },
    ]) {
      const r = sync(at('s3://src/data/'), dst);
      expect(r?.reason, dst.prefix).toBe('bucket-root');
      expect(r?.message).toMatch(/--allow-bucket-root/);
      expect(sync(at('s3://src/data/'), dst, true)).toBeUndefined();
      expect(copy(at('s3://src/data/'), dst)).toBeUndefined();
    }
  });

  it('allowing the bucket root never allows an overlap', () => {
    expect(sync(at('s3://lake/data/'), at('s3://lake/'), true)?.reason).toBe('overlap');
  });

  it('the three forms of the --destination flag all load as the bucket root', () => {
    for (const destination of ['s3://lake', 's3://lake/', 's3://lake//']) {
      const { config, explicit } = loadConfig({ cli: { destination, 'sync-mode': 'sync' }, environ: {} });
      expect(config.destination_prefix, destination).toBe('');
      expect(sidesRefusal(resolveSides(config, explicit), config)?.reason, destination).toBe('bucket-root');
      const allowed = loadConfig({ cli: { destination, 'sync-mode': 'sync', 'allow-bucket-root': true }, environ: {} }).config;
      expect(sidesRefusal(resolveSides(allowed, explicit), allowed), destination).toBeUndefined();
    }
  });

  it('through the config: the source endpoint defaults to the destination one', () => {
    const { config, explicit } = loadConfig({
      cli: { source: 's3://lake/data/sub/', destination: 's3://lake/data/', 'endpoint-url': 'http://127.0.0.1:9000', 'sync-mode': 'sync' },
      environ: {},
    });
    expect(sidesRefusal(resolveSides(config, explicit), config)?.reason).toBe('overlap');
    const apart = loadConfig({
      cli: {
        source: 's3://lake/data/sub/',
        destination: 's3://lake/data/',
        'endpoint-url': 'http://127.0.0.1:9000',
        'source-endpoint-url': 'http://10.0.0.2:9000',
      },
      environ: {},
    });
    expect(sidesRefusal(resolveSides(apart.config, apart.explicit), apart.config)).toBeUndefined();
  });
});
