/** The dispatcher with engines in memory: batches per engine, bounded batches in flight, results routed back. */
import { describe, expect, it } from 'vitest';
import { Dispatcher, type DispatcherOptions } from '../../../src/engines/dispatcher.js';
import type { CopyEngine, CopyResult, CopyTask, EngineName } from '../../../src/engines/types.js';

interface FakeEngine extends CopyEngine {
  batches: string[][];
  /** Batches started and not finished. */
  running: number;
  /** Finishes the oldest batch held by `hold`. */
  release(): void;
}

/** Batches in flight across engines, and the most seen at once. */
interface InFlight {
  now: number;
  max: number;
}

/** An engine that records its batches; with `hold`, each batch waits for release(). */
function fakeEngine(name: EngineName, opts: { hold?: boolean; fail?: Error; inFlight?: InFlight } = {}): FakeEngine {
  const waiting: Array<() => void> = [];
  const inFlight = opts.inFlight ?? { now: 0, max: 0 };
  const engine: FakeEngine = {
    name,
    maxObjectBytes: Number.MAX_SAFE_INTEGER,
    batches: [],
    running: 0,
    release: () => waiting.shift()?.(),
    async copyBatch(tasks: CopyTask[]): Promise<CopyResult[]> {
      engine.batches.push(tasks.map((t) => t.key));
      engine.running++;
      inFlight.max = Math.max(inFlight.max, ++inFlight.now);
      if (opts.hold) await new Promise<void>((r) => waiting.push(r));
      engine.running--;
      inFlight.now--;
      if (opts.fail) throw opts.fail;
      return tasks.map((t) => ({ key: t.key, ok: true, engine: name, bytes: t.size, attempts: 1, latencyMs: 1 }));
    },
  };
  return engine;
}

const task = (key: string): CopyTask => ({ key, size: key.length, etag: `etag-${key}` });
const settle = () => new Promise((r) => setTimeout(r, 10));

interface Routed {
  engine: EngineName;
  results: string[];
  tasks: string[];
}

type Overrides = Partial<Omit<DispatcherOptions, 'maxInFlight'>> & { maxInFlight?: number };

/** The dispatcher's options in one place, so a change of its options is a change here only. */
function dispatcherOptions(engineFor: (t: CopyTask) => CopyEngine, over: Overrides = {}): { opts: DispatcherOptions; routed: Routed[] } {
  const routed: Routed[] = [];
  const { maxInFlight = 4, ...rest } = over;
  const opts: DispatcherOptions = {
    batchSize: () => 3,
    maxInFlight,
    engineFor,
    onResults: async (results, tasks, engine) => {
      routed.push({ engine, results: results.map((r) => r.key), tasks: [...tasks.keys()] });
    },
    ...rest,
  };
  return { opts, routed };
}

