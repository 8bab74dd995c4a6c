import { spawn } from 'node:child_process';

/** How a child process ended, with everything it wrote. */
export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** SIGKILL after this long (default: no limit). */
  timeoutMs?: number;
  onSpawn?: (pid: number) => void;
}

/**
 * Runs a command asynchronously and collects its output. Asynchronous on purpose: a synchronous
 * spawn blocks the vitest worker, and vitest then fails the run ("Timeout calling onTaskUpdate").
 * Rejects only when the command cannot start; a non-zero exit is in `code`.
 */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    if (child.pid) opts.onSpawn?.(child.pid);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like `run`, but a non-zero exit is an error naming the command and quoting its stderr. */
export async function runOk(command: string, args: string[], opts: RunOptions = {}): Promise<Ran> {
  const r = await run(command, args, opts);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code ?? r.signal}:\n${r.stderr.slice(-4000)}`);
  return r;
}
