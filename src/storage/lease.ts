/**
 * One writing run at a time per destination (and shard): a lease object under
 * `<destination prefix>_leases/`, taken with S3 conditional writes (If-None-Match: * creates it,
 * If-Match: <ETag> renews, takes over an expired one, or releases it), renewed every ttl/3 while
 * the run lives, and expiring on its own so a crashed run's lease lapses.
 *
 * The decisions (is a lease live, do two scopes overlap, when to renew or give up) are pure
 * functions; LeaseHolder does the S3 requests around them.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { hostname } from 'node:os';
import { LeaseHeldError } from '../exit-codes.js';
import { classifyError } from '../resilience/errors.js';
import { withRetry, type RetryInfo, type RetryPolicy } from '../resilience/retry.js';

export const LEASE_DIR = '_leases/';

/** `split`: how the sharded run cut the key space ('group': the selection's groups; 'depth N': a key's first N folders). */
export type LeaseScope = { kind: 'all' } | { kind: 'shard'; index: number; count: number; split: string };

export interface LeaseBody {
  run_id: string;
  host: string;
  pid: number;
  scope: LeaseScope;
  started_at: string;
  renewed_at: string;
  expires_at: string;
  ttl_seconds: number;
  /** Set when the holder gave it up at its end (then expires_at is that moment). */
  released_at?: string;
}

/** A lease object as read back: its body (undefined when unreadable), ETag and LastModified. */
export interface LeaseObject {
  key: string;
  body: LeaseBody | undefined;
  etag: string;
  lastModified?: Date;
}

// ---------------------------------------------------------------------------------------------
// Pure decisions

export function leaseKeyFor(prefix: string, scope: LeaseScope): string {
  return `${prefix}${LEASE_DIR}${scope.kind === 'all' ? 'all' : `shard-${scope.index}-of-${scope.count}`}.json`;
}

export function describeScope(scope: LeaseScope): string {
  return scope.kind === 'all' ? 'the whole prefix' : `shard ${scope.index}/${scope.count} (split: ${scope.split})`;
}

/**
 * Whether two scopes can touch the same keys: the whole prefix overlaps everything; shards of
 * one split (same count and split) overlap only when they are the same shard; shards of
 * different splits share keys in general, so they overlap.
 */
export function scopesOverlap(a: LeaseScope, b: LeaseScope): boolean {
  if (a.kind === 'all' || b.kind === 'all') return true;
  if (a.count !== b.count || a.split !== b.split) return true;
  return a.index === b.index;
}

/**
 * When a lease stops counting. A lease whose body cannot be read (hand-edited, another tool) is
 * taken to cover everything until its LastModified plus the reader's TTL, so it never blocks forever.
 */
export function expiryOf(lease: Pick<LeaseObject, 'body' | 'lastModified'>, fallbackTtlSeconds: number): number {
  if (lease.body) return Date.parse(lease.body.expires_at);
  return (lease.lastModified?.getTime() ?? 0) + fallbackTtlSeconds * 1000;
}

export function isLive(lease: Pick<LeaseObject, 'body' | 'lastModified'>, now: Date, fallbackTtlSeconds: number): boolean {
  return expiryOf(lease, fallbackTtlSeconds) > now.getTime();
}

export function scopeOf(lease: Pick<LeaseObject, 'body'>): LeaseScope {
  return lease.body?.scope ?? { kind: 'all' };
}

/** The live leases among `others` whose scope overlaps `ours` (our own key excluded). */
export function conflictingLeases(
  ours: { key: string; scope: LeaseScope },
  others: readonly LeaseObject[],
  now: Date,
  fallbackTtlSeconds: number,
): LeaseObject[] {
  return others.filter((o) => o.key !== ours.key && isLive(o, now, fallbackTtlSeconds) && scopesOverlap(ours.scope, scopeOf(o)));
}

function isScope(v: unknown): v is LeaseScope {
  const s = v as Record<string, unknown> | null;
  if (!s || typeof s !== 'object') return false;
  if (s.kind === 'all') return true;
  return s.kind === 'shard' && [s.index, s.count].every((n) => Number.isInteger(n)) && (typeof s.split === 'string' || Number.isInteger(s.depth));
}

/** A scope as written by an older version (`depth: N` instead of `split`) reads as the same split. */
function normalScope(s: LeaseScope & { depth?: number }): LeaseScope {
  if (s.kind === 'all' || typeof s.split === 'string') return s;
  return { kind: 'shard', index: s.index, count: s.count, split: `depth ${s.depth}` };
}

