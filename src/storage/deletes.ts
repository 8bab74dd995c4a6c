import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyCode } from '../resilience/errors.js';

export interface DeleteOutcome {
  deleted: number;
  failed: Array<{ key: string; code?: string; class: string; message: string }>;
}

/** DeleteObjects in chunks of 1,000 (the API's limit), reporting each key that failed. */
export async function deleteKeys(client: S3Client, bucket: string, keys: string[], signal?: AbortSignal): Promise<DeleteOutcome> {
  const out: DeleteOutcome = { deleted: 0, failed: [] };
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const res = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }), {
      abortSignal: signal,
    });
    const errors = res.Errors ?? [];
    out.deleted += chunk.length - errors.length;
    for (const e of errors)
      out.failed.push({ key: e.Key ?? '?', code: e.Code, class: classifyCode(e.Code, undefined), message: `delete failed: ${e.Message ?? e.Code}` });
  }
  return out;
}
