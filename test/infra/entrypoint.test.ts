/**
 * docker/entrypoint.sh, run directly the way tini runs it in the image, over the cgroup fixtures
 * (S3DS_CGROUP_ROOT points it at one): it gives V8 60% of the container's memory limit minus 64 MiB
 * as old space (at least 64 MiB), leaves Node's default without a limit, never overrides a
 * --max-old-space-size in NODE_OPTIONS, and execs the command (same pid, its exit code).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { run } from '../helpers/spawn.js';

const ENTRYPOINT = join(repoRoot, 'docker', 'entrypoint.sh');
const FIXTURES = fileURLToPath(new URL('../fixtures/cgroup/', import.meta.url));
const MIB = 1024 * 1024;

/** What node sees once started through the entrypoint: its NODE_OPTIONS, V8's heap limit and its pid. */
const REPORT = [
  'console.log(JSON.stringify({',
  '  options: process.env.NODE_OPTIONS ?? null,',
  `  heapMib: require('v8').getHeapStatistics().heap_size_limit / ${MIB},`,
  '  pid: process.pid,',
  '}))',
].join('\n');

interface Seen {
  options: string | null;
  heapMib: number;
  pid: number;
}

async function throughEntrypoint(cgroupRoot: string, nodeOptions?: string): Promise<Seen & { spawnedPid: number }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, S3DS_CGROUP_ROOT: cgroupRoot };
  if (nodeOptions !== undefined) env.NODE_OPTIONS = nodeOptions;
  let spawnedPid = 0;
  const r = await run(ENTRYPOINT, [process.execPath, '-e', REPORT], { env, timeoutMs: 60_000, onSpawn: (pid) => (spawnedPid = pid) });
  expect(r.code, r.stderr).toBe(0);
  return { ...(JSON.parse(r.stdout) as Seen), spawnedPid };
}

describe('docker/entrypoint.sh', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** A cgroup v2 root whose memory.max holds `text`. */
  function v2Root(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), 's3ds-entrypoint-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
    writeFileSync(join(dir, 'memory.max'), `${text}\n`);
    return dir;
  }

  it.each([
    ['cgroup v2, 1 GiB', 'v2-limited', 550],
    ['cgroup v1, 2 GiB', 'v1-limited', 1164],
  ])('%s: old space = 60%% of the limit minus 64 MiB, and V8 takes it', async (_what, fixture, heap) => {
    const seen = await throughEntrypoint(join(FIXTURES, fixture));
    expect(seen.options).toBe(`--max-old-space-size=${heap}`);
    // heap_size_limit is old space plus the young generation: at least the old space, well under Node's default on this host.
    expect(seen.heapMib).toBeGreaterThanOrEqual(heap);
    expect(seen.heapMib).toBeLessThan(heap + 256);
  });

  it('a 4 GiB Fargate task gets 2,393 MiB; a tiny limit still gets the 64 MiB floor', async () => {
    expect((await throughEntrypoint(v2Root(String(4096 * MIB)))).options).toBe('--max-old-space-size=2393');
    expect((await throughEntrypoint(v2Root(String(128 * MIB)))).options).toBe('--max-old-space-size=64');
  });

  it.each([
    ['cgroup v2 "max"', 'v2-unlimited'],
    ["cgroup v1's unlimited LONG_MAX", 'v1-unlimited'],
    ['no cgroup files at all', 'none'],
  ])('%s: no limit, so Node keeps its default', async (_what, fixture) => {
    const seen = await throughEntrypoint(join(FIXTURES, fixture));
    expect(seen.options).toBeNull();
  });

  it('keeps a --max-old-space-size already in NODE_OPTIONS, and adds to other NODE_OPTIONS', async () => {
    const root = join(FIXTURES, 'v2-limited');
    const kept = await throughEntrypoint(root, '--enable-source-maps --max-old-space-size=300');
    expect(kept.options).toBe('--enable-source-maps --max-old-space-size=300');
    expect(kept.heapMib).toBeLessThan(550);
    const added = await throughEntrypoint(root, '--enable-source-maps');
    expect(added.options).toBe('--enable-source-maps --max-old-space-size=550');
  });

  it('execs the command: node has the pid tini started, and its exit code is the container exit code', async () => {
    const seen = await throughEntrypoint(join(FIXTURES, 'v2-limited'));
    expect(seen.pid).toBe(seen.spawnedPid);
    const r = await run(ENTRYPOINT, [process.execPath, '-e', 'process.exit(7)'], { env: { PATH: process.env.PATH, S3DS_CGROUP_ROOT: join(FIXTURES, 'none') } });
    expect(r.code).toBe(7);
  });
});