/** A lease body from its JSON text; undefined when it is not one. */
export function parseLease(text: string): LeaseBody | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || typeof v.run_id !== 'string' || typeof v.expires_at !== 'string' || Number.isNaN(Date.parse(v.expires_at)))
    return undefined;
  if (!isScope(v.scope)) return undefined;
  return { ...(v as unknown as LeaseBody), scope: normalScope(v.scope) };
}

export function newLeaseBody(o: { runId: string; scope: LeaseScope; ttlSeconds: number; now: Date; host?: string; pid?: number }): LeaseBody {
  const at = o.now.toISOString();
  return {
    run_id: o.runId,
    host: o.host ?? hostname(),
    pid: o.pid ?? process.pid,
    scope: o.scope,
    started_at: at,
    renewed_at: at,
    expires_at: new Date(o.now.getTime() + o.ttlSeconds * 1000).toISOString(),
    ttl_seconds: o.ttlSeconds,
  };
}

export function renewedBody(b: LeaseBody, now: Date): LeaseBody {
  return { ...b, renewed_at: now.toISOString(), expires_at: new Date(now.getTime() + b.ttl_seconds * 1000).toISOString() };
}

export function releasedBody(b: LeaseBody, now: Date): LeaseBody {
  const at = now.toISOString();
  return { ...b, renewed_at: at, expires_at: at, released_at: at };
}

/**
 * When to try the next renewal. After a success: in ttl/3, so two more attempts fit before the
 * lease would lapse. After a failure (transient, retries spent): sooner, while more than ttl/6 is
 * left; with less left the run gives the lease up (another run may take it once it expires, and
 * the two must never write at once).
 */
export function nextRenewal(o: { now: Date; expiresAt: number; ttlSeconds: number; failed: boolean }): { giveUp: boolean; delayMs: number } {
  const ttlMs = o.ttlSeconds * 1000;
  if (!o.failed) return { giveUp: false, delayMs: Math.floor(ttlMs / 3) };
  const margin = ttlMs / 6;
  const left = o.expiresAt - o.now.getTime();
  if (left <= margin) return { giveUp: true, delayMs: 0 };
  return { giveUp: false, delayMs: Math.floor(Math.min(ttlMs / 3, Math.max(500, (left - margin) / 2))) };
}

/** "run R on host H (pid P), shard 1/4, until T" for messages. */
export function describeHolder(l: Pick<LeaseObject, 'key' | 'body' | 'lastModified'>, fallbackTtlSeconds: number): string {
  const until = new Date(expiryOf(l, fallbackTtlSeconds)).toISOString();
  if (!l.body) return `an unreadable lease object ${l.key} (counted as live until ${until})`;
  return `run ${l.body.run_id} on host ${l.body.host} (pid ${l.body.pid}), ${describeScope(l.body.scope)}, until ${until}`;
}

// ---------------------------------------------------------------------------------------------
// S3 requests

/** A conditional write that did not hold: someone else wrote (or deleted) the lease object meanwhile. */
export function isConditionFailed(err: unknown): boolean {
  const c = classifyError(err);
  return c.status === 412 || c.code === 'PreconditionFailed' || c.status === 409 || c.code === 'ConditionalRequestConflict' || isNoSuchKey(err);
}

