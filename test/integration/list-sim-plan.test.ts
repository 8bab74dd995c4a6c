/**
 * `plan` against the listing simulator: two buckets holding the same generated keys plan nothing;
 * a bucket where some keys differ or are missing plans exactly those keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListSim, type ListSim } from '../../scripts/list-sim.js';
import { runCli } from '../helpers/cli.js';

describe('plan over the listing simulator', () => {
  let sim: ListSim;
  const KEYS = 3_000;

  beforeAll(async () => {
    sim = await startListSim({
      keysPerBucket: KEYS,
      days: 20,
      buckets: ['src', 'same', { name: 'changed', differ: 0.02, missing: 0.01 }],
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const plan = (dest: string, extra: string[] = []) =>
    runCli(['plan', '--source', 's3://src/data/', '--destination', `s3://${dest}/data/`, '--endpoint-url', sim.endpoint, '--no-progress', ...extra], sim.env());

  it('plans no copy between two buckets holding the same keys', async () => {
    const r = await plan('same', ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { counts: { listed: number; planned: number; skipped: number } };
    expect(report.counts).toMatchObject({ listed: KEYS, planned: 0, skipped: KEYS });
    expect(sim.unknown).toEqual([]);
  });

  it('plans exactly the keys that differ or are missing in the destination', async () => {
    const changed = sim.buckets.get('changed')!;
    const want: string[] = [];
    for (let i = 0; i < KEYS; i++) if (changed.missing(i) || changed.differs(i)) want.push(sim.space.keyAt(i).slice('data/'.length));
    expect(want.length).toBeGreaterThan(50);
    const r = await plan('changed');
    expect(r.code, r.stderr).toBe(0);
    const copies = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('copy '))
      .map((l) => l.slice('copy '.length).replace(/ \(.*\)$/, ''));
    expect(copies.sort()).toEqual(want.sort());
    expect(sim.requests.ListObjectsV2).toBeGreaterThanOrEqual(2 * 2 * Math.ceil(KEYS / 1000));
  });
});
