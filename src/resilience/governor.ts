/**
 * Adaptive concurrency (AIMD, as TCP does it): halve when the throttle or error rate over a
 * sliding window of outcomes passes its threshold (at most once per cooldown, so the requests
 * already in flight at the old level cannot trigger a second cut), add a step after every healthy
 * window. Per destination prefix too, since S3's request-rate limit is per prefix.
 */
import type { ClassifiedError } from './errors.js';

export type Outcome = 'ok' | 'throttled' | 'error' | 'network';

export interface GovernorEvent {
  /** ISO time of the change. */
  at: string;
  from: number;
  to: number;
  reason: string;
  /** The destination prefix for a per-key governor. */
  key?: string;
}

export interface GovernorOptions {
  initial: number;
  min: number;
  max: number;
  /** Outcomes in the sliding window. */
  windowSize: number;
  /** Share of 'error' and 'network' outcomes in the window that halves the limit, e.g. 0.05. */
  errorRateThreshold: number;
  /** Share of 'throttled' outcomes in the window that halves the limit, e.g. 0.05. */
  throttleThreshold: number;
  increaseStep: number;
  /** Least time between two decreases. */
  cooldownMs: number;
  /** Outcomes needed before a rate is trusted; default min(windowSize, 20). */
  minSamples?: number;
  /** Most per-key governors kept; the least recently used are dropped beyond that. Default 10,000. */
  maxKeys?: number;
  now?: () => number;
}

export interface WindowRates {
  samples: number;
  throttle: number;
  error: number;
  network: number;
}

type Listener = (e: GovernorEvent) => void;

export class Governor {
  private current: number;
  private ring: Outcome[] = [];
  private next = 0;
  private counts = { ok: 0, throttled: 0, error: 0, network: 0 };
  /** Outcomes since the last change: an increase needs a whole healthy window of them. */
  private sinceChange = 0;
  private lastDecrease = -Infinity;
  private readonly opts: Required<Omit<GovernorOptions, 'now'>> & { now: () => number };
  /** Shared by a governor and its per-key ones, so one subscription sees every change. */
  private listeners = new Set<Listener>();
  private key: string | undefined;
  private readonly children = new Map<string, Governor>();

  constructor(options: GovernorOptions) {
    if (!(options.min >= 1) || !(options.max >= options.min)) throw new RangeError(`governor: need 1 ≤ min ≤ max (got min ${options.min}, max ${options.max})`);
    if (!(options.windowSize >= 1)) throw new RangeError(`governor: windowSize must be at least 1 (got ${options.windowSize})`);
    this.opts = {
      ...options,
      minSamples: options.minSamples ?? Math.min(options.windowSize, 20),
      maxKeys: options.maxKeys ?? 10_000,
      now: options.now ?? Date.now,
    };
    this.current = clampInt(options.initial, options.min, options.max);
  }

  /** Concurrency allowed now. */
  get limit(): number {
    return this.current;
  }

  get rates(): WindowRates {
    const n = this.ring.length;
    return n === 0
      ? { samples: 0, throttle: 0, error: 0, network: 0 }
      : { samples: n, throttle: this.counts.throttled / n, error: (this.counts.error + this.counts.network) / n, network: this.counts.network / n };
  }

  /** Subscribes to limit changes (this governor's and every per-key one's); returns the unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(outcome: Outcome): void {
    this.push(outcome);
    this.sinceChange++;
    const o = this.opts;
    const r = this.rates;
    if (r.samples >= o.minSamples) {
      const throttled = r.throttle >= o.throttleThreshold;
      const failing = r.error >= o.errorRateThreshold;
      if (throttled || failing) {
        const now = o.now();
        if (now - this.lastDecrease >= o.cooldownMs && this.current > o.min) {
          this.lastDecrease = now;
          const why = throttled
            ? `throttled ${pct(r.throttle)} of the last ${r.samples} requests (threshold ${pct(o.throttleThreshold)})`
            : `errors on ${pct(r.error)} of the last ${r.samples} requests (threshold ${pct(o.errorRateThreshold)})`;
          this.change(Math.max(o.min, Math.floor(this.current / 2)), `${why}: halved`);
        }
        return;
      }
    }
    if (this.sinceChange >= o.windowSize && this.ring.length >= o.windowSize) {
      if (this.current < o.max) this.change(Math.min(o.max, this.current + o.increaseStep), `healthy window of ${o.windowSize} requests: +${o.increaseStep}`);
      else this.sinceChange = 0;
    }
  }

  /** The governor for one destination prefix, starting at this one's current limit. */
  forKey(prefix: string): Governor {
    let g = this.children.get(prefix);
    if (g) {
      // Re-inserted to mark it recently used.
      this.children.delete(prefix);
    } else {
      g = new Governor({ ...this.opts, initial: this.current });
      g.key = prefix;
      g.listeners = this.listeners;
      if (this.children.size >= this.opts.maxKeys) this.children.delete(this.children.keys().next().value!);
    }
    this.children.set(prefix, g);
    return g;
  }

  private push(outcome: Outcome): void {
    if (this.ring.length < this.opts.windowSize) {
      this.ring.push(outcome);
    } else {
      this.counts[this.ring[this.next]!]--;
      this.ring[this.next] = outcome;
      this.next = (this.next + 1) % this.opts.windowSize;
    }
    this.counts[outcome]++;
  }

  private change(to: number, reason: string): void {
    const from = this.current;
    this.current = to;
    // Outcomes from before the change describe the old level: start the window again.
    this.ring = [];
    this.next = 0;
    this.counts = { ok: 0, throttled: 0, error: 0, network: 0 };
    this.sinceChange = 0;
    if (from === to) return;
    const e: GovernorEvent = { at: new Date(this.opts.now()).toISOString(), from, to, reason: this.key === undefined ? reason : `${this.key}: ${reason}` };
    if (this.key !== undefined) e.key = this.key;
    for (const l of this.listeners) l(e);
  }
}

function clampInt(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

/**
 * How a copy result feeds the governor: undefined for errors that say nothing about load
 * (permission, client, vanished), which must not shrink the pool.
 */
export function outcomeOf(error: Pick<ClassifiedError, 'class'> | undefined): Outcome | undefined {
  if (!error) return 'ok';
  switch (error.class) {
    case 'throttling':
      return 'throttled';
    case 'network':
      return 'network';
    case 'service':
    case 'unknown':
      return 'error';
    default:
      return undefined;
  }
}

/**
 * Memory pressure → factor for the batch size (seed: "memory_pressure: reduce batch size"). The
 * first step is at 75% used, before the seed's 85% alarm, so there is room left to react in.
 */
export function memoryPressure(usedFraction: number): number {
  if (!(usedFraction >= 0.75)) return 1;
  if (usedFraction < 0.85) return 0.5;
  if (usedFraction < 0.95) return 0.25;
  return 0.1;
}

/**
 * Network error rate → more retries and less concurrency (seed: "network_instability:
 * increase retries, reduce concurrency").
 */
export function networkInstability(networkErrorRate: number): { extraRetries: number; concurrencyFactor: number } {
  if (!(networkErrorRate >= 0.01)) return { extraRetries: 0, concurrencyFactor: 1 };
  if (networkErrorRate < 0.05) return { extraRetries: 1, concurrencyFactor: 0.75 };
  if (networkErrorRate < 0.15) return { extraRetries: 2, concurrencyFactor: 0.5 };
  return { extraRetries: 3, concurrencyFactor: 0.25 };
}
