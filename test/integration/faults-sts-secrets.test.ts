/**
 * STS and Secrets Manager follow the run's retry policy too: `validate` reads its configuration
 * from a secret and confirms the credentials with GetCallerIdentity, each through a fault proxy in
 * front of moto whose first 3 answers are 503 SlowDown (more than the SDK's default 3 attempts).
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { motoClientConfig, startMoto, type MotoServer } from '../helpers/moto.js';

describe('STS and Secrets Manager requests are retried by the run policy', () => {
  let moto: MotoServer;
  const proxies: FaultProxy[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    const sm = new SecretsManagerClient(motoClientConfig(moto.endpoint));
    await sm.send(
      new CreateSecretCommand({ Name: 'retry/config', SecretString: JSON.stringify({ destination_bucket: 'from-secret-dst', destination_prefix: 'lake/' }) }),
    );
    sm.destroy();
  });
  afterAll(async () => {
    for (const p of proxies) await p.stop();
    await moto?.stop();
  });

  it('GetSecretValue and GetCallerIdentity each answered SlowDown 3 times: validate still passes', async () => {
    const secrets = await startFaultProxy(moto.endpoint, { failFirstOfEachKind: 'slowDown', failFirstTimes: 3 });
    const sts = await startFaultProxy(moto.endpoint, { failFirstOfEachKind: 'slowDown', failFirstTimes: 3 });
    proxies.push(secrets, sts);
    const skip = ['source-listable', 'destination-exists', 'destination-writable', 's5cmd', 'endpoint-latency', 'resources'].flatMap((n) => ['--skip', n]);
    const run = await runCli(['validate', '--source', 's3://some-src/data/', '--config-secret', 'retry/config', '--json', ...skip], {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { checks: Array<{ name: string; ok: boolean; skipped?: boolean; detail: string }> };
    const credentials = doc.checks.find((c) => c.name === 'credentials')!;
    expect(credentials, run.stdout).toMatchObject({ ok: true });
    expect(credentials.skipped).not.toBe(true);
    expect(credentials.detail).toMatch(/confirmed by http:\/\/127\.0\.0\.1:\d+/);
    // The destination is set only in the secret (without it validate exits 2): it was read, through its proxy.
    expect(secrets.injectedByKind.post).toBe(3);
    expect(secrets.faulted[0]).toBe(secrets.seen[0]);
    expect(sts.injectedByKind.post).toBe(3);
    expect(sts.seen.length).toBe(4);
  });
});
