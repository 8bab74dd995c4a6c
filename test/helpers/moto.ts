/**
 * A real moto server (moto[server] 5.2, installed by scripts/install-moto.sh into the tools cache
 * before the tests start) for client tests against CloudWatch, CloudWatch Logs, ECS, Secrets Manager, STS, EventBridge
 * Scheduler... one endpoint for all services.
 *
 *   const moto = useMoto();                      // registers beforeAll/afterAll
 *   it('...', () => { new CloudWatchClient(motoClientConfig(moto.endpoint)) ... });
 *
 * or by hand: `const m = await startMoto(); try { ... } finally { await m.stop(); }`.
 * The server is stopped in afterAll even when tests fail, and killed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../scripts/local-s3.js';
import { requireInstalled, toolsCacheRoot } from '../../scripts/tools.js';

export interface MotoServer {
  endpoint: string;
  port: number;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
}

/** Client settings for any AWS SDK v3 client pointed at moto. */
export function motoClientConfig(endpoint: string, region = 'us-east-1') {
  return {
    region,
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
  };
}

/** Path of moto_server: $MOTO_SERVER, else the one scripts/install-moto.sh installed (located, never installed here). */
export function motoServerPath(): string {
  if (process.env.MOTO_SERVER) return process.env.MOTO_SERVER;
  const dir = join(toolsCacheRoot(), 'moto-5.2');
  requireInstalled(join(dir, '.installed'), 'moto 5.2', 'scripts/install-moto.sh');
  return requireInstalled(join(dir, 'venv', 'bin', 'moto_server'), 'moto 5.2', 'scripts/install-moto.sh');
}

export { freePort };

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

export async function startMoto(opts: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const bin = motoServerPath();
  let lastError: Error | undefined;
  // The port could be taken between choosing and binding; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(bin, port, opts.timeoutMs ?? 30_000);
    } catch (err) {
      lastError = err as Error;
    }
  }
  throw lastError ?? new Error('moto did not start');
}

async function launch(bin: string, port: number, timeoutMs: number): Promise<MotoServer> {
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION ?? 'us-east-1' },
  });
  running.add(child);
  killAllOnExit();
  // Keep only the tail of the output, for error messages.
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
    }),
  );
  child.once('error', (err) => {
    tail += `\n${err.message}`;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`moto_server exited (${exited.code ?? exited.signal}) before answering on ${endpoint}:\n${tail}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    endpoint,
    port,
    pid: child.pid!,
    stop,
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
  };
}

/**
 * Starts moto before the file's tests and stops it after them, whatever happened. The returned
 * object's fields are filled in beforeAll.
 */
export function useMoto(opts: { timeoutMs?: number } = {}): { endpoint: string; port: number; reset(): Promise<void> } {
  let server: MotoServer | undefined;
  const handle = {
    endpoint: '',
    port: 0,
    reset: async () => {
      if (!server) throw new Error('moto is not running');
      await server.reset();
    },
  };
  beforeAll(
    async () => {
      server = await startMoto(opts);
      handle.endpoint = server.endpoint;
      handle.port = server.port;
    },
    (opts.timeoutMs ?? 30_000) + 15_000,
  );
  afterAll(async () => {
    await server?.stop();
  });
  return handle;
}
