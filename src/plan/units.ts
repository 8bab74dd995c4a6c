/**
 * The listing units of a run: from the selection's prefixes, the folders are walked as the
 * selection's folderStep says (known children without a request, one delimiter listing where the
 * children must be found, a skip, or a listing of the whole folder between optional bounds).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { FolderStep } from '../config/selection.js';
import { compareKeys } from '../key-order.js';
import { listPage } from '../storage/list-request.js';

/** A part of the key space listed on its own: everything under `rel` (between the bounds), or only the objects lying directly in it. */
export interface ListUnit {
  /** Relative to the side's root prefix. */
  rel: string;
  recursive: boolean;
  /** Only keys after this relative key. */
  startAfter?: string;
  /** Only keys before this relative key. */
  endBefore?: string;
  /** Sides (indexes into UnitWalk.sides) whose delimiter listings showed nothing there: no need to list them. */
  absentOn?: number[];
}

export function unitKey(u: ListUnit): string {
  return u.recursive ? u.rel : `${u.rel}\u0000direct`;
}

export interface UnitSide {
  client: S3Client;
  bucket: string;
  /** The side's root prefix (rel is relative to it). */
  root: string;
  /** Runs each discovery request: the side's bound on requests in flight. */
  limit: <T>(request: () => Promise<T>) => Promise<T>;
}

export interface UnitWalk {
  /** Relative prefixes to start from (the selection's): sorted, none inside another. */
  prefixes: readonly string[];
  /** How a folder is listed. */
  step: (rel: string) => FolderStep;
  /** The sides whose delimiter listings find a folder's children (the source, and the destination when it is listed): their union. */
  sides: readonly UnitSide[];
  /** Each folder judged, with its step (for the caller's tallies). */
  onFolder?: (rel: string, step: FolderStep) => void;
  signal?: AbortSignal;
}

/**
 * The units in S3 key order (a folder's direct objects before its subfolders). Held in memory:
 * one small record per unit. Discovery requests run at once, bounded by each side's limit.
 */
export async function listingUnits(w: UnitWalk): Promise<ListUnit[]> {
  const units: ListUnit[] = [];
  await Promise.all(w.prefixes.map((rel) => visit(w, rel, [], units)));
  return units.sort((a, b) => compareKeys(unitKey(a), unitKey(b)));
}

/** `absent`: the sides a delimiter listing above showed to hold nothing under `rel`. */
async function visit(w: UnitWalk, rel: string, absent: readonly number[], out: ListUnit[]): Promise<void> {
  if (w.signal?.aborted) return;
  const where = absent.length > 0 ? { absentOn: [...absent] } : {};
  // A prefix ending mid-name (selection.prefixes may) is no folder: listed as it is.
  if (rel !== '' && !rel.endsWith('/')) {
    out.push({ rel, recursive: true, ...where });
    return;
  }
  const step = w.step(rel);
  w.onFolder?.(rel, step);
  if (step.kind === 'skip') return;
  if (step.kind === 'list') {
    out.push({ rel, recursive: true, ...bound('startAfter', step.startAfter), ...bound('endBefore', step.endBefore), ...where });
    return;
  }
  if (step.kind === 'children') {
    await Promise.all(step.names.map((name) => visit(w, `${rel}${name}/`, absent, out)));
    return;
  }
  const found = await discover(w, rel, absent);
  const missing = (has: (f: Found) => boolean) => [...absent, ...found.flatMap((f, side) => (f && !has(f) ? [side] : []))].sort();
  if (found.some((f) => f?.direct)) {
    const direct = missing((f) => f.direct);
    out.push({ rel, recursive: false, ...(direct.length > 0 ? { absentOn: direct } : {}) });
  }
  const children = [...new Set(found.flatMap((f) => (f ? [...f.children] : [])))].sort(compareKeys);
  await Promise.all(
    children.map((child) =>
      visit(
        w,
        child,
        missing((f) => f.children.has(child)),
        out,
      ),
    ),
  );
}

function bound<K extends 'startAfter' | 'endBefore'>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Partial<Record<K, string>>);
}

type Found = { children: Set<string>; direct: boolean };

/** One delimiter listing of `rel` on each side not known to lack it (undefined for those): child folders (relative) and whether objects lie directly in it. */
async function discover(w: UnitWalk, rel: string, absent: readonly number[]): Promise<Array<Found | undefined>> {
  return Promise.all(w.sides.map((side, n) => (absent.includes(n) ? undefined : discoverOn(side, rel, w.signal))));
}

async function discoverOn(side: UnitSide, rel: string, signal?: AbortSignal): Promise<Found> {
  const children = new Set<string>();
  let direct = false;
  let token: string | undefined;
  do {
    const query = { bucket: side.bucket, prefix: side.root + rel, delimiter: '/', continuationToken: token };
    const page = await side.limit(() => listPage(side.client, query, signal));
    if (page.objects.length > 0) direct = true;
    for (const p of page.prefixes) children.add(p.slice(side.root.length));
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token && !signal?.aborted);
  return { children, direct };
}
