/**
 * A real local S3 server (versitygw over a temp folder) for the demo, tests and the benchmark.
 * As a module: startLocalS3(). As a command: `npx tsx scripts/local-s3.ts [--port N] [--bucket B]...`
 * runs until Ctrl-C and prints the endpoint and credentials.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, openSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { toolPath } from './tools.js';

export interface LocalS3Options {
  accessKeyId?: string;
  secretAccessKey?: string;
  buckets?: string[];
  port?: number;
  /** Folder for the server's data; a new temp folder when absent (removed on stop). */
  dir?: string;
  region?: string;
  /** Keep connections open between requests (default true); false makes every request a new connection. */
  keepAlive?: boolean;
}

export interface LocalS3 {
  endpoint: string;
  port: number;
  dir: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** Environment for child processes (the job, s5cmd, aws cli) pointing at this server. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port }, () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export async function startLocalS3(opts: LocalS3Options = {}): Promise<LocalS3> {
  const accessKeyId = opts.accessKeyId ?? 'local-access-key';
  const secretAccessKey = opts.secretAccessKey ?? 'local-secret-key';
  const region = opts.region ?? 'us-east-1';
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 's3ds-s3-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const binary = toolPath('versitygw');

  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.port ?? (await freePort());
    const logFile = join(dir, `versitygw-${port}.log`);
    const log = openSync(logFile, 'a');
    const args = ['--port', `127.0.0.1:${port}`, '--region', region, '--quiet', ...(opts.keepAlive === false ? [] : ['--keep-alive']), 'posix', dataDir];
    const child = spawn(binary, args, {
      env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
      stdio: ['ignore', log, log],
    });
    running.add(child);
    installExitHook();
    let exited = false;
    child.once('exit', () => {
      exited = true;
      running.delete(child);
    });
    const deadline = Date.now() + 15_000;
    while (!exited && Date.now() < deadline) {
      if (await portAnswers(port)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (exited || !(await portAnswers(port))) {
      child.kill('SIGKILL');
      lastError = readFileSync(logFile, 'utf8').slice(-2000);
      if (opts.port) break;
      continue;
    }
    const endpoint = `http://127.0.0.1:${port}`;
    const server: LocalS3 = {
      endpoint,
      port,
      dir,
      accessKeyId,
      secretAccessKey,
      region,
      client: () => new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } }),
      async createBucket(name: string) {
        const c = server.client();
        try {
          await c.send(new CreateBucketCommand({ Bucket: name }));
        } finally {
          c.destroy();
        }
      },
      env: () => ({
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_REGION: region,
        AWS_ENDPOINT_URL_S3: endpoint,
      }),
      async stop() {
        if (!exited) {
          const done = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await done;
          clearTimeout(timer);
        }
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
    for (const b of opts.buckets ?? []) await server.createBucket(b);
    return server;
  }
  if (ownDir) rmSync(dir, { recursive: true, force: true });
  throw new Error(`versitygw did not start: ${lastError || 'no output'}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const buckets: string[] = [];
  let port: number | undefined;
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--bucket') buckets.push(String(args[++i]));
    else if (a === '--port') port = Number(args[++i]);
    else if (a === '--dir') dir = String(args[++i]);
    else {
      console.error(`local-s3: unknown argument '${a}' (expected --port N, --bucket NAME, --dir PATH)`);
      process.exit(2);
    }
  }
  const s3 = await startLocalS3({ port, buckets, dir });
  console.log(JSON.stringify({ endpoint: s3.endpoint, ...s3.env(), buckets, dir: s3.dir }));
  const stop = () => void s3.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(`local-s3: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
