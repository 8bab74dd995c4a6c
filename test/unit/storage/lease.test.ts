import { describe, expect, it } from 'vitest';
import {
  conflictingLeases,
  describeHolder,
  isConditionFailed,
  isLive,
  leaseKeyFor,
  newLeaseBody,
  nextRenewal,
  parseLease,
  releasedBody,
  renewedBody,
  scopesOverlap,
  type LeaseObject,
  type LeaseScope,
} from '../../../src/storage/lease.js';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const all: LeaseScope = { kind: 'all' };
const shard = (index: number, count: number, split = 'group'): LeaseScope => ({ kind: 'shard', index, count, split });
const lease = (key: string, scope: LeaseScope, expiresInS: number): LeaseObject => ({
  key,
  etag: '"e"',
  body: {
    ...newLeaseBody({ runId: `r-${key}`, scope, ttlSeconds: 300, now: NOW, host: 'h', pid: 1 }),
    expires_at: new Date(NOW.getTime() + expiresInS * 1000).toISOString(),
  },
});

describe('lease keys and scopes', () => {
  it('one key for the whole prefix, one per shard of a split', () => {
    expect(leaseKeyFor('m/', all)).toBe('m/_leases/all.json');
    expect(leaseKeyFor('m/', shard(2, 8))).toBe('m/_leases/shard-2-of-8.json');
    expect(leaseKeyFor('', all)).toBe('_leases/all.json');
  });

  it('the whole prefix overlaps everything; shards of one split only themselves; different splits overlap', () => {
    expect(scopesOverlap(all, all)).toBe(true);
    expect(scopesOverlap(all, shard(0, 4))).toBe(true);
    expect(scopesOverlap(shard(1, 4), all)).toBe(true);
    expect(scopesOverlap(shard(1, 4), shard(1, 4))).toBe(true);
    expect(scopesOverlap(shard(1, 4), shard(2, 4))).toBe(false);
    expect(scopesOverlap(shard(1, 4), shard(1, 8))).toBe(true);
    expect(scopesOverlap(shard(1, 4), shard(2, 8))).toBe(true);
    // Same count but a different split hashes different units: not disjoint.
    expect(scopesOverlap(shard(1, 4, 'depth 4'), shard(2, 4, 'depth 2'))).toBe(true);
    expect(scopesOverlap(shard(1, 4, 'group'), shard(2, 4, 'depth 4'))).toBe(true);
    expect(scopesOverlap(shard(1, 4, 'depth 4'), shard(2, 4, 'depth 4'))).toBe(false);
  });
});

describe('liveness and conflicts', () => {
  it('a lease is live while expires_at is in the future; a released one is not', () => {
    expect(isLive(lease('a', all, 1), NOW, 300)).toBe(true);
    expect(isLive(lease('a', all, 0), NOW, 300)).toBe(false);
    expect(isLive(lease('a', all, -5), NOW, 300)).toBe(false);
    const released = { ...lease('a', all, 300), body: releasedBody(lease('a', all, 300).body!, NOW) };
    expect(isLive(released, NOW, 300)).toBe(false);
  });

  it('an unreadable lease counts as live until LastModified + the TTL', () => {
    const junk: LeaseObject = { key: 'm/_leases/all.json', etag: '"x"', body: undefined, lastModified: new Date(NOW.getTime() - 100_000) };
    expect(isLive(junk, NOW, 300)).toBe(true);
    expect(isLive(junk, NOW, 60)).toBe(false);
    expect(describeHolder(junk, 300)).toMatch(/unreadable lease object m\/_leases\/all\.json .*until 2026-12-01T00:03:20/);
  });

  it('conflicts are the live, overlapping leases other than ours', () => {
    const ours = { key: 'm/_leases/shard-1-of-4.json', scope: shard(1, 4) };
    const others = [
      lease(ours.key, shard(1, 4), 100), // our own key: never a conflict with ourselves
      lease('m/_leases/shard-2-of-4.json', shard(2, 4), 100), // disjoint
      lease('m/_leases/all.json', all, -1), // expired
      lease('m/_leases/shard-0-of-2.json', shard(0, 2), 100), // another split: overlaps
    ];
    expect(conflictingLeases(ours, others, NOW, 300).map((l) => l.key)).toEqual(['m/_leases/shard-0-of-2.json']);
    expect(conflictingLeases({ key: 'm/_leases/all.json', scope: all }, others, NOW, 300).map((l) => l.key)).toEqual([
      ours.key,
      'm/_leases/shard-2-of-4.json',
      'm/_leases/shard-0-of-2.json',
    ]);
  });

  it('names the holder: run, host, pid, scope and until when', () => {
    expect(describeHolder(lease('k', shard(1, 4), 60), 300)).toBe('run r-k on host h (pid 1), shard 1/4 (split: group), until 2026-12-01T00:01:00.000Z');
  });
});

