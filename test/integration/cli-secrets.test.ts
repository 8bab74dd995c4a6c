import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, uploadArchive } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { motoClientConfig, startMoto, type MotoServer } from '../helpers/moto.js';
import { contentHashes } from '../helpers/s3.js';

describe('secrets from Secrets Manager (moto), used against a real S3 server', () => {
  let s3: LocalS3;
  let moto: MotoServer;
  const DEST_SECRET_KEY = 'dest-secret-key-that-must-never-be-printed-1234';

  beforeAll(async () => {
    // The destination server knows only the secret's credentials; the machine's own are wrong.
    s3 = await startLocalS3({ buckets: ['sec-src', 'sec-dst'], accessKeyId: 'dest-access-key', secretAccessKey: DEST_SECRET_KEY });
    const client = s3.client();
    await uploadArchive(client, 'sec-src', generateArchive({ seed: 8, symbols: ['BTCUSDT'], dataTypes: ['klines'], days: 2, rowsPerFile: 4 }));
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: 'sec-src',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::sec-src', 'arn:aws:s3:::sec-src/*'] },
          ],
        }),
      }),
    );
    client.destroy();
    moto = await startMoto();
    const sm = new SecretsManagerClient(motoClientConfig(moto.endpoint));
    await sm.send(
      new CreateSecretCommand({
        Name: 'lake/dest',
        SecretString: JSON.stringify({ access_key_id: 'dest-access-key', secret_access_key: DEST_SECRET_KEY, endpoint_url: s3.endpoint, region: 'us-east-1' }),
      }),
    );
    await sm.send(
      new CreateSecretCommand({
        Name: 'lake/config',
        SecretString: JSON.stringify({ destination_bucket: 'sec-dst', destination_prefix: 'from-secret/', performance_optimization: { max_concurrent: 4 } }),
      }),
    );
    sm.destroy();
  });
  afterAll(async () => {
    await moto?.stop();
    await s3?.stop();
  });

  it('config layer and destination credentials come from secrets; no secret value appears anywhere', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'wrong-machine-key',
      AWS_SECRET_ACCESS_KEY: 'wrong-machine-secret',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    };
    const r = await runCli(
      [
        'sync',
        '--source',
        's3://sec-src/data/',
        '--source-no-sign-request',
        '--source-endpoint-url',
        s3.endpoint,
        '--config-secret',
        'lake/config',
        '--destination-credentials-secret',
        'lake/dest',
        '--json',
        '--log-level',
        'debug',
        '--detailed-logging',
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { destination: string; counts: { copied: number } };
    expect(report.destination).toBe('s3://sec-dst/from-secret/');
    expect(report.counts.copied).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain(DEST_SECRET_KEY);
    const client = s3.client();
    expect(await contentHashes(client, 'sec-dst', 'from-secret/')).toEqual(await contentHashes(client, 'sec-src', 'data/'));
    client.destroy();
  });

  it('a missing secret is exit 4 naming it; the machine credentials alone are refused with exit 4', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint };
    const missing = await runCli(
      ['sync', '--destination', 's3://sec-dst/x/', '--endpoint-url', s3.endpoint, '--destination-credentials-secret', 'no/such/secret'],
      env,
    );
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('no/such/secret');
    const denied = await runCli(['sync', '--source', 's3://sec-src/data/', '--destination', 's3://sec-dst/x/', '--endpoint-url', s3.endpoint], env);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/s3:ListBucket on s3:\/\/sec-dst\/x\/ refused/);
  });
});
