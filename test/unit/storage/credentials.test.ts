import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { SDK_EXPIRY_WINDOW_MS, credentialsToEnv, defaultChain, fromSecret } from '../../../src/storage/credentials.js';
import { SecretRegistry, registerSecretValue, secretValues } from '../../../src/storage/secret-registry.js';
import { CredentialsFormatError, SecretError, parseDestinationCredentials, parseSecretText } from '../../../src/storage/secrets.js';

const KEY_ID = 'AKIAUNITTEST00000001';
const SECRET = 'unit+Secret/Value0000000000000000000000a';
const TOKEN = 'unit-session-token-value-000000000000000000';
const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dest-creds-AbCdEf';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A settable clock and a loader whose answers the test chooses. */
function harness(start = Date.UTC(2026, 0, 1, 0, 0, 0)) {
  let t = start;
  const clock = { now: () => t, set: (v: number) => (t = v), advance: (ms: number) => (t += ms) };
  const answers: Array<Record<string, unknown> | Error> = [];
  const load = vi.fn(async (id: string) => {
    expect(id).toBe(SECRET_ID);
    const next = answers.length > 1 ? answers.shift()! : answers[0];
    if (next === undefined) throw new Error('the test queued no answer');
    if (next instanceof Error) throw next;
    return next;
  });
  return { clock, answers, load, registry: new SecretRegistry() };
}

function creds(n: number, extra: Record<string, unknown> = {}) {
  return { access_key_id: `${KEY_ID.slice(0, -1)}${n}`, secret_access_key: `${SECRET.slice(0, -1)}${n}`, ...extra };
}

