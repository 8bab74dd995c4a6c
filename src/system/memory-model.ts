/**
 * Client memory one copy in flight holds (pure): sizing divides free memory by it to bound
 * concurrency, and the estimate multiplies it by concurrency to choose a task size.
 *
 * - Server-side copy (CopyObject, UploadPartCopy, s5cmd cp s3→s3): the request carries a few hundred
 *   bytes and the answer is a short XML document; no object byte reaches the client. What a copy in
 *   flight holds is its socket's TLS records (16 KiB each way) and the SDK's request and response
 *   objects: 64 KiB allows for both with room to spare.
 * - Stream (GetObject into lib-storage's Upload): an object that fits in one part is buffered whole,
 *   plus the body's stream buffers (1 MiB allowed); a multipart upload keeps STREAM_QUEUE_SIZE parts
 *   in flight plus the one being filled.
 */
import type { EngineName } from '../engines/types.js';
import { KIB, MIB } from '../units.js';

export const SERVER_SIDE_COPY_BYTES = 64 * KIB;
/** lib-storage Upload's queueSize as the stream engine sets it: parts uploading at once. */
export const STREAM_QUEUE_SIZE = 4;
/** Parts of one multipart stream copy in memory: the queue plus the part being filled. */
export const STREAM_PARTS_IN_MEMORY = STREAM_QUEUE_SIZE + 1;
/** Beside a single-part object: the GetObject body's stream buffers and the upload's request. */
export const STREAM_SINGLE_PART_OVERHEAD_BYTES = MIB;

export interface CopyShape {
  /** Typical object size; unknown: assume multipart. */
  avgObjectBytes?: number;
  partSizeBytes: number;
}

/** Whether an engine copies server-side (no object bytes through this process). */
export function copiesServerSide(engine: EngineName): boolean {
  return engine !== 'stream';
}

/** Bytes of client memory one copy in flight holds with `engine`. */
export function bytesPerCopyInFlight(engine: EngineName, shape: CopyShape): number {
  if (copiesServerSide(engine)) return SERVER_SIDE_COPY_BYTES;
  const avg = shape.avgObjectBytes;
  return avg !== undefined && avg <= shape.partSizeBytes ? avg + STREAM_SINGLE_PART_OVERHEAD_BYTES : STREAM_PARTS_IN_MEMORY * shape.partSizeBytes;
}