describe('Dispatcher', () => {
  it('batches tasks per engine, never mixing engines in a batch, and sends full batches as they fill', async () => {
    const s5cmd = fakeEngine('s5cmd');
    const sdk = fakeEngine('sdk');
    const { opts } = dispatcherOptions((t) => (t.key.startsWith('big/') ? sdk : s5cmd));
    const d = new Dispatcher(opts);
    for (const k of ['a', 'big/1', 'b', 'c', 'big/2', 'd']) await d.add(task(k));
    expect(s5cmd.batches).toEqual([['a', 'b', 'c']]);
    expect(sdk.batches).toEqual([]);
    await d.drain();
    expect(s5cmd.batches).toEqual([['a', 'b', 'c'], ['d']]);
    expect(sdk.batches).toEqual([['big/1', 'big/2']]);
  });

  it('reads the batch size at every add, so batches can shrink mid-run', async () => {
    const engine = fakeEngine('sdk');
    let size = 4;
    const { opts } = dispatcherOptions(() => engine, { batchSize: () => size });
    const d = new Dispatcher(opts);
    for (const k of ['a', 'b', 'c', 'd', 'e']) await d.add(task(k));
    size = 2;
    for (const k of ['f', 'g']) await d.add(task(k));
    expect(engine.batches).toEqual([
      ['a', 'b', 'c', 'd'],
      ['e', 'f'],
    ]);
    size = 0; // below one counts as one: the open batch goes at the next add
    await d.add(task('h'));
    expect(engine.batches).toEqual([
      ['a', 'b', 'c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
    await d.add(task('i'));
    await d.drain();
    expect(engine.batches).toEqual([['a', 'b', 'c', 'd'], ['e', 'f'], ['g', 'h'], ['i']]);
  });

  it('holds `add` while maxInFlight batches are in flight (backpressure), across engines', async () => {
    const inFlight = { now: 0, max: 0 };
    const a = fakeEngine('s5cmd', { hold: true, inFlight });
    const b = fakeEngine('sdk', { hold: true, inFlight });
    const { opts } = dispatcherOptions((t) => (t.key < 'm' ? a : b), { batchSize: () => 1, maxInFlight: 2 });
    const d = new Dispatcher(opts);
    await d.add(task('a1'));
    await d.add(task('z1'));
    let third = false;
    const adding = d.add(task('a2')).then(() => (third = true));
    await settle();
    expect(third).toBe(false);
    expect(a.running + b.running).toBe(2);

    b.release();
    await adding;
    expect(third).toBe(true);
    expect(a.running).toBe(2);
    const draining = d.drain();
    a.release();
    a.release();
    await draining;
    expect(inFlight.max).toBe(2);
    expect(a.batches).toEqual([['a1'], ['a2']]);
  });

  it('drain sends the partial batches and resolves only after every result is routed', async () => {
    const engine = fakeEngine('stream', { hold: true });
    const { opts, routed } = dispatcherOptions(() => engine, { batchSize: () => 10 });
    const d = new Dispatcher(opts);
    for (const k of ['a', 'b']) await d.add(task(k));
    expect(engine.batches).toEqual([]);
    let drained = false;
    const draining = d.drain().then(() => (drained = true));
    await settle();
    expect(engine.batches).toEqual([['a', 'b']]);
    expect(drained).toBe(false);
    engine.release();
    await draining;
    expect(routed).toEqual([{ engine: 'stream', results: ['a', 'b'], tasks: ['a', 'b'] }]);
  });

  it('routes each batch’s results with that batch’s tasks and its engine’s name', async () => {
    const s5cmd = fakeEngine('s5cmd');
    const sdk = fakeEngine('sdk');
    const { opts, routed } = dispatcherOptions((t) => (t.key.endsWith('.zip') ? sdk : s5cmd), { batchSize: () => 2 });
    const d = new Dispatcher(opts);
    for (const k of ['1.zip', '1.csv', '2.zip', '2.csv', '3.zip']) await d.add(task(k));
    await d.drain();
    expect(routed.sort((x, y) => x.tasks[0]!.localeCompare(y.tasks[0]!))).toEqual([
      { engine: 's5cmd', results: ['1.csv', '2.csv'], tasks: ['1.csv', '2.csv'] },
      { engine: 'sdk', results: ['1.zip', '2.zip'], tasks: ['1.zip', '2.zip'] },
      { engine: 'sdk', results: ['3.zip'], tasks: ['3.zip'] },
    ]);
  });

  it('a failed batch fails drain and every later add with the first error', async () => {
    const broken = fakeEngine('sdk', { fail: new Error('engine broke') });
    const { opts } = dispatcherOptions(() => broken, { batchSize: () => 1 });
    const d = new Dispatcher(opts);
    await d.add(task('a'));
    await expect(d.drain()).rejects.toThrow('engine broke');
    await expect(d.add(task('b'))).rejects.toThrow('engine broke');

    const { opts: routing } = dispatcherOptions(() => fakeEngine('s5cmd'), {
      onResults: async () => {
        throw new Error('handler broke');
      },
    });
    const d2 = new Dispatcher(routing);
    await d2.add(task('x'));
    await expect(d2.drain()).rejects.toThrow('handler broke');
  });
});