function expectNoSecret(text: string, values: string[] = [KEY_ID, SECRET, TOKEN]) {
  for (const v of values) expect(text).not.toContain(v);
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

describe('parseDestinationCredentials', () => {
  it('accepts every documented spelling and normalises the shape', () => {
    const spellings = [
      { access_key_id: KEY_ID, secret_access_key: SECRET, session_token: TOKEN },
      { accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN },
      { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET, aws_session_token: TOKEN },
      { AccessKeyId: KEY_ID, SecretAccessKey: SECRET, SessionToken: TOKEN },
    ];
    for (const s of spellings) {
      const parsed = parseDestinationCredentials(s);
      expect(parsed.credentials.accessKeyId).toBe(KEY_ID);
      expect(parsed.credentials.secretAccessKey).toBe(SECRET);
      expect(parsed.credentials.sessionToken).toBe(TOKEN);
      expect(parsed.endpoint).toBeUndefined();
      expect(parsed.region).toBeUndefined();
    }
  });

  it('reads endpoint, region and an expiration (ISO or epoch seconds)', () => {
    const iso = parseDestinationCredentials({
      ...creds(1),
      endpoint_url: 'https://s3.example.net',
      region: 'eu-central-1',
      expiration: '2026-01-01T01:00:00Z',
    });
    expect(iso.endpoint).toBe('https://s3.example.net');
    expect(iso.region).toBe('eu-central-1');
    expect(iso.credentials.expiration?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    const epoch = parseDestinationCredentials({ ...creds(1), Expiration: Date.UTC(2026, 0, 1, 1) / 1000 });
    expect(epoch.credentials.expiration?.getTime()).toBe(Date.UTC(2026, 0, 1, 1));
  });

  it('names every missing or malformed field and never a value', () => {
    let err: unknown;
    try {
      parseDestinationCredentials({ secretAccessKey: '', session_token: 42, endpoint_url: `https://user:${SECRET}@host`, expiration: 'soon', note: SECRET });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CredentialsFormatError);
    const msg = (err as Error).message;
    expect(msg).toContain('missing access_key_id | accessKeyId | aws_access_key_id');
    expect(msg).toContain('secret_access_key | secretAccessKey | aws_secret_access_key must be a non-empty string (got an empty string)');
    expect(msg).toContain('session_token | sessionToken | aws_session_token must be a non-empty string (got a number)');
    expect(msg).toContain('endpoint_url must be an http(s) URL');
    expect(msg).toContain('expiration must be');
    expectNoSecret(msg);
  });

  it('refuses two spellings of one field with different values', () => {
    expect(() => parseDestinationCredentials({ access_key_id: KEY_ID, accessKeyId: 'AKIAOTHER', secret_access_key: SECRET })).toThrow(
      /access_key_id and accessKeyId are all set, to different values/,
    );
    // The same value twice is fine.
    expect(parseDestinationCredentials({ access_key_id: KEY_ID, accessKeyId: KEY_ID, secret_access_key: SECRET }).credentials.accessKeyId).toBe(KEY_ID);
  });

  it('serialises and inspects its credentials masked', () => {
    const parsed = parseDestinationCredentials({ access_key_id: KEY_ID, secret_access_key: SECRET, session_token: TOKEN });
    expectNoSecret(JSON.stringify(parsed));
    expectNoSecret(inspect(parsed, { depth: 5 }));
    expect(JSON.stringify(parsed)).toContain('[REDACTED]');
  });
});

describe('parseSecretText', () => {
  it('says "is not JSON" without quoting the content', () => {
    expect(() => parseSecretText('my-secret', `not json ${SECRET}`)).toThrow(SecretError);
    try {
      parseSecretText('my-secret', `{"secret_access_key": "${SECRET}"`);
    } catch (e) {
      expect((e as Error).message).toMatch(/^secret my-secret is not JSON/);
      expectNoSecret((e as Error).message);
    }
    expect(() => parseSecretText('my-secret', `["${SECRET}"]`)).toThrow(/not a JSON object \(it holds an array\)/);
  });
});

describe('fromSecret', () => {
  it('loads once and serves the cached identity until the refresh time', async () => {
    const h = harness();
    h.answers.push({ ...creds(1), expiration: new Date(h.clock.now() + HOUR).toISOString() });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    const a = await p();
    h.clock.advance(30 * MIN);
    const b = await p();
    expect(h.load).toHaveBeenCalledTimes(1);
    expect(b).toBe(a);
    expect(a.accessKeyId).toBe(creds(1).access_key_id);
    expect(a.expiration?.getTime()).toBe(Date.UTC(2026, 0, 1, 1));
    expect(p.state()).toMatchObject({ secretId: SECRET_ID, loads: 1 });
  });

  it('reloads refreshMarginMs before the expiration, not earlier', async () => {
    const h = harness();
    const t0 = h.clock.now();
    h.answers.push({ ...creds(1), expiration: new Date(t0 + HOUR).toISOString() }, { ...creds(2), expiration: new Date(t0 + 2 * HOUR).toISOString() });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry, refreshMarginMs: 5 * MIN });
    expect((await p()).accessKeyId).toBe(creds(1).access_key_id);
    h.clock.set(t0 + HOUR - 5 * MIN - 1);
    expect((await p()).accessKeyId).toBe(creds(1).access_key_id);
    expect(h.load).toHaveBeenCalledTimes(1);
    h.clock.set(t0 + HOUR - 5 * MIN);
    const fresh = await p();
    expect(h.load).toHaveBeenCalledTimes(2);
    expect(fresh.accessKeyId).toBe(creds(2).access_key_id);
    expect(fresh.expiration?.getTime()).toBe(t0 + 2 * HOUR);
    expect(p.state().refreshAt?.getTime()).toBe(t0 + 2 * HOUR - 5 * MIN);
  });

  it('re-reads a secret without expiration every hour, and tells the SDK when to ask again', async () => {
    const h = harness();
    const t0 = h.clock.now();
    h.answers.push(creds(1), creds(2));
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    const first = await p();
    // SDK clients ask their provider again within 5 minutes of the identity's expiration.
    expect(first.expiration?.getTime()).toBe(t0 + HOUR + SDK_EXPIRY_WINDOW_MS);
    h.clock.set(t0 + HOUR - 1);
    expect((await p()).accessKeyId).toBe(creds(1).access_key_id);
    h.clock.set(t0 + HOUR);
    expect((await p()).accessKeyId).toBe(creds(2).access_key_id);
    expect(h.load).toHaveBeenCalledTimes(2);
  });

  it('shares one load between concurrent callers and honours forceRefresh', async () => {
    const h = harness();
    h.answers.push(creds(1), creds(2));
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    const all = await Promise.all([p(), p(), p()]);
    expect(h.load).toHaveBeenCalledTimes(1);
    expect(new Set(all).size).toBe(1);
    const forced = await p({ forceRefresh: true });
    expect(h.load).toHaveBeenCalledTimes(2);
    expect(forced.accessKeyId).toBe(creds(2).access_key_id);
  });

  it('does not thrash on credentials that expire within the margin', async () => {
    const h = harness();
    const t0 = h.clock.now();
    h.answers.push({ ...creds(1), expiration: new Date(t0 + 2 * MIN).toISOString() });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry, refreshMarginMs: 5 * MIN, minReloadIntervalMs: 30_000 });
    await p();
    h.clock.advance(10_000);
    await p();
    expect(h.load).toHaveBeenCalledTimes(1);
    h.clock.advance(20_000);
    await p();
    expect(h.load).toHaveBeenCalledTimes(2);
  });

  it('keeps valid cached credentials when a refresh fails, retries later, and fails once they expired', async () => {
    const h = harness();
    const t0 = h.clock.now();
    const onRefreshError = vi.fn();
    h.answers.push({ ...creds(1), expiration: new Date(t0 + HOUR).toISOString() });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry, onRefreshError, retryAfterErrorMs: 30_000 });
    await p();
    h.answers.splice(0, 1, new Error('ThrottlingException: Rate exceeded'));
    h.clock.set(t0 + HOUR - 4 * MIN);
    expect((await p()).accessKeyId).toBe(creds(1).access_key_id);
    expect(onRefreshError).toHaveBeenCalledTimes(1);
    expect(p.state().lastError).toContain('Rate exceeded');
    // Within the retry delay: no new attempt.
    h.clock.advance(10_000);
    await p();
    expect(h.load).toHaveBeenCalledTimes(2);
    h.clock.advance(20_000);
    await p();
    expect(h.load).toHaveBeenCalledTimes(3);
    // Past the expiration the error surfaces.
    h.clock.set(t0 + HOUR + 1);
    await expect(p()).rejects.toThrow(SecretError);
    await expect(p()).rejects.toThrow(`cannot load credentials from secret ${SECRET_ID}: ThrottlingException: Rate exceeded`);
  });

  it('surfaces format errors with the secret id and without any value', async () => {
    const h = harness();
    h.answers.push({ secret_access_key: SECRET, session_token: TOKEN, extra: KEY_ID });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    const err = await rejection<SecretError>(p());
    expect(err).toBeInstanceOf(SecretError);
    expect(err.message).toContain(SECRET_ID);
    expect(err.message).toContain('missing access_key_id');
    expectNoSecret(err.message);
    expect(err.secretId).toBe(SECRET_ID);
  });

  it('masks known secret values in a loader error', async () => {
    const h = harness();
    h.answers.push(creds(1), new Error(`upstream echoed ${creds(1).secret_access_key} back`));
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    await p();
    const err = await p({ forceRefresh: true }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // Still valid (no expiration): the cached credentials are kept, the error is only recorded.
    expect(err).toBeUndefined();
    expect(p.state().lastError).toContain('[REDACTED]');
    expect(p.state().lastError).not.toContain(creds(1).secret_access_key);
  });

  it('refuses credentials that already expired', async () => {
    const h = harness();
    h.answers.push({ ...creds(1), expiration: new Date(h.clock.now() - 1000).toISOString() });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    await expect(p()).rejects.toThrow(/holds credentials that expired at 2025-12-31T23:59:59.000Z/);
  });

  it('registers loaded values for redaction, old and new', async () => {
    const h = harness();
    h.answers.push({ ...creds(1), session_token: TOKEN }, creds(2));
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    expect(h.registry.values().size).toBe(0);
    await p();
    await p({ forceRefresh: true });
    const values = h.registry.values();
    for (const v of [creds(1).access_key_id, creds(1).secret_access_key, TOKEN, creds(2).secret_access_key]) expect(values.has(v)).toBe(true);
  });

  it('feeds the module-wide secretValues() by default', async () => {
    const h = harness();
    const unique = `${SECRET.slice(0, -3)}xyz`;
    h.answers.push({ access_key_id: KEY_ID, secret_access_key: unique });
    expect(secretValues().has(unique)).toBe(false);
    await fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now })();
    expect(secretValues().has(unique)).toBe(true);
    registerSecretValue('another-value-1234');
    expect(secretValues().has('another-value-1234')).toBe(true);
  });

  it('shows no secret in JSON.stringify or inspect of the provider or its identity', async () => {
    const h = harness();
    h.answers.push({ access_key_id: KEY_ID, secret_access_key: SECRET, session_token: TOKEN, endpoint_url: 'https://s3.example.net', region: 'eu-west-1' });
    const p = fromSecret(undefined, SECRET_ID, { load: h.load, now: h.clock.now, registry: h.registry });
    const id = await p();
    expect(id.secretAccessKey).toBe(SECRET);
    for (const text of [JSON.stringify(p), JSON.stringify({ p }), JSON.stringify(id), inspect(p, { depth: 5 }), inspect(id, { depth: 5 })]) {
      expectNoSecret(text);
    }
    expect(JSON.parse(JSON.stringify(p))).toMatchObject({ secretId: SECRET_ID, loads: 1 });
    expect(await p.settings()).toEqual({ endpoint: 'https://s3.example.net', region: 'eu-west-1' });
  });

  it('without a client or loader, fails with a clear error', async () => {
    await expect(fromSecret(undefined, SECRET_ID)()).rejects.toThrow(`no Secrets Manager client to read secret ${SECRET_ID}`);
    expect(() => fromSecret(undefined, '')).toThrow(/needs a secret id/);
  });
});

describe('credentialsToEnv and defaultChain', () => {
  it('maps an identity to AWS_* variables', () => {
    expect(credentialsToEnv({ accessKeyId: KEY_ID, secretAccessKey: SECRET })).toEqual({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET });
    expect(credentialsToEnv({ accessKeyId: KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN }).AWS_SESSION_TOKEN).toBe(TOKEN);
  });

  it('defaultChain resolves environment credentials', async () => {
    const saved = { ...process.env };
    try {
      process.env.AWS_ACCESS_KEY_ID = KEY_ID;
      process.env.AWS_SECRET_ACCESS_KEY = SECRET;
      delete process.env.AWS_SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
      const id = await defaultChain()();
      expect(id.accessKeyId).toBe(KEY_ID);
      expect(id.secretAccessKey).toBe(SECRET);
    } finally {
      process.env = saved;
    }
  });
});
