import type { S3Client } from '@aws-sdk/client-s3';
import { listPage } from './list-request.js';

/** A part of the key space listed on its own: everything under `prefix`, or only its direct objects. */
export interface ListUnit {
  /** Relative to the side's root prefix. */
  rel: string;
  recursive: boolean;
}

export function unitKey(u: ListUnit): string {
  return u.recursive ? u.rel : `${u.rel}\u0000direct`;
}

/**
 * Finds the units under `root + rel` down to `depth` levels of '/' by delimiter listing (one
 * request per prefix and level, never listing every key): each prefix at that depth is a
 * recursive unit; objects lying directly in a shallower prefix form a "direct" unit of it.
 */
export async function* discoverUnits(client: S3Client, bucket: string, root: string, rel: string, depth: number): AsyncGenerator<ListUnit> {
  if (depth <= 0) {
    yield { rel, recursive: true };
    return;
  }
  const children: string[] = [];
  let direct = false;
  let token: string | undefined;
  do {
    const page = await listPage(client, { bucket, prefix: root + rel, delimiter: '/', continuationToken: token });
    if (page.objects.length > 0) direct = true;
    for (const p of page.prefixes) children.push(p.slice(root.length));
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  if (direct) yield { rel, recursive: false };
  for (const child of children) yield* discoverUnits(client, bucket, root, child, depth - 1);
}
