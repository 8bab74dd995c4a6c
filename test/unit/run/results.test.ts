import { describe, expect, it } from 'vitest';
import type { SyncConfig } from '../../../src/config/schema.js';
import type { CopyResult, CopyTask, EngineName } from '../../../src/engines/types.js';
import { createLogger } from '../../../src/observe/logger.js';
import type { ManifestWriter } from '../../../src/observe/manifest.js';
import type { ClassifiedError } from '../../../src/resilience/errors.js';
import { ResultsHandler } from '../../../src/run/results.js';
import { RunState } from '../../../src/run/run-state.js';
import type { Verifier } from '../../../src/verify/verifier.js';
import { Writable } from 'node:stream';

const quiet = () => createLogger({ json: true, stream: new Writable({ write: (_c, _e, cb) => cb() }) });
const task = (key: string): CopyTask => ({ key, size: 7, etag: '"e"' });
const result = (key: string, engine: EngineName, error?: Partial<ClassifiedError>): CopyResult => ({
  key,
  ok: !error,
  engine,
  bytes: error ? 0 : 7,
  attempts: 1,
  latencyMs: 3,
  ...(error ? { error: { class: 'service', message: 'boom', retryable: true, ...error } as ClassifiedError } : {}),
});

function handler(o: { abort?: AbortController; sdk?: (t: CopyTask) => CopyResult; stillListed?: (key: string) => Promise<boolean> } = {}) {
  const run = new RunState({ command: 'sync', dryRun: false, logger: quiet(), abortSignal: o.abort?.signal });
  const verified: string[] = [];
  const manifest: string[] = [];
  let batches = 0;
  const h = new ResultsHandler({
    config: { enable_detailed_logging: false, verify_checksums: true } as SyncConfig,
    run,
    engines: {
      sdk: { copyOne: async (t) => (o.sdk ?? ((x) => result(x.key, 'sdk')))(t) },
      stream: { copyOne: async (t) => result(t.key, 'stream') },
    },
    fallback: { mode: 'auto', sameCredentials: true },
    verifier: { submit: async (key: string) => void verified.push(key) } as unknown as Verifier,
    manifest: { add: async (e: { key: string }) => void manifest.push(e.key) } as unknown as ManifestWriter,
    afterBatch: () => batches++,
    sourceStillLists: o.stillListed ?? (async () => false),
  });
  return { h, run, verified, manifest, batches: () => batches };
}

const tasksOf = (...keys: string[]) => new Map(keys.map((k) => [k, task(k)]));

describe('ResultsHandler', () => {
  it('copied objects are counted, written to the manifest and their zips verified; then the batch hook runs', async () => {
    const { h, run, verified, manifest, batches } = handler();
    await h.handle([result('a.zip', 'sdk'), result('a.zip.CHECKSUM', 'sdk')], tasksOf('a.zip', 'a.zip.CHECKSUM'), 'sdk');
    expect(run.counters.copied).toBe(2);
    expect(run.counters.byEngine.sdk).toEqual({ objects: 2, bytes: 14 });
    expect(manifest).toEqual(['a.zip', 'a.zip.CHECKSUM']);
    expect(verified).toEqual(['a.zip']);
    expect(batches()).toBe(1);
  });

  it('s5cmd failures go to the SDK engine, a refused copy then to stream (a degradation)', async () => {
    const { h, run } = handler({ sdk: (t) => result(t.key, 'sdk', { class: 'client', code: 'NotImplemented', status: 501, retryable: false }) });
    await h.handle([result('b.csv', 's5cmd', {})], tasksOf('b.csv'), 's5cmd');
    expect(run.counters.byEngine).toEqual({ stream: { objects: 1, bytes: 7 } });
    expect(run.degradations).toMatchObject([{ from: 'sdk', to: 'stream', reason: 'b.csv: server-side copy refused (NotImplemented)' }]);
  });

  it('vanished sources are reported apart; failures are counted; nothing counts once the run was cut', async () => {
    const { h, run } = handler();
    const vanished = result('v', 'sdk', { class: 'vanished', code: 'NoSuchKey', retryable: false });
    await h.handle([vanished, result('f', 'sdk', { class: 'permission', code: 'AccessDenied', retryable: false })], tasksOf('v', 'f'), 'sdk');
    expect(run.counters.vanished).toBe(1);
    expect(run.counters.failed).toBe(1);
    expect(run.failures.items.map((f) => [f.key, f.error_class, f.code])).toEqual([
      ['v', 'vanished', 'NoSuchKey'],
      ['f', 'permission', 'AccessDenied'],
    ]);
    const abort = new AbortController();
    const cut = handler({ abort });
    abort.abort();
    await cut.h.handle([result('c', 'sdk', { class: 'network', retryable: true })], tasksOf('c'), 'sdk');
    expect(cut.run.counters.failed).toBe(0);
    expect(cut.run.failures.items).toEqual([]);
  });

  const noSuchKey = (key: string) =>
    result(key, 'sdk', { class: 'vanished', code: 'NoSuchKey', status: 404, message: 'CopyObject s3://s/k -> s3://d/k: NoSuchKey: gone', retryable: false });

  it('a NoSuchKey for a key the source still lists is a failure naming why, not a vanished object', async () => {
    const asked: string[] = [];
    const { h, run } = handler({ stillListed: async (k) => (asked.push(k), k === 'mangled') });
    await h.handle([noSuchKey('mangled'), noSuchKey('gone')], tasksOf('mangled', 'gone'), 'sdk');
    expect(asked).toEqual(['mangled', 'gone']);
    expect(run.counters).toMatchObject({ failed: 1, vanished: 1 });
    const [mangled, gone] = run.failures.items;
    expect(mangled).toMatchObject({ key: 'mangled', error_class: 'client', code: 'NoSuchKey', engine: 'sdk' });
    expect(mangled!.message).toMatch(/^CopyObject s3:\/\/s\/k -> s3:\/\/d\/k: NoSuchKey: gone; but the source still lists this key/);
    expect(gone).toMatchObject({ key: 'gone', error_class: 'vanished' });
  });

  it('when the listing that would confirm it fails, the object counts as failed with both errors', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const { h, run } = handler({ stillListed: async () => Promise.reject(denied) });
    await h.handle([noSuchKey('k')], tasksOf('k'), 'sdk');
    expect(run.counters).toMatchObject({ failed: 1, vanished: 0 });
    expect(run.failures.items[0]).toMatchObject({ key: 'k', error_class: 'permission', code: 'NoSuchKey' });
    expect(run.failures.items[0]!.message).toMatch(/NoSuchKey: gone; and listing the source .* failed \(AccessDenied: Access Denied\)/);
  });

  it('a listing cut by the shutdown counts nothing', async () => {
    const abort = new AbortController();
    const { h, run } = handler({
      abort,
      stillListed: async () => {
        abort.abort();
        throw new Error('aborted');
      },
    });
    await h.handle([noSuchKey('k')], tasksOf('k'), 'sdk');
    expect(run.counters).toMatchObject({ failed: 0, vanished: 0 });
    expect(run.failures.items).toEqual([]);
  });
});
