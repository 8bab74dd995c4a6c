/**
 * Parses the same 1,000-key ListObjectsV2 page with the SDK's deserializer and with the job's
 * page parser, alternating rounds, and prints medians (JSON on stdout). Both go through an
 * S3Client whose request handler answers every request with the canned page, so the "send"
 * figures are the whole SDK pipeline per page; "deserialize" subtracts the same pipeline
 * answering an empty page.
 *
 *   npx tsx scripts/bench-list-parse.ts [--keys 1000] [--rounds 7] [--pages 300]
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parseListPage } from '../src/storage/list-page-parser.js';
import { listPage } from '../src/storage/list-request.js';

const { values } = parseArgs({
  options: { keys: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '7' }, pages: { type: 'string', default: '300' } },
});
const KEYS = Number(values.keys);
const ROUNDS = Number(values.rounds);
const PAGES = Number(values.pages);

function page(keys: number, url: boolean): string {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'];
  parts.push(`<Name>bench</Name><Prefix>data/spot/daily/klines/</Prefix><KeyCount>${keys}</KeyCount><MaxKeys>1000</MaxKeys>`);
  if (url) parts.push('<EncodingType>url</EncodingType>');
  parts.push('<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>');
  for (let i = 0; i < keys; i++) {
    const day = `2021-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    const sym = `SYM${String(Math.floor(i / 40)).padStart(4, '0')}USDT`;
    const key = `data/spot/daily/klines/${sym}/1m/${sym}-1m-${day}.zip${i % 2 ? '.CHECKSUM' : ''}`;
    parts.push(
      `<Contents><Key>${key}</Key><LastModified>2021-06-0${1 + (i % 9)}T10:11:12.000Z</LastModified>` +
        `<ETag>&quot;${(i * 2654435761).toString(16).padStart(32, '0').slice(-32)}&quot;</ETag><Size>${1000 + i * 37}</Size>` +
        '<StorageClass>STANDARD</StorageClass></Contents>',
    );
  }
  parts.push('</ListBucketResult>');
  return parts.join('');
}

function cannedClient(body: Buffer): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    requestHandler: {
      handle: async () => ({
        response: { statusCode: 200, reason: 'OK', headers: { 'content-type': 'application/xml' }, body: Readable.from([body]) },
      }),
    } as never,
  });
}

async function timeIt(n: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t) / 1e6 / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const xml = page(KEYS, true);
  const full = cannedClient(Buffer.from(xml));
  const empty = cannedClient(Buffer.from(page(0, true)));
  const input = { Bucket: 'bench', Prefix: 'data/spot/daily/klines/', EncodingType: 'url' as const };
  const q = { bucket: 'bench', prefix: 'data/spot/daily/klines/' };
  const parsed = parseListPage(xml);
  const sdk = await full.send(new ListObjectsV2Command(input));
  if (parsed.objects.length !== KEYS || sdk.Contents?.length !== KEYS) throw new Error('the two parsers disagree on the page');
  const r: Record<string, number[]> = { sdkSend: [], sdkEmptySend: [], parserOnly: [], jobSend: [] };
  for (let round = 0; round < ROUNDS; round++) {
    r.sdkSend!.push(await timeIt(PAGES, () => full.send(new ListObjectsV2Command(input))));
    r.parserOnly!.push(await timeIt(PAGES * 5, () => parseListPage(xml)));
    r.sdkEmptySend!.push(await timeIt(PAGES, () => empty.send(new ListObjectsV2Command(input))));
    r.jobSend!.push(await timeIt(PAGES, () => listPage(full, q)));
  }
  const m = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  const sdkDeserialize = m.sdkSend! - m.sdkEmptySend!;
  const out = {
    keys_per_page: KEYS,
    page_bytes: Buffer.byteLength(xml),
    ms_per_page: {
      sdk_send: m.sdkSend,
      sdk_send_empty_page: m.sdkEmptySend,
      sdk_deserialize: sdkDeserialize,
      parser: m.parserOnly,
      job_send: m.jobSend,
    },
    parser_speedup_vs_sdk_deserializer: sdkDeserialize / m.parserOnly!,
    send_speedup: m.sdkSend! / m.jobSend!,
    rounds: ROUNDS,
    pages_per_round: PAGES,
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  full.destroy();
  empty.destroy();
}

await main();
