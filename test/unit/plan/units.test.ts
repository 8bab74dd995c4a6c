/** The unit walk over an in-memory S3: folder steps written by hand, the way the selection gives them. */
import { describe, expect, it } from 'vitest';
import type { FolderStep } from '../../../src/config/selection.js';
import type { Action } from '../../../src/plan/diff.js';
import { planActions, type PlanInput } from '../../../src/plan/planner.js';
import { listingUnits, type ListUnit } from '../../../src/plan/units.js';
import { memoryS3 } from '../../helpers/memory-s3.js';

const keys = [
  'index.html',
  'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-01.zip',
  'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-02.zip',
  'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-03.zip',
  'spot/daily/klines/BTCUSDT/1h/BTCUSDT-1h-2024-01-02.zip',
  'spot/daily/klines/ETHUSDT/1m/ETHUSDT-1m-2024-01-02.zip',
  'spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-02.zip',
  'spot/daily/notes.txt',
  'option/daily/BVOLIndex/BTCBVOLUSDT/BTCBVOLUSDT-BVOLIndex-2024-01-02.zip',
];

function sides(destExtra: string[] = []) {
  const { client, calls } = memoryS3({
    src: keys.map((key) => ({ key: `data/${key}`, body: key })),
    dst: [...keys.slice(0, 3), ...destExtra].map((key) => ({ key: `m/${key}`, body: key })),
  });
  const side = (bucket: string, root: string) => ({ client, bucket, root, limit: <T>(r: () => Promise<T>) => r() });
  return { src: side('src', 'data/'), dst: side('dst', 'm/'), calls };
}

/** spot/daily/: klines by known symbols, a window on 1m (1h skipped), other symbols whole; other types listed whole; everything else skipped. */
function step(rel: string): FolderStep {
  if (rel === '') return { kind: 'children', names: ['spot'] };
  if (rel === 'spot/') return { kind: 'children', names: ['daily'] };
  if (rel === 'spot/daily/') return { kind: 'discover' };
  if (rel === 'spot/daily/klines/') return { kind: 'children', names: ['BTCUSDT', 'XRPUSDT'] };
  if (rel === 'spot/daily/klines/BTCUSDT/') return { kind: 'discover' };
  if (rel.endsWith('/1m/')) return { kind: 'list', startAfter: `${rel}BTCUSDT-1m-2024-01-01.zip\uffff`, endBefore: `${rel}BTCUSDT-1m-2024-01-03` };
  if (/^spot\/daily\/([^/]+|klines\/[^/]+)\/$/.test(rel)) return { kind: 'list' };
  return { kind: 'skip' };
}

const describeUnit = (u: ListUnit) => `${u.rel}${u.recursive ? '' : ' (direct)'}${u.startAfter ? ' after' : ''}${u.endBefore ? ' before' : ''}`;

describe('listingUnits', () => {
  it('follows the steps: children without a request, one delimiter listing per discovered folder, units in key order', async () => {
    const { src, calls } = sides();
    const judged: string[] = [];
    const units = await listingUnits({ prefixes: [''], step, sides: [src], onFolder: (rel) => judged.push(rel) });
    expect(units.map(describeUnit)).toEqual([
      'spot/daily/ (direct)',
      'spot/daily/klines/BTCUSDT/1m/ after before',
      'spot/daily/klines/XRPUSDT/',
      'spot/daily/trades/',
    ]);
    // Only the two discovered folders were listed, with a delimiter.
    expect(calls.map((c) => `${String(c.input.Prefix)} ${String(c.input.Delimiter)}`).sort()).toEqual([
      'data/spot/daily/ /',
      'data/spot/daily/klines/BTCUSDT/ /',
    ]);
    expect(judged).toContain('spot/daily/klines/XRPUSDT/');
  });

  it('discovers on both sides when the destination is listed: folders only the destination holds are units too', async () => {
    const { src, dst } = sides(['spot/daily/bookTicker/BTCUSDT/old.zip']);
    const units = await listingUnits({ prefixes: [''], step, sides: [src, dst] });
    const absent = Object.fromEntries(units.map((u) => [describeUnit(u), u.absentOn ?? []]));
    // Each unit says which side's delimiter listing showed nothing there: that side is not listed.
    expect(absent).toEqual({
      'spot/daily/ (direct)': [1],
      'spot/daily/bookTicker/': [0],
      'spot/daily/klines/BTCUSDT/1m/ after before': [],
      'spot/daily/klines/XRPUSDT/': [],
      'spot/daily/trades/': [1],
    });
  });

  it('lists a prefix ending mid-name as it is, without asking for a step', async () => {
    const { src } = sides();
    const units = await listingUnits({ prefixes: ['spot/daily/klines/BTC'], step: () => ({ kind: 'skip' }), sides: [src] });
    expect(units).toEqual([{ rel: 'spot/daily/klines/BTC', recursive: true }]);
  });
});