function isNoSuchKey(err: unknown): boolean {
  const code = classifyError(err).code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

export interface LeaseOptions {
  client: S3Client;
  bucket: string;
  /** The destination prefix ('' or ending with '/'). */
  prefix: string;
  scope: LeaseScope;
  runId: string;
  ttlSeconds: number;
  retry: RetryPolicy;
  /** Called before each retry of a lease request (the run counts them with its other retries). */
  onRetry?: (info: RetryInfo) => void;
  /** Stops taking the lease (SIGTERM). Renewals and the release ignore it: a stopping run keeps its lease to the end. */
  signal?: AbortSignal;
  now?: () => Date;
  /** Where takeovers of expired leases and failed renewals are logged. */
  log?: { warn(msg: string, meta?: Record<string, unknown>): void; info(msg: string, meta?: Record<string, unknown>): void };
}

const MAX_TAKE_ROUNDS = 5;

/**
 * A lease this run holds. `take` creates it (or takes over an expired one) and checks that no
 * other live lease overlaps it; `startRenewing` keeps it alive; `release` gives it up.
 */
export class LeaseHolder {
  readonly key: string;
  private etag = '';
  private body: LeaseBody;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> = Promise.resolve();
  private lostReason: string | undefined;
  private released = false;
  private taking = true;
  private putAttempts = 0;
  private readonly now: () => Date;

  private constructor(private readonly o: LeaseOptions) {
    this.now = o.now ?? (() => new Date());
    this.key = leaseKeyFor(o.prefix, o.scope);
    this.body = newLeaseBody({ runId: o.runId, scope: o.scope, ttlSeconds: o.ttlSeconds, now: this.now() });
  }

  get lease(): Readonly<LeaseBody> {
    return this.body;
  }

  /** Takes the lease or throws LeaseHeldError naming the run that holds it (or an overlapping one). */
  static async take(o: LeaseOptions): Promise<LeaseHolder> {
    const h = new LeaseHolder(o);
    await h.acquire();
    let conflicts: LeaseObject[];
    let current: LeaseObject | undefined;
    try {
      conflicts = conflictingLeases({ key: h.key, scope: o.scope }, await h.readAll(), h.now(), o.ttlSeconds);
      // Read back: S3 makes a conditional write atomic, but a server that checks the condition and
      // then writes (versitygw's posix backend does) can let two racing writers both succeed; the
      // later write is the one that stands, and the earlier writer sees it here and backs off.
      current = await h.read(h.key);
    } catch (err) {
      // Stopped or failed while checking: never leave a lease behind that nobody renews.
      await h.release();
      throw err;
    }
    if (conflicts.length > 0) {
      await h.release();
      throw h.heldError(conflicts[0]!);
    }
    if (!current || !h.mine(current, h.body)) {
      throw current ? h.heldError(current) : new LeaseHeldError(`the lease s3://${o.bucket}/${h.key} vanished right after this run took it; wrote nothing`);
    }
    h.taking = false;
    return h;
  }

  private heldError(l: LeaseObject): LeaseHeldError {
    return new LeaseHeldError(
      `another run holds the destination's lease: ${describeHolder(l, this.o.ttlSeconds)} (s3://${this.o.bucket}/${l.key}); ` +
        `this run wanted ${describeScope(this.o.scope)} and wrote nothing`,
    );
  }

  /** Requests go through the run's retry policy; only taking the lease listens to the stop signal. */
  private send<T>(fn: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const signal = this.taking ? this.o.signal : undefined;
    return withRetry(() => fn(signal), this.o.retry, { signal, onRetry: this.o.onRetry });
  }

  /** PutObject attempts sent so far (for the run's cost budget). */
  get puts(): number {
    return this.putAttempts;
  }

  private put(body: LeaseBody, cond: { IfNoneMatch: '*' } | { IfMatch: string }): Promise<string> {
    return this.send(async (abortSignal) => {
      this.putAttempts++;
      const r = await this.o.client.send(
        new PutObjectCommand({ Bucket: this.o.bucket, Key: this.key, Body: JSON.stringify(body), ContentType: 'application/json', ...cond }),
        { abortSignal },
      );
      return r.ETag ?? '';
    });
  }

  private async read(key: string): Promise<LeaseObject | undefined> {
    try {
      return await this.send(async (abortSignal) => {
        const r = await this.o.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }), { abortSignal });
        const text = (await r.Body?.transformToString()) ?? '';
        return { key, body: parseLease(text), etag: r.ETag ?? '', lastModified: r.LastModified };
      });
    } catch (err) {
      if (isNoSuchKey(err)) return undefined;
      throw err;
    }
  }

  /** Every lease object under `_leases/` (a handful: one per scope ever used). */
  private async readAll(): Promise<LeaseObject[]> {
    const out: LeaseObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.send((abortSignal) =>
        this.o.client.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: `${this.o.prefix}${LEASE_DIR}`, ContinuationToken: token }), {
          abortSignal,
        }),
      );
      for (const c of page.Contents ?? []) {
        if (!c.Key || c.Key === this.key) continue;
        const l = await this.read(c.Key);
        if (l) out.push(l);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private mine(l: LeaseObject | undefined, body: LeaseBody): boolean {
    return l?.body?.run_id === body.run_id && l.body.renewed_at === body.renewed_at;
  }

  private async acquire(): Promise<void> {
    for (let round = 0; round < MAX_TAKE_ROUNDS; round++) {
      this.body = {
        ...newLeaseBody({ runId: this.o.runId, scope: this.o.scope, ttlSeconds: this.o.ttlSeconds, now: this.now() }),
        started_at: this.body.started_at,
      };
      try {
        this.etag = await this.put(this.body, { IfNoneMatch: '*' });
        return;
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
      const existing = await this.read(this.key);
      if (!existing) continue; // deleted meanwhile: try to create it again
      if (this.mine(existing, this.body)) {
        // A retried create whose first attempt had landed.
        this.etag = existing.etag;
        return;
      }
      if (isLive(existing, this.now(), this.o.ttlSeconds)) throw this.heldError(existing);
      this.o.log?.info(existing.body?.released_at ? 'taking a released lease' : 'taking over an expired lease', {
        key: this.key,
        previous: describeHolder(existing, this.o.ttlSeconds),
      });
      try {
        this.etag = await this.put(this.body, { IfMatch: existing.etag });
        return;
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        // Another run took it over first, or a retried write of ours landed: read and decide again.
        const after = await this.read(this.key);
        if (after && this.mine(after, this.body)) {
          this.etag = after.etag;
          return;
        }
      }
    }
    const current = await this.read(this.key);
    throw current ? this.heldError(current) : new LeaseHeldError(`could not take the lease s3://${this.o.bucket}/${this.key}: other runs kept changing it`);
  }

  /** Renews every ttl/3 until released; `onLost` is called once if the lease is lost. */
  startRenewing(onLost: (reason: string) => void): void {
    const schedule = (delayMs: number) => {
      if (this.released || this.lostReason) return;
      this.timer = setTimeout(() => {
        this.pending = this.renew().then((failed) => {
          const next = nextRenewal({ now: this.now(), expiresAt: Date.parse(this.body.expires_at), ttlSeconds: this.o.ttlSeconds, failed });
          if (next.giveUp && !this.lostReason) this.lostReason = `could not renew the lease before it expired at ${this.body.expires_at}`;
          if (this.lostReason) onLost(this.lostReason);
          else schedule(next.delayMs);
        });
      }, delayMs);
      this.timer.unref();
    };
    schedule(nextRenewal({ now: this.now(), expiresAt: Date.parse(this.body.expires_at), ttlSeconds: this.o.ttlSeconds, failed: false }).delayMs);
  }

  /** One renewal; true when it failed transiently (retries spent). Sets lostReason when taken over. */
  private async renew(): Promise<boolean> {
    if (this.released) return false;
    const next = renewedBody(this.body, this.now());
    try {
      this.etag = await this.put(next, { IfMatch: this.etag });
      this.body = next;
      return false;
    } catch (err) {
      if (!isConditionFailed(err)) {
        const c = classifyError(err);
        this.o.log?.warn('could not renew the lease; trying again', { key: this.key, error_class: c.class, code: c.code, expires_at: this.body.expires_at });
        return true;
      }
    }
    let current: LeaseObject | undefined;
    try {
      current = await this.read(this.key);
    } catch {
      return true;
    }
    if (this.mine(current, next)) {
      this.etag = current!.etag;
      this.body = next;
      return false;
    }
    // Still our previous write (a 409 conflict that changed nothing): try again soon.
    if (current && current.etag === this.etag && current.body?.run_id === this.body.run_id) return true;
    this.lostReason = current
      ? `the lease s3://${this.o.bucket}/${this.key} was taken over by ${describeHolder(current, this.o.ttlSeconds)}`
      : `the lease s3://${this.o.bucket}/${this.key} was deleted`;
    return false;
  }

  /**
   * Gives the lease up (at the end of the run, whatever its outcome): overwritten as expired with
   * If-Match, so a copy-mode role needs no s3:DeleteObject and a lease someone else took is left alone.
   */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearTimeout(this.timer);
    await this.pending.catch(() => undefined);
    if (this.lostReason) return;
    this.taking = false;
    try {
      await this.put(releasedBody(this.body, this.now()), { IfMatch: this.etag });
    } catch (err) {
      const c = classifyError(err);
      this.o.log?.warn('could not release the lease; it expires on its own', {
        key: this.key,
        expires_at: this.body.expires_at,
        error_class: c.class,
        code: c.code,
      });
    }
  }
}
