import { describe, expect, it } from 'vitest';
import { fallBackToStream, retryWithSdk, settleWithFallback, type FallbackPolicy } from '../../../src/engines/fallback.js';
import type { CopyResult, CopyTask, EngineName } from '../../../src/engines/types.js';
import type { ClassifiedError } from '../../../src/resilience/errors.js';

const task: CopyTask = { key: 'a/b.zip', size: 10, etag: '"e"' };
const ok = (engine: EngineName): CopyResult => ({ key: task.key, ok: true, engine, bytes: 10, attempts: 1, latencyMs: 1 });
const failed = (engine: EngineName, error: Partial<ClassifiedError>): CopyResult => ({
  key: task.key,
  ok: false,
  engine,
  bytes: 0,
  attempts: 1,
  latencyMs: 1,
  error: { class: 'service', message: 'x', retryable: true, ...error } as ClassifiedError,
});
const auto: FallbackPolicy = { mode: 'auto', sameCredentials: true };

describe('retryWithSdk', () => {
  it('takes retryable failures of an s5cmd batch, unless the run was cut', () => {
    expect(retryWithSdk(failed('s5cmd', { retryable: true }), 's5cmd', false)).toBe(true);
    expect(retryWithSdk(failed('s5cmd', { retryable: true }), 's5cmd', true)).toBe(false);
    expect(retryWithSdk(failed('s5cmd', { class: 'permission', retryable: false }), 's5cmd', false)).toBe(false);
    expect(retryWithSdk(failed('sdk', { retryable: true }), 'sdk', false)).toBe(false);
    expect(retryWithSdk(ok('s5cmd'), 's5cmd', false)).toBe(false);
  });
});

describe('fallBackToStream', () => {
  it('a refused server-side copy goes to download and upload in auto mode only, and never twice', () => {
    const refused = failed('sdk', { class: 'client', code: 'NotImplemented', status: 501, retryable: false });
    expect(fallBackToStream(refused, auto)).toBe(true);
    expect(fallBackToStream(refused, { ...auto, mode: 'direct_sync' })).toBe(false);
    expect(fallBackToStream(refused, { ...auto, forced: 'sdk' })).toBe(false);
    expect(fallBackToStream({ ...refused, engine: 'stream' }, auto)).toBe(false);
    expect(fallBackToStream(failed('sdk', { class: 'throttling' }), auto)).toBe(false);
  });

  it('permission refused: only when the sides have their own credentials', () => {
    const denied = failed('sdk', { class: 'permission', code: 'AccessDenied', retryable: false });
    expect(fallBackToStream(denied, auto)).toBe(false);
    expect(fallBackToStream(denied, { ...auto, sameCredentials: false })).toBe(true);
  });
});

describe('settleWithFallback', () => {
  const engines = (sdk: CopyResult, stream: CopyResult) => {
    const calls: string[] = [];
    return {
      calls,
      sdk: { copyOne: async () => (calls.push('sdk'), sdk) },
      stream: { copyOne: async () => (calls.push('stream'), stream) },
    };
  };

  it('s5cmd → sdk → stream, reporting the switch to stream', async () => {
    const e = engines(failed('sdk', { class: 'client', code: 'InvalidRequest', retryable: false }), ok('stream'));
    const streamed: CopyResult[] = [];
    const r = await settleWithFallback(failed('s5cmd', {}), task, 's5cmd', e, auto, { onStream: (x) => streamed.push(x) });
    expect(e.calls).toEqual(['sdk', 'stream']);
    expect(r).toEqual(ok('stream'));
    expect(streamed.map((x) => x.engine)).toEqual(['sdk']);
  });

  it('a success or a failure no fallback takes is returned as it is', async () => {
    const e = engines(ok('sdk'), ok('stream'));
    expect(await settleWithFallback(ok('s5cmd'), task, 's5cmd', e, auto, { onStream: () => undefined })).toEqual(ok('s5cmd'));
    const vanished = failed('sdk', { class: 'vanished', retryable: false });
    expect(await settleWithFallback(vanished, task, 'sdk', e, auto, { onStream: () => undefined })).toBe(vanished);
    expect(e.calls).toEqual([]);
  });
});
