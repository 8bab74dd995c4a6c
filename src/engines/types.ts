import type { S3Client } from '@aws-sdk/client-s3';
import type { ClassifiedError } from '../resilience/errors.js';
import type { Location } from '../storage/types.js';

export type EngineName = 's5cmd' | 'sdk' | 'stream';

/** One object to copy; `key` is relative to both sides' prefixes. */
export interface CopyTask {
  key: string;
  size: number;
  /** The source ETag seen in the listing. */
  etag: string;
  /** For a zip in a verified run: whether the source lists its `.CHECKSUM` (undefined: not known). */
  checksumFile?: boolean;
  /** The listed ETag of that `.CHECKSUM`. */
  checksumEtag?: string;
}

export interface CopyResult {
  key: string;
  ok: boolean;
  engine: EngineName;
  bytes: number;
  /** Hex SHA-256 of the new object when the engine learned it without another request. */
  sha256?: string;
  destEtag?: string;
  error?: ClassifiedError;
  attempts: number;
  latencyMs: number;
}

export interface EngineSettings {
  source: Location;
  dest: Location;
  storageClass: string;
  partSizeBytes: number;
  multipartThresholdBytes: number;
  /** Objects copied at once. */
  concurrency: number;
  /** Ask the server for a SHA-256 of each new object (S3 additional checksums). */
  checksumSha256: boolean;
}

export interface EngineClients {
  source: S3Client;
  dest: S3Client;
}

export interface CopyEngine {
  readonly name: EngineName;
  /** Copies a batch; resolves with one result per task, never rejects for a single object's failure. */
  copyBatch(tasks: CopyTask[], signal?: AbortSignal): Promise<CopyResult[]>;
  /** Largest object this engine can copy. */
  readonly maxObjectBytes: number;
  close?(): Promise<void>;
}

/** Largest object a single CopyObject can copy (5 GiB). */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 ** 3;
