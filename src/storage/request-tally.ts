import type { S3Client } from '@aws-sdk/client-s3';

export type RequestKind = 'list' | 'get' | 'head' | 'copy' | 'put' | 'free';

/** Requests sent per side and kind, as S3 bills them (every attempt is a request). */
export class RequestTally {
  readonly source: Record<RequestKind, number> = { list: 0, get: 0, head: 0, copy: 0, put: 0, free: 0 };
  readonly dest: Record<RequestKind, number> = { list: 0, get: 0, head: 0, copy: 0, put: 0, free: 0 };
}

const KIND: Record<string, RequestKind> = {
  ListObjectsV2Command: 'list',
  ListMultipartUploadsCommand: 'list',
  ListPartsCommand: 'list',
  GetObjectCommand: 'get',
  HeadObjectCommand: 'head',
  HeadBucketCommand: 'head',
  CopyObjectCommand: 'copy',
  UploadPartCopyCommand: 'copy',
  PutObjectCommand: 'put',
  UploadPartCommand: 'put',
  CreateMultipartUploadCommand: 'put',
  CompleteMultipartUploadCommand: 'put',
};

export function requestKind(commandName: string): RequestKind {
  return KIND[commandName] ?? 'free';
}

/** Counts every HTTP attempt the client sends (retries included) into `counts`. */
export function countRequests(client: S3Client, counts: Record<RequestKind, number>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts[requestKind(context.commandName ?? '')]++;
      return next(args);
    },
    { step: 'deserialize', name: 's3dsRequestTally', override: true },
  );
}