describe('planActions over bounded units', () => {
  /** A sync-mode plan of `prefixes` from src/data/ to dst/m/ on one in-memory client, walked by `step`. */
  const syncInput = (client: PlanInput['source']['client'], prefixes: string[]): PlanInput => ({
    source: { client, location: { bucket: 'src', prefix: 'data/' } },
    dest: { client, location: { bucket: 'dst', prefix: 'm/' } },
    prefixes,
    selection: { folderStep: step, groupOf: (rel) => rel },
    incremental: true,
    deleteExtras: true,
    destinationEtags: 'md5',
    selected: () => true,
    sortListings: false,
  });

  it('lists both sides between the same bounds, so the diff sees exactly the window', async () => {
    const { client, calls } = memoryS3({
      src: keys.map((key) => ({ key: `data/${key}`, body: key })),
      dst: ['spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-02.zip', 'spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-03.zip'].map((key) => ({
        key: `m/${key}`,
        body: 'other',
      })),
    });
    const i = syncInput(client, ['spot/daily/klines/BTCUSDT/']);
    const actions: Action[] = [];
    for await (const a of planActions(i)) actions.push(a);
    // 01-01 and 01-03 lie outside the window on both sides: neither copied nor deleted.
    expect(actions.map((a) => `${a.kind} ${a.key}`)).toEqual(['copy spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01-02.zip']);
    const windowed = calls.filter((c) => c.input.StartAfter !== undefined).map((c) => String(c.input.Bucket));
    expect(windowed.sort()).toEqual(['dst', 'src']);
  });

  it('lists no side a delimiter listing showed empty there; without deletes the destination is not walked at all', async () => {
    const { client, calls } = memoryS3({
      src: keys.map((key) => ({ key: `data/${key}`, body: key })),
      dst: [{ key: 'm/spot/daily/bookTicker/BTCUSDT/old.zip', body: 'old' }],
    });
    const i = syncInput(client, ['spot/daily/']);
    const run = async (over: Partial<PlanInput>) => {
      calls.length = 0;
      const actions: string[] = [];
      for await (const a of planActions({ ...i, ...over })) actions.push(`${a.kind} ${a.key}`);
      return {
        actions,
        requests: calls.map((c) => `${String(c.input.Bucket)}:${String(c.input.Prefix).replace(/^(data|m)\//, '')}${c.input.Delimiter ? ' /' : ''}`),
      };
    };
    const sync = await run({});
    expect(sync.actions).toContain('delete spot/daily/bookTicker/BTCUSDT/old.zip');
    // The destination holds only bookTicker/: nothing under klines/ or trades/ is asked of it.
    expect(sync.requests.filter((r) => r.startsWith('dst:')).sort()).toEqual(['dst:spot/daily/ /', 'dst:spot/daily/bookTicker/']);
    expect(sync.requests).not.toContain('src:spot/daily/bookTicker/');
    const copy = await run({ deleteExtras: false });
    expect(copy.actions.every((a) => a.startsWith('copy '))).toBe(true);
    // Each source unit's listing on the destination, no discovery there (spot/daily/ is the direct unit).
    expect(copy.requests.filter((r) => r.startsWith('dst:')).sort()).toEqual([
      'dst:spot/daily/ /',
      'dst:spot/daily/klines/BTCUSDT/1m/',
      'dst:spot/daily/klines/XRPUSDT/',
      'dst:spot/daily/trades/',
    ]);
  });
});