describe('lease bodies', () => {
  it('round-trips through JSON; anything else is not a lease', () => {
    const b = newLeaseBody({ runId: 'r1', scope: shard(0, 2), ttlSeconds: 30, now: NOW, host: 'h', pid: 7 });
    expect(b).toMatchObject({
      run_id: 'r1',
      host: 'h',
      pid: 7,
      started_at: NOW.toISOString(),
      renewed_at: NOW.toISOString(),
      expires_at: '2026-12-01T00:00:30.000Z',
      ttl_seconds: 30,
    });
    expect(parseLease(JSON.stringify(b))).toEqual(b);
    // An older version's shard scope (depth instead of split) reads as its depth split.
    const old = { ...b, scope: { kind: 'shard', index: 1, count: 4, depth: 4 } };
    expect(parseLease(JSON.stringify(old))?.scope).toEqual({ kind: 'shard', index: 1, count: 4, split: 'depth 4' });
    expect(parseLease('not json')).toBeUndefined();
    expect(parseLease('{"run_id":"r"}')).toBeUndefined();
    expect(parseLease(JSON.stringify({ ...b, expires_at: 'soon' }))).toBeUndefined();
    expect(parseLease(JSON.stringify({ ...b, scope: { kind: 'shard', index: 1 } }))).toBeUndefined();
  });

  it('a renewal moves renewed_at and expires_at by the TTL; a release expires it now', () => {
    const b = newLeaseBody({ runId: 'r1', scope: all, ttlSeconds: 30, now: NOW });
    const later = new Date(NOW.getTime() + 10_000);
    expect(renewedBody(b, later)).toMatchObject({ started_at: NOW.toISOString(), renewed_at: later.toISOString(), expires_at: '2026-12-01T00:00:40.000Z' });
    expect(releasedBody(b, later)).toMatchObject({ expires_at: later.toISOString(), released_at: later.toISOString() });
  });
});

describe('renewal timing', () => {
  const ttl = 300;
  const at = (s: number) => new Date(NOW.getTime() + s * 1000);
  const expiresAt = NOW.getTime() + ttl * 1000;

  it('renews every ttl/3 while renewals succeed', () => {
    expect(nextRenewal({ now: NOW, expiresAt, ttlSeconds: ttl, failed: false })).toEqual({ giveUp: false, delayMs: 100_000 });
  });

  it('after a failed renewal tries again sooner, and gives up once less than ttl/6 is left', () => {
    const a = nextRenewal({ now: at(100), expiresAt, ttlSeconds: ttl, failed: true });
    expect(a.giveUp).toBe(false);
    expect(a.delayMs).toBeLessThanOrEqual(100_000);
    expect(100 + a.delayMs / 1000).toBeLessThan(ttl - ttl / 6);
    const b = nextRenewal({ now: at(240), expiresAt, ttlSeconds: ttl, failed: true });
    expect(b.giveUp).toBe(false);
    expect(240 + b.delayMs / 1000).toBeLessThanOrEqual(250);
    expect(nextRenewal({ now: at(250), expiresAt, ttlSeconds: ttl, failed: true }).giveUp).toBe(true);
    expect(nextRenewal({ now: at(400), expiresAt, ttlSeconds: ttl, failed: true }).giveUp).toBe(true);
  });
});

describe('conditional write outcomes', () => {
  const err = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  it('412, 409 and a vanished lease mean someone else changed it; throttling and 500 do not', () => {
    expect(isConditionFailed(err('PreconditionFailed', 412))).toBe(true);
    expect(isConditionFailed(err('ConditionalRequestConflict', 409))).toBe(true);
    expect(isConditionFailed(err('NoSuchKey', 404))).toBe(true);
    expect(isConditionFailed(err('NoSuchBucket', 404))).toBe(false);
    expect(isConditionFailed(err('SlowDown', 503))).toBe(false);
    expect(isConditionFailed(err('InternalError', 500))).toBe(false);
  });
});
