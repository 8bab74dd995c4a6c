/**
 * The two schedules' commands against versitygw, on a realistic archive whose last day is today:
 * the daily run (`sync --json --date-from=-1d`, spelled as the Terraform schedule spells its
 * window) copies exactly the window's files, the weekly full run the rest; a file replaced in
 * place inside the window is caught by the daily run, one replaced before it only by the full run.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../../scripts/local-s3.js';
import { generateArchive, realisticArchive, sameSizeReplacement, uploadArchive, type ArchiveObject } from '../fixtures/binance-archive.js';
import { runCli } from '../helpers/cli.js';
import { contentHashes, sha256 } from '../helpers/s3.js';

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The date in a file name (YYYY-MM-DD or YYYY-MM, unpadded old names too), read without the selection compiler. */
function fileDate(key: string): { month: string; day?: string } | undefined {
  const m = /-(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\.zip(?:\.CHECKSUM)?$/.exec(key);
  if (!m) return undefined;
  const month = `${m[1]}-${m[2]!.padStart(2, '0')}`;
  return m[3] === undefined ? { month } : { month, day: `${month}-${m[3].padStart(2, '0')}` };
}

describe('the daily window and the weekly full run', () => {
  let s3: LocalS3;
  let archive: ArchiveObject[];
  const today = Date.now();
  const yesterday = isoDay(today - DAY_MS);
  // Five days ending today, so that -1d keeps the last two of them.
  const opts = realisticArchive({ seed: 37, days: 5, startDate: isoDay(today - 4 * DAY_MS), intervals: ['1m', '1d', '1mo'] });
  const args = () => ['--source', 's3://arch/data/', '--destination', 's3://lake/bronze/', '--endpoint-url', s3.endpoint, '--json'];
  const inWindow = (key: string) => {
    const d = fileDate(key);
    if (!d) return false;
    return d.day !== undefined ? d.day >= yesterday : d.month >= yesterday.slice(0, 7);
  };
  const sourceUnderData = () => new Map(archive.filter((o) => o.key.startsWith('data/')).map((o) => [o.key.slice('data/'.length), o.sha256]));

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: ['arch', 'lake'] });
    archive = [...generateArchive(opts)];
    const client = s3.client();
    await uploadArchive(client, 'arch', archive, { concurrency: 8 });
    client.destroy();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  async function sync(extra: string[]): Promise<{ copied: number; listed: number }> {
    const r = await runCli(['sync', ...args(), ...extra], s3.env());
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { counts: { copied: number; listed: number } }).counts;
  }

  async function mirror(): Promise<Map<string, string>> {
    const client = s3.client();
    try {
      return await contentHashes(client, 'lake', 'bronze/');
    } finally {
      client.destroy();
    }
  }

  it('the daily run copies exactly the window; the full run the rest; then neither copies anything', async () => {
    const all = sourceUnderData();
    const window = new Map([...all].filter(([k]) => inWindow(k)));
    expect(window.size).toBeGreaterThan(0);
    // Monthly files whose month overlaps the window are all in it; of the daily files, two days of five.
    const daily = (m: Map<string, string>) => [...m.keys()].filter((k) => k.includes('/daily/')).length;
    expect(daily(window)).toBeLessThan(daily(all) / 2);
    expect([...window.keys()].some((k) => k.includes('/monthly/'))).toBe(true);

    const first = await sync(['--date-from=-1d']);
    expect(first.copied).toBe(window.size);
    expect(await mirror()).toEqual(window);

    const full = await sync([]);
    expect(full.copied).toBe(all.size - window.size);
    expect(await mirror()).toEqual(all);

    expect((await sync(['--date-from', '-1d'])).copied).toBe(0);
    expect((await sync([])).copied).toBe(0);
  });

  it('a file replaced inside the window is caught by the daily run, one replaced before it only by the full run', async () => {
    const zips = archive.filter((o) => o.kind === 'zip' && o.key.startsWith('data/spot/daily/klines/') && o.anomaly === undefined);
    const recent = zips.find((o) => fileDate(o.key)?.day === isoDay(today))!;
    const old = zips.find((o) => fileDate(o.key)?.day === isoDay(today - 3 * DAY_MS))!;
    expect(recent && old).toBeTruthy();
    const client = s3.client();
    const replaced: ArchiveObject[] = [];
    for (const o of [recent, old]) {
      const r = sameSizeReplacement(o, 99);
      for (const n of [r.zip, r.checksum]) {
        await client.send(new PutObjectCommand({ Bucket: 'arch', Key: n.key, Body: n.body }));
        replaced.push(n);
      }
    }
    client.destroy();
    const stale = (m: Map<string, string>) => replaced.filter((n) => m.get(n.key.slice('data/'.length)) !== sha256(n.body)).map((n) => n.key);

    const daily = await sync(['--date-from=-1d']);
    expect(daily.copied).toBe(2);
    const afterDaily = stale(await mirror());
    expect(afterDaily).toEqual([old.key, `${old.key}.CHECKSUM`]);

    const full = await sync([]);
    expect(full.copied).toBe(2);
    expect(stale(await mirror())).toEqual([]);
  });
});
