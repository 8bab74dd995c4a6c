/**
 * Secrets Manager against a real moto server: the config layer and destination credentials as the
 * job reads them, error messages, rotation, and no secret value anywhere it could leak.
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inspect } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromSecret } from '../../src/storage/credentials.js';
import { SecretRegistry, secretValues } from '../../src/storage/secret-registry.js';
import { SecretError, loadSecretJson, parseDestinationCredentials } from '../../src/storage/secrets.js';
import { motoClientConfig, useMoto } from '../helpers/moto.js';

const moto = useMoto();

const KEY_ID = 'AKIAINTEGRATION00001';
const SECRET = 'integration/Secret+Value00000000000000001';
const TOKEN = 'integration-session-token-000000000000000001';
const KEY_ID_2 = 'ASIAINTEGRATION00002';
const SECRET_2 = 'integration/Secret+Value00000000000000002';
const NOT_JSON = 'hunter2-not-json-secret-content';
const ALL_VALUES = [KEY_ID, SECRET, TOKEN, KEY_ID_2, SECRET_2, NOT_JSON];

const CONFIG = {
  destination_bucket: 'prod-crypto-lakehouse-bronze',
  destination_prefix: 'binance/archive/',
  performance_optimization: { max_concurrent: 16, batch_size: 200 },
};

function expectNoSecret(text: string) {
  for (const v of ALL_VALUES) expect(text, `leaked ${v.slice(0, 6)}…`).not.toContain(v);
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejection<E = Error>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected the promise to reject');
}

let sm: SecretsManagerClient;
const arns: Record<string, string> = {};

beforeAll(async () => {
  sm = new SecretsManagerClient(motoClientConfig(moto.endpoint, 'eu-west-1'));
  const create = async (name: string, body: { SecretString?: string; SecretBinary?: Uint8Array }) => {
    const out = await sm.send(new CreateSecretCommand({ Name: name, ...body }));
    arns[name] = out.ARN!;
  };
  await create('s3ds/prod/config', { SecretString: JSON.stringify(CONFIG) });
  await create('s3ds/prod/destination', {
    SecretBinary: new TextEncoder().encode(
      JSON.stringify({
        aws_access_key_id: KEY_ID,
        aws_secret_access_key: SECRET,
        aws_session_token: TOKEN,
        endpoint_url: 'https://s3.eu-west-1.amazonaws.com',
        region: 'eu-west-1',
      }),
    ),
  });
  await create('s3ds/prod/not-json', { SecretString: NOT_JSON });
  await create('s3ds/prod/array', { SecretString: JSON.stringify([SECRET]) });
  await create('s3ds/prod/incomplete', { SecretString: JSON.stringify({ accessKeyId: KEY_ID, note: SECRET }) });
  await create('s3ds/prod/rotating', { SecretString: JSON.stringify({ access_key_id: KEY_ID, secret_access_key: SECRET }) });
});

describe('loadSecretJson and parseDestinationCredentials against Secrets Manager', () => {
  it('loads a JSON config secret by name and by ARN', async () => {
    expect(await loadSecretJson(sm, 's3ds/prod/config')).toEqual(CONFIG);
    expect(await loadSecretJson(sm, arns['s3ds/prod/config']!)).toEqual(CONFIG);
  });

  it('loads a binary destination-credentials secret and normalises it', async () => {
    const json = await loadSecretJson(sm, 's3ds/prod/destination');
    const parsed = parseDestinationCredentials(json);
    expect(parsed.credentials).toMatchObject({ accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(parsed.credentials.expiration).toBeUndefined();
    expect(parsed.endpoint).toBe('https://s3.eu-west-1.amazonaws.com');
    expect(parsed.region).toBe('eu-west-1');
    expectNoSecret(JSON.stringify(parsed));
  });

  it('names the id and the AWS error code of a missing secret', async () => {
    const err = await rejection<SecretError>(loadSecretJson(sm, 's3ds/prod/does-not-exist'));
    expect(err).toBeInstanceOf(SecretError);
    expect(err.message).toContain('s3ds/prod/does-not-exist');
    expect(err.message).toContain('ResourceNotFoundException');
    expect(err.code).toBe('ResourceNotFoundException');
    expect(err.secretId).toBe('s3ds/prod/does-not-exist');
  });

  it('says "is not JSON" without echoing the content, and refuses a non-object', async () => {
    const notJson = await rejection<Error>(loadSecretJson(sm, 's3ds/prod/not-json'));
    expect(notJson.message).toMatch(/^secret s3ds\/prod\/not-json is not JSON/);
    await expect(loadSecretJson(sm, 's3ds/prod/array')).rejects.toThrow(/is not a JSON object \(it holds an array\)/);
  });
});

describe('fromSecret against Secrets Manager', () => {
  it('resolves credentials, endpoint and region, and registers the values for redaction', async () => {
    const provider = fromSecret(sm, 's3ds/prod/destination');
    const id = await provider();
    expect(id).toMatchObject({ accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(await provider.settings()).toEqual({ endpoint: 'https://s3.eu-west-1.amazonaws.com', region: 'eu-west-1' });
    const values = secretValues();
    expect(values.has(SECRET)).toBe(true);
    expect(values.has(TOKEN)).toBe(true);
  });

  it('reads the rotated value when the cached one is due', async () => {
    let t = Date.now();
    const provider = fromSecret(sm, 's3ds/prod/rotating', { now: () => t, registry: new SecretRegistry() });
    expect((await provider()).accessKeyId).toBe(KEY_ID);
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 's3ds/prod/rotating',
        SecretString: JSON.stringify({ access_key_id: KEY_ID_2, secret_access_key: SECRET_2, expiration: new Date(t + 3 * 3600_000).toISOString() }),
      }),
    );
    // Cached: the secret is not read again within the hour.
    t += 59 * 60_000;
    expect((await provider()).accessKeyId).toBe(KEY_ID);
    t += 60_000;
    const rotated = await provider();
    expect(rotated.accessKeyId).toBe(KEY_ID_2);
    expect(rotated.expiration?.getTime()).toBe(provider.state().expiration?.getTime());
    expect(provider.state().loads).toBe(2);
  });

  it('never shows a secret value in thrown messages or in JSON.stringify of the providers', async () => {
    const texts: string[] = [];
    const providers = ['s3ds/prod/destination', 's3ds/prod/rotating', 's3ds/prod/not-json', 's3ds/prod/array', 's3ds/prod/incomplete', 's3ds/prod/missing'].map(
      (id) => fromSecret(sm, id),
    );
    for (const p of providers) {
      try {
        const id = await p();
        texts.push(JSON.stringify(id), inspect(id));
      } catch (err) {
        expect(err).toBeInstanceOf(SecretError);
        texts.push((err as Error).message, String(err), JSON.stringify(err), inspect(err));
      }
      texts.push(JSON.stringify(p), JSON.stringify({ provider: p, state: p.state() }), inspect(p, { depth: 5 }));
    }
    const incomplete = await rejection<Error>(providers[4]!());
    expect(incomplete.message).toContain('s3ds/prod/incomplete');
    expect(incomplete.message).toContain('missing secret_access_key');
    const missing = await rejection<Error>(providers[5]!());
    expect(missing.message).toContain('s3ds/prod/missing');
    expect(missing.message).toContain('ResourceNotFoundException');
    expect(texts.length).toBeGreaterThan(15);
    for (const text of texts) expectNoSecret(text);
  });
});
