import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { abortStaleUploads, listStaleUploads } from '../../../src/resilience/cleanup.js';

interface Upload {
  Key: string;
  UploadId: string;
  Initiated: Date;
}

/** An in-memory ListMultipartUploads/AbortMultipartUpload server with S3's marker rules. */
function fakeS3(uploads: Upload[], o: { ignorePrefix?: boolean; refuseUploadIdMarker?: boolean; stuck?: boolean } = {}) {
  const open = [...uploads].sort((a, b) => (a.Key === b.Key ? a.UploadId.localeCompare(b.UploadId) : a.Key < b.Key ? -1 : 1));
  const calls: Array<Record<string, unknown>> = [];
  const client = {
    async send(cmd: unknown) {
      if (cmd instanceof ListMultipartUploadsCommand) {
        const i = cmd.input;
        calls.push({ ...i });
        if (o.refuseUploadIdMarker && i.KeyMarker && i.UploadIdMarker) {
          throw Object.assign(new Error('Invalid uploadId marker'), { name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
        }
        const max = i.MaxUploads ?? 1000;
        const after = open.filter(
          (u) =>
            (o.ignorePrefix || !i.Prefix || u.Key.startsWith(i.Prefix)) &&
            (!i.KeyMarker || u.Key > i.KeyMarker || (u.Key === i.KeyMarker && !!i.UploadIdMarker && u.UploadId > i.UploadIdMarker)),
        );
        const page = after.slice(0, max);
        const last = page[page.length - 1];
        const truncated = after.length > max;
        return {
          Uploads: page,
          IsTruncated: truncated,
          NextKeyMarker: truncated ? (o.stuck ? i.KeyMarker : last?.Key) : undefined,
          NextUploadIdMarker: truncated ? (o.stuck ? i.UploadIdMarker : last?.UploadId) : undefined,
        };
      }
      if (cmd instanceof AbortMultipartUploadCommand) {
        const idx = open.findIndex((u) => u.UploadId === cmd.input.UploadId && u.Key === cmd.input.Key);
        if (idx < 0) throw Object.assign(new Error('gone'), { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
        open.splice(idx, 1);
        return {};
      }
      throw new Error('unexpected command');
    },
  };
  return { client: client as unknown as S3Client, open, calls };
}

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
const up = (Key: string, UploadId: string, s = 0): Upload => ({ Key, UploadId, Initiated: at(s) });

describe('listStaleUploads', () => {
  it('follows key and upload-id markers across pages, including several uploads of one key', async () => {
    const all = [up('p/a', 'u1'), up('p/a', 'u2'), up('p/a', 'u3'), up('p/b', 'u4'), up('p/c', 'u5')];
    const s = fakeS3(all);
    const listed = await listStaleUploads(s.client, 'bkt', 'p/', { pageSize: 2 });
    expect(listed.map((u) => u.uploadId)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(s.calls[1]).toMatchObject({ KeyMarker: 'p/a', UploadIdMarker: 'u2' });
  });

  it('keeps only keys under the prefix even when the server ignores Prefix', async () => {
    const s = fakeS3([up('p/a', 'u1'), up('p-other/a', 'u2'), up('q/a', 'u3')], { ignorePrefix: true });
    expect((await listStaleUploads(s.client, 'bkt', 'p/')).map((u) => u.key)).toEqual(['p/a']);
  });

  it('goes on from the key marker alone where the server refuses the upload-id marker', async () => {
    const s = fakeS3([up('p/a', 'u1'), up('p/a', 'u2'), up('p/a', 'u3'), up('p/b', 'u4')], { refuseUploadIdMarker: true });
    const listed = await listStaleUploads(s.client, 'bkt', 'p/', { pageSize: 2 });
    // u3 shares the marker's key and is skipped by this listing: abortStaleUploads lists again.
    expect(listed.map((u) => u.uploadId)).toEqual(['u1', 'u2', 'u4']);
  });

  it('refuses to loop on a truncated page with no new marker', async () => {
    const s = fakeS3([up('p/a', 'u1'), up('p/b', 'u2'), up('p/c', 'u3')], { stuck: true });
    await expect(listStaleUploads(s.client, 'bkt', 'p/', { pageSize: 1 })).rejects.toThrow(/no new marker/);
  });
});

describe('abortStaleUploads', () => {
  it('aborts everything under the prefix, and nothing else', async () => {
    const s = fakeS3([up('p/a', 'u1'), up('p/b', 'u2'), up('pp/c', 'u3'), up('q/d', 'u4')]);
    const r = await abortStaleUploads(s.client, 'bkt', 'p/');
    expect(r.aborted.map((u) => u.uploadId).sort()).toEqual(['u1', 'u2']);
    expect(s.open.map((u) => u.UploadId)).toEqual(['u3', 'u4']);
  });

  it('gets every upload of a key on a server that refuses upload-id markers, by listing again', async () => {
    const s = fakeS3([up('p/a', 'u1'), up('p/a', 'u2'), up('p/a', 'u3'), up('p/a', 'u4'), up('p/b', 'u5')], { refuseUploadIdMarker: true });
    const r = await abortStaleUploads(s.client, 'bkt', 'p/', { pageSize: 2 });
    expect(r.aborted).toHaveLength(5);
    expect(s.open).toEqual([]);
  });

  it('olderThan keeps newer uploads and those without an initiation time', async () => {
    const s = fakeS3([up('p/a', 'u1', 10), up('p/b', 'u2', 30), { Key: 'p/c', UploadId: 'u3', Initiated: undefined as unknown as Date }]);
    const r = await abortStaleUploads(s.client, 'bkt', 'p/', { olderThan: at(20) });
    expect(r.aborted.map((u) => u.uploadId)).toEqual(['u1']);
    expect(s.open.map((u) => u.UploadId)).toEqual(['u2', 'u3']);
  });

  it('an upload that vanished meanwhile counts as gone; other failures are reported', async () => {
    const s = fakeS3([up('p/a', 'u1'), up('p/b', 'u2')]);
    const send = s.client.send.bind(s.client);
    (s.client as unknown as { send: typeof send }).send = (async (cmd: unknown) => {
      if (cmd instanceof AbortMultipartUploadCommand && cmd.input.UploadId === 'u1') {
        throw Object.assign(new Error('gone'), { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
      }
      if (cmd instanceof AbortMultipartUploadCommand && cmd.input.UploadId === 'u2') {
        throw Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      }
      return send(cmd as never);
    }) as typeof send;
    const r = await abortStaleUploads(s.client, 'bkt', 'p/');
    expect(r.aborted.map((u) => u.uploadId)).toEqual(['u1']);
    expect(r.failed).toEqual([
      { upload: expect.objectContaining({ uploadId: 'u2' }), error: expect.objectContaining({ class: 'permission', code: 'AccessDenied' }) },
    ]);
  });
});
